// The REST verbs on a resource: get, list, watch, create, update, delete, deletecollection.
import { badRequest, successStatus } from '../../apimachinery/status.js';
import { readBody, readDeleteOptionsBody, mediaType } from '../body.js';
import { buildFilter } from '../registry/filter.js';
import { parseRV } from '../registry/store.js';
import { isTrue } from '../request-info.js';
import { writeObject } from '../response.js';
import { serveWatch } from '../watch.js';
import { requestContext, warningHeaders, type RestRequest } from './context.js';
import { decodeBodyObject } from './decode.js';
import { parseDeleteOptions, parseWriteOptions } from './options.js';
import { sendInitialEventsOf, validateListOptions } from './list-options.js';
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
  writeObject(r.res, 200, renderObject(r.store, obj, shape, r.query, r.clock.now()));
}

export async function listObjects(r: RestRequest): Promise<void> {
  const shape = responseShape(r.req.headers.accept);
  const q = r.query;
  validateListOptions(q, false);
  const filter = buildFilter(r.store.rt, q.get('labelSelector'), q.get('fieldSelector'));
  const result = await r.store.list(namespaceOf(r), {
    filter,
    limit: intParam(q, 'limit'),
    continueToken: q.get('continue') || undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
  });
  writeObject(r.res, 200, renderList(r.store, result.items, result, shape, q, r.clock.now()));
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
  validateListOptions(q, true);
  await serveWatch(r.req, r.res, {
    store: r.store,
    namespace: namespaceOf(r),
    filter: f,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    sendInitialEvents: sendInitialEventsOf(q),
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
  writeObject(r.res, 201, created, warningHeaders(r.warnings));
}

export async function updateObject(r: RestRequest, subresource?: 'status'): Promise<void> {
  const opts = parseWriteOptions(r.query);
  const body = await readBody(r.req);
  const { obj, warnings } = decodeBodyObject(r.store.rt, r.store.apiVersion, body, mediaType(r.req), opts.fieldValidation);
  r.warnings.push(...warnings);
  const { object } = await r.store.update(namespaceOf(r), r.info.name!, obj, requestContext(r, opts.dryRun, opts.fieldManager), subresource);
  writeObject(r.res, 200, object, warningHeaders(r.warnings));
}

export async function deleteObject(r: RestRequest): Promise<void> {
  const body = await readDeleteOptionsBody(r.req);
  const options = parseDeleteOptions(body, r.query);
  const ctx = requestContext(r, options.dryRun ?? false);
  const { object, deleted } = await r.store.delete(namespaceOf(r), r.info.name!, options, ctx);
  if (!deleted) {
    // Kubernetes answers 200 with the terminating object (202 only for the legacy
    // orphanDependents=false request).
    const legacy = body?.orphanDependents === false;
    writeObject(r.res, legacy ? 202 : 200, object);
    return;
  }
  if (r.store.strategy.returnDeletedObject) {
    writeObject(r.res, 200, object);
    return;
  }
  writeObject(r.res, 200, successStatus({
    name: object.metadata?.name, group: r.store.rt.group || undefined, kind: r.store.rt.plural, uid: object.metadata?.uid,
  }));
}
