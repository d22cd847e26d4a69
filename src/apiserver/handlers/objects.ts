// The REST verbs on a resource: get, list, watch, create, update, delete, deletecollection.
import { badRequest, methodNotAllowed, successStatus } from '../../apimachinery/status.js';
import { readBody, mediaType, decodeJSON } from '../body.js';
import { buildFilter } from '../registry/filter.js';
import { parseRV } from '../registry/store.js';
import { isTrue } from '../request-info.js';
import { writeJSON } from '../response.js';
import { serveWatch } from '../watch.js';
import { requestContext, warningHeaders, type RestRequest } from './context.js';
import { decodeBodyObject } from './decode.js';
import { parseDeleteOptions, parseWriteOptions } from './options.js';
import { bookmarkObject, renderList, renderObject, responseShape, watchRenderer } from './render.js';
import type { KubeObject } from '../../apimachinery/object.js';

function namespaceOf(r: RestRequest): string | undefined {
  return r.store.rt.namespaced ? r.info.namespace : undefined;
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid ${name}: "${v}"`);
  return n;
}

export async function getObject(r: RestRequest): Promise<void> {
  const shape = responseShape(r.req.headers.accept);
  const obj = await r.store.get(namespaceOf(r), r.info.name!);
  writeJSON(r.res, 200, renderObject(r.store, obj, shape, r.query, r.clock.now()));
}

export async function listObjects(r: RestRequest): Promise<void> {
  const shape = responseShape(r.req.headers.accept);
  const q = r.query;
  const filter = buildFilter(r.store.rt, q.get('labelSelector'), q.get('fieldSelector'));
  const result = await r.store.list(namespaceOf(r), {
    filter,
    limit: intParam(q, 'limit'),
    continueToken: q.get('continue') || undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
  });
  writeJSON(r.res, 200, renderList(r.store, result.items, result, shape, q, r.clock.now()));
}

export async function watchObjects(r: RestRequest): Promise<void> {
  const shape = responseShape(r.req.headers.accept);
  const q = r.query;
  const filter = buildFilter(r.store.rt, q.get('labelSelector'), q.get('fieldSelector'));
  // A watch on one object by name (`/pods/x?watch=1`) is a field-selected watch.
  let f = filter;
  if (r.info.name) {
    const name = r.info.name;
    f = { name, matches: (o: KubeObject) => o.metadata?.name === name && (!filter || filter.matches(o)) };
  }
  const rv = q.get('resourceVersion');
  if (rv) parseRV(rv);
  const sendInitial = q.get('sendInitialEvents');
  if (sendInitial !== null && isTrue(sendInitial)) {
    if (q.get('resourceVersionMatch') !== 'NotOlderThan') {
      throw badRequest('sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan');
    }
    if (!isTrue(q.get('allowWatchBookmarks'))) {
      throw badRequest('sendInitialEvents requires setting allowWatchBookmarks to true');
    }
  }
  await serveWatch(r.req, r.res, {
    store: r.store,
    namespace: namespaceOf(r),
    filter: f,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    sendInitialEvents: sendInitial === null ? undefined : isTrue(sendInitial),
    allowBookmarks: isTrue(q.get('allowWatchBookmarks')),
    timeoutSeconds: intParam(q, 'timeoutSeconds'),
    render: watchRenderer(r.store, shape, q, () => r.clock.now()),
    plain: shape !== 'Table' && shape !== 'PartialObjectMetadata' && shape !== 'PartialObjectMetadataList',
    bookmark: bookmarkObject(r.store, shape),
  });
}

export async function createObject(r: RestRequest): Promise<void> {
  const opts = parseWriteOptions(r.query);
  const body = await readBody(r.req);
  const { obj, warnings } = decodeBodyObject(r.store.rt, r.store.apiVersion, body, mediaType(r.req), opts.fieldValidation);
  r.warnings.push(...warnings);
  const ns = namespaceOf(r);
  if (r.store.rt.namespaced && obj.metadata?.namespace && obj.metadata.namespace !== ns) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const created = await r.store.create(ns, obj, requestContext(r, opts.dryRun, opts.fieldManager));
  writeJSON(r.res, 201, created, warningHeaders(r.warnings));
}

export async function updateObject(r: RestRequest, subresource?: 'status'): Promise<void> {
  const opts = parseWriteOptions(r.query);
  const body = await readBody(r.req);
  const { obj, warnings } = decodeBodyObject(r.store.rt, r.store.apiVersion, body, mediaType(r.req), opts.fieldValidation);
  r.warnings.push(...warnings);
  const { object } = await r.store.update(namespaceOf(r), r.info.name!, obj, requestContext(r, opts.dryRun, opts.fieldManager), subresource);
  writeJSON(r.res, 200, object, warningHeaders(r.warnings));
}

export async function deleteObject(r: RestRequest): Promise<void> {
  const body = await readBody(r.req);
  const text = body.toString('utf8').trim();
  const options = parseDeleteOptions(text ? decodeJSON(body) : undefined, r.query);
  const ctx = requestContext(r, options.dryRun ?? false);
  const { object, deleted } = await r.store.delete(namespaceOf(r), r.info.name!, options, ctx);
  if (!deleted) {
    // Kubernetes answers 200 with the terminating object (202 only for the legacy
    // orphanDependents=false request).
    const legacy = text ? (decodeJSON(body) as { orphanDependents?: boolean }).orphanDependents === false : false;
    writeJSON(r.res, legacy ? 202 : 200, object);
    return;
  }
  if (r.store.strategy.returnDeletedObject) {
    writeJSON(r.res, 200, object);
    return;
  }
  writeJSON(r.res, 200, successStatus({
    name: object.metadata?.name, group: r.store.rt.group || undefined, kind: r.store.rt.plural, uid: object.metadata?.uid,
  }));
}

export async function deleteCollection(r: RestRequest): Promise<void> {
  if (!r.store.rt.namespaced && r.store.rt.plural === 'namespaces') throw methodNotAllowed();
  const body = await readBody(r.req);
  const text = body.toString('utf8').trim();
  const options = parseDeleteOptions(text ? decodeJSON(body) : undefined, r.query);
  const ctx = requestContext(r, options.dryRun ?? false);
  const filter = buildFilter(r.store.rt, r.query.get('labelSelector'), r.query.get('fieldSelector'));
  const ns = namespaceOf(r);
  const list = await r.store.list(ns, { filter });
  const deleted: KubeObject[] = [];
  for (const item of list.items) {
    try {
      const res = await r.store.delete(ns, item.metadata!.name!, options, ctx);
      deleted.push(res.object);
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
    }
  }
  const rv = String(await r.store.currentRevision());
  writeJSON(r.res, 200, renderList(r.store, deleted, { resourceVersion: rv }, 'Object', r.query, r.clock.now()));
}
