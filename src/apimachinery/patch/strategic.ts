// Strategic merge patch (`application/strategic-merge-patch+json`), applied the way Kubernetes
// applies it: maps merge recursively and `null` deletes, lists are replaced unless their field
// declares the `merge` strategy, and the directives `$patch`, `$retainKeys`, `$setElementOrder/…`
// and `$deleteFromPrimitiveList/…` steer the merge without ever appearing in the result.

import { badRequest } from '../status.js';
import type { PatchSchema } from './schema.js';
import { unknownPatchSchema } from './schema.js';
import {
  DELETE_FROM_PRIMITIVE_LIST, DIRECTIVE, RETAIN_KEYS, SET_ELEMENT_ORDER,
  applySetElementOrder, deleteFromPrimitiveList, freshValue, goFmt, isMap, mergeList, type JsonMap,
} from './strategic-list.js';

export type { JsonMap } from './strategic-list.js';

/**
 * Returns `original` with `patch` applied; neither input is modified. A malformed patch throws a
 * BadRequest StatusError with Kubernetes' wording.
 */
export function applyStrategicMergePatch(original: JsonMap | undefined | null, patch: unknown,
  schema: PatchSchema = unknownPatchSchema): JsonMap {
  if (!isMap(patch)) {
    const t = Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch;
    throw badRequest(`json: cannot unmarshal ${t} into Go value of type map[string]interface {}`);
  }
  return mergeMap(structuredClone(original ?? {}), structuredClone(patch), schema);
}

/** Merges `patch` into `original` in place (both are private copies by now) and returns the result. */
function mergeMap(original: JsonMap, patch: JsonMap, schema: PatchSchema): JsonMap {
  if (DIRECTIVE in patch) {
    const directive = patch[DIRECTIVE];
    if (directive === 'delete') return {};
    if (directive === 'replace') {
      delete patch[DIRECTIVE];
      // Processed against an empty map so that nested directives and nulls vanish too.
      return mergeMap({}, patch, schema);
    }
    throw badRequest(`unknown patch type: ${goFmt(directive)} in map: ${goFmt(patch)}`);
  }

  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, schema, mergeMap);

  const deletions: [string, unknown][] = [];
  for (const [key, pv] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      deletions.push([key, pv]);
      continue;
    }
    if (pv === null) {
      delete original[key];
      continue;
    }
    const meta = schema.field(key);
    const ov = original[key];
    const sameShape = (isMap(ov) && isMap(pv)) || (Array.isArray(ov) && Array.isArray(pv));
    if (!(key in original) || !sameShape || !meta) {
      // New keys, changes of shape and fields the schema does not know are taken whole.
      original[key] = freshValue(pv, meta, mergeMap);
    } else if (isMap(pv)) {
      original[key] = meta.strategies.includes('replace')
        ? freshValue(pv, meta, mergeMap)
        : mergeMap(ov as JsonMap, pv, meta.schema ?? unknownPatchSchema);
    } else if (Array.isArray(pv)) {
      original[key] = meta.strategies.includes('merge')
        ? mergeList(ov as unknown[], pv, meta, mergeMap)
        : freshValue(pv, meta, mergeMap);
    } else {
      original[key] = pv;
    }
  }
  // Deletions run last so that they win over additions of the same value in the same patch.
  for (const [key, values] of deletions) deleteFromPrimitiveList(original, key, values);
  return original;
}

/** `$retainKeys: [a, b]` clears every other key of the live map; the patch may only set listed keys. */
function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!(RETAIN_KEYS in patch)) return;
  const keep = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(keep)) throw badRequest('invalid patch format of retainKeys');
  const allowed = new Set(keep);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!allowed.has(k)) throw badRequest('invalid patch format of retainKeys');
  }
  for (const k of Object.keys(original)) if (!allowed.has(k)) delete original[k];
}
