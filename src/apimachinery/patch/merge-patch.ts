// JSON merge patch (RFC 7386, `application/merge-patch+json`): objects merge recursively, `null`
// deletes a key, anything else (arrays included) replaces the target wholesale.

import { badRequest } from '../status.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Returns the patched value; neither argument is modified. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** Patches an API object: the patch must itself be a JSON object, or the request is a 400. */
export function mergePatchObject(target: Record<string, unknown>, patch: unknown): Record<string, unknown> {
  if (!isObject(patch)) throw badRequest('Invalid JSON Patch');
  return applyMergePatch(target, patch) as Record<string, unknown>;
}
