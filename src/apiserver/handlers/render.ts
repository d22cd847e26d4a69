// Shaping read responses: full objects, lists, Tables or metadata only, as negotiated.
import type { KubeObject } from '../../apimachinery/object.js';
import { badRequest, notAcceptable } from '../../apimachinery/status.js';
import type { ResourceStore } from '../registry/store.js';
import { negotiate, type ResponseShape } from '../response.js';
import { partialObjectMetadata, toTable, type IncludeObject } from '../table.js';

export function responseShape(accept: string | undefined): ResponseShape {
  const shape = negotiate(accept);
  if (!shape) throw notAcceptable(`only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io`);
  return shape;
}

export function includeObject(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  if (v === null || v === '' || v === 'Metadata') return 'Metadata';
  if (v === 'None' || v === 'Object') return v;
  throw badRequest(`unrecognized includeObject value: ${JSON.stringify(v)}`);
}

export function renderObject(store: ResourceStore, obj: KubeObject, shape: ResponseShape, q: URLSearchParams, now: number): unknown {
  switch (shape) {
    case 'Table':
      return toTable(store.rt, [obj], { now, include: includeObject(q), resourceVersion: obj.metadata?.resourceVersion });
    case 'PartialObjectMetadata':
      return partialObjectMetadata(obj);
    case 'PartialObjectMetadataList':
      throw notAcceptable(`you requested PartialObjectMetadataList, but the requested object is not a list (${goTypeName(store, '')})`);
    default:
      return obj;
  }
}

/** How kube-apiserver names the object's type in its 406 messages (`*core.ConfigMap`). */
function goTypeName(store: ResourceStore, suffix: string): string {
  const pkg = store.rt.group ? store.rt.group.split('.')[0] : 'core';
  return `*${pkg}.${store.rt.kind}${suffix}`;
}

export function renderList(
  store: ResourceStore,
  items: KubeObject[],
  meta: { resourceVersion: string; continueToken?: string },
  shape: ResponseShape,
  q: URLSearchParams,
  now: number,
): unknown {
  if (shape === 'Table') {
    return toTable(store.rt, items, { now, include: includeObject(q), resourceVersion: meta.resourceVersion, continueToken: meta.continueToken });
  }
  const listMeta: Record<string, string> = { resourceVersion: meta.resourceVersion };
  if (meta.continueToken) listMeta.continue = meta.continueToken;
  if (shape === 'PartialObjectMetadata') {
    throw notAcceptable(`you requested PartialObjectMetadata, but the requested object is a list (${goTypeName(store, 'List')})`);
  }
  if (shape === 'PartialObjectMetadataList') {
    return { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, items: items.map(partialObjectMetadata) };
  }
  for (const it of items) {
    delete it.apiVersion;
    delete it.kind;
  }
  return { kind: `${store.rt.kind}List`, apiVersion: store.apiVersion, metadata: listMeta, items };
}

/** Watch events carry objects shaped like the list would be; Tables send columns once. */
export function watchRenderer(store: ResourceStore, shape: ResponseShape, q: URLSearchParams, now: () => number) {
  // Checked before the stream starts: a bad value is a 400, not a broken watch.
  const include = shape === 'Table' ? includeObject(q) : 'Metadata';
  return (obj: KubeObject, first: boolean): unknown => {
    if (shape === 'Table') {
      return toTable(store.rt, [obj], { now: now(), include, resourceVersion: obj.metadata?.resourceVersion, withColumns: first });
    }
    if (shape === 'PartialObjectMetadata' || shape === 'PartialObjectMetadataList') return partialObjectMetadata(obj);
    return obj;
  };
}

export function bookmarkObject(store: ResourceStore, shape: ResponseShape) {
  return (rv: string, annotations?: Record<string, string>): unknown => {
    const metadata: Record<string, unknown> = { resourceVersion: rv };
    if (annotations) metadata.annotations = annotations;
    if (shape === 'Table') return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: null, rows: null };
    if (shape === 'PartialObjectMetadata' || shape === 'PartialObjectMetadataList') {
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
    }
    return { kind: store.rt.kind, apiVersion: store.apiVersion, metadata };
  };
}
