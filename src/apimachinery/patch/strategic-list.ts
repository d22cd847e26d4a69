// Lists in a strategic merge patch: merging by key or as a set, the `$patch` list directives, and
// Kubernetes' ordering rules ($setElementOrder first, then patch order, then the live order).
// New items without an ordering directive land before the server-only items, as in Kubernetes.

import { badRequest } from '../status.js';
import type { PatchFieldMeta, PatchSchema } from './schema.js';
import { unknownPatchSchema } from './schema.js';

export type JsonMap = Record<string, unknown>;
export const DIRECTIVE = '$patch';
export const RETAIN_KEYS = '$retainKeys';
export const SET_ELEMENT_ORDER = '$setElementOrder/';
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

/** How list elements that are maps get merged; supplied by the map merger to avoid a cycle. */
export type MergeMapFn = (original: JsonMap, patch: JsonMap, schema: PatchSchema) => JsonMap;

export const isMap = (v: unknown): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's %v rendering, which Kubernetes' patch error messages embed. */
export function goFmt(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFmt).join(' ')}]`;
  if (isMap(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goFmt(v[k])}`).join(' ')}]`;
  return String(v);
}

export function noMergeKey(m: JsonMap, key: string): Error {
  return badRequest(`map: ${goFmt(m)} does not contain declared merge key: ${key}`);
}

function badArgType(actual: unknown): Error {
  const t = actual === null ? '<nil>' : Array.isArray(actual) ? '[]interface {}' : isMap(actual) ? 'map[string]interface {}'
    : typeof actual === 'number' ? 'float64' : typeof actual;
  return badRequest(`expected a []interface {}, but received a ${t}`);
}

type Kind = 'map' | 'scalar';

function elementKind(...lists: unknown[][]): Kind {
  let prev: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const t = Array.isArray(v) ? 'list' : isMap(v) ? 'map' : v === null ? 'null' : typeof v;
      if (t === 'list') throw badRequest('lists of lists are not supported');
      if (prev !== undefined && prev !== t) throw badRequest(`list element types are not identical: ${goFmt(lists)}`);
      prev = t;
    }
  }
  return prev === 'map' ? 'map' : 'scalar';
}

const keyOf = (item: unknown, mergeKey: string, kind: Kind) => (kind === 'map' && isMap(item) ? item[mergeKey] : item);

function indexIn(list: unknown[], item: unknown, mergeKey: string, kind: Kind): number {
  const k = keyOf(item, mergeKey, kind);
  return list.findIndex((x) => keyOf(x, mergeKey, kind) === k);
}

function sortByOrder(items: unknown[], order: unknown[], mergeKey: string, kind: Kind): unknown[] {
  return [...items].sort((a, b) => {
    const ia = indexIn(order, a, mergeKey, kind);
    const ib = indexIn(order, b, mergeKey, kind);
    return ia >= 0 && ib >= 0 ? ia - ib : 0;
  });
}

/**
 * Sorts patch items by `patchOrder` and server-only items by `serverOrder`, then interleaves them:
 * a server-only item goes first only when both it and the next patch item have a live position
 * and its position is earlier.
 */
function normalizeOrder(patchItems: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[],
  mergeKey: string, kind: Kind): unknown[] {
  if (kind === 'map') {
    for (const list of [patchItems, serverOnly, patchOrder]) {
      for (const item of list) if (!isMap(item) || !(mergeKey in item)) throw noMergeKey(isMap(item) ? item : {}, mergeKey);
    }
  }
  const right = sortByOrder(patchItems, patchOrder, mergeKey, kind);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      out.push(li >= 0 && ri >= 0 && li < ri ? left[i++] : right[j++]);
    }
  }
  return out;
}

function partition(merged: unknown[], by: unknown[], mergeKey: string, kind: Kind): [unknown[], unknown[]] {
  const inBy: unknown[] = [];
  const rest: unknown[] = [];
  for (const v of merged) {
    if (kind === 'map' && (!isMap(v) || !(mergeKey in v))) throw noMergeKey(isMap(v) ? v : {}, mergeKey);
    (indexIn(by, v, mergeKey, kind) >= 0 ? inBy : rest).push(v);
  }
  return [inBy, rest];
}

/** A patch value with nothing under it yet: processed against emptiness so no directive survives. */
export function freshValue(v: unknown, meta: PatchFieldMeta | undefined, mergeMap: MergeMapFn): unknown {
  const schema = meta?.schema ?? unknownPatchSchema;
  if (isMap(v)) return mergeMap({}, v, schema);
  if (!Array.isArray(v)) return v;
  if (meta?.strategies.includes('merge') && v.length > 0 && elementKind(v) === 'map') return mergeList([], v, meta, mergeMap);
  return v.map((e) => (isMap(e) ? mergeMap({}, e, schema) : e));
}

/** Merges a list whose field has the `merge` strategy. */
export function mergeList(original: unknown[], patch: unknown[], meta: PatchFieldMeta, mergeMap: MergeMapFn): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  const mergeKey = meta.mergeKey ?? '';
  const schema = meta.schema ?? unknownPatchSchema;
  if (kind === 'scalar') {
    const merged = [...new Set([...original, ...patch])];
    const [patchItems, serverOnly] = partition(merged, patch, mergeKey, kind);
    return normalizeOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
  }
  if (!mergeKey) throw badRequest('cannot merge lists without merge key for type map');

  let live = original as JsonMap[];
  let plain: JsonMap[] = [];
  let replace = false;
  for (const v of patch as JsonMap[]) {
    if (!(DIRECTIVE in v)) {
      plain.push(v);
      continue;
    }
    const d = v[DIRECTIVE];
    if (d === 'delete') {
      if (!(mergeKey in v)) throw noMergeKey(v, mergeKey);
      live = live.filter((o) => o[mergeKey] !== v[mergeKey]);
    } else if (d === 'replace') {
      replace = true;
    } else if (d === 'merge') {
      throw badRequest('merging lists cannot yet be specified in the patch');
    } else {
      throw badRequest(`unknown patch type: ${goFmt(d)} in map: ${goFmt(v)}`);
    }
  }
  if (replace) {
    live = plain.map((e) => mergeMap({}, e, schema));
    plain = [];
  }

  const merged = [...live];
  for (const v of plain) {
    if (!(mergeKey in v)) throw noMergeKey(v, mergeKey);
    const at = merged.findIndex((o) => o[mergeKey] === v[mergeKey]);
    if (at >= 0) merged[at] = mergeMap(merged[at]!, v, schema);
    else merged.push(mergeMap({}, v, schema));
  }
  const [patchItems, serverOnly] = partition(merged, plain, mergeKey, kind);
  return normalizeOrder(patchItems, serverOnly, plain, live, mergeKey, kind);
}

/** Removes `$deleteFromPrimitiveList/<field>` values from the live list. */
export function deleteFromPrimitiveList(original: JsonMap, key: string, values: unknown): void {
  const field = key.slice(DELETE_FROM_PRIMITIVE_LIST.length);
  if (!field || !Array.isArray(values)) throw badRequest('invalid patch format of primitive list');
  const live = original[field];
  if (Array.isArray(live)) original[field] = live.filter((v) => !values.includes(v));
}

function checkOrderMatchesPatch(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? patchList.filter((v) => !(isMap(v) && v[DIRECTIVE] === 'delete')) : patchList;
  let pi = 0;
  let oi = 0;
  while (pi < nonDelete.length && oi < order.length) {
    const p = nonDelete[pi];
    if (isMap(p) && DIRECTIVE in p) {
      pi++;
      continue;
    }
    let equal: boolean;
    if (!mergeKey) equal = p === order[oi];
    else {
      const o = order[oi];
      if (!isMap(p) || !(mergeKey in p)) throw noMergeKey(isMap(p) ? p : {}, mergeKey);
      if (!isMap(o) || !(mergeKey in o)) throw noMergeKey(isMap(o) ? o : {}, mergeKey);
      equal = p[mergeKey] === o[mergeKey];
    }
    if (equal) pi++;
    oi++;
  }
  if (pi < nonDelete.length) {
    throw badRequest(`The order in patch list:\n${goFmt(patchList)}\n doesn't match ${SET_ELEMENT_ORDER.slice(0, -1)} list:\n${goFmt(order)}\n`);
  }
}

/**
 * Handles every `$setElementOrder/<field>` in `patch`: merges the field's patch list (if any) into
 * the live list, applies the requested order, and removes both from `patch`.
 */
export function applySetElementOrder(original: JsonMap, patch: JsonMap, schema: PatchSchema, mergeMap: MergeMapFn): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    const field = key.slice(SET_ELEMENT_ORDER.length);
    delete patch[key];
    if (!Array.isArray(order) || !field) throw badRequest('invalid patch format of setElementOrder list');
    const hasLive = field in original;
    const hasPatch = field in patch;
    const live = original[field];
    const patchList = patch[field];
    if (hasLive && !Array.isArray(live)) throw badArgType(live);
    if (hasPatch && !Array.isArray(patchList)) throw badArgType(patchList);
    const meta = schema.field(field);
    const mergeKey = meta?.mergeKey ?? '';
    checkOrderMatchesPatch((patchList as unknown[] | undefined) ?? [], order, mergeKey);
    if (!hasLive && !hasPatch) continue;

    const liveList = (live as unknown[] | undefined) ?? [];
    let merged: unknown[];
    if (!hasPatch) merged = liveList;
    else if (meta?.strategies.includes('merge')) merged = mergeList(liveList, patchList as unknown[], meta, mergeMap);
    else merged = freshValue(patchList, meta, mergeMap) as unknown[];
    const kind = elementKind(liveList, (patchList as unknown[] | undefined) ?? []);
    const [patchItems, serverOnly] = partition(merged, order, mergeKey, kind);
    original[field] = normalizeOrder(patchItems, serverOnly, order, liveList, mergeKey, kind);
    delete patch[field];
  }
}
