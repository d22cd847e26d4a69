// PATCH: JSON patch, merge patch, strategic merge patch and apply patches (handed to apply.ts) on objects.
import type { KubeObject } from '../../apimachinery/object.js';
import {
  OBJECT_MODIFIED, badRequest, conflict, invalid, unsupportedMediaType,
} from '../../apimachinery/status.js';
import { applyJsonPatch } from '../../apimachinery/patch/json-patch.js';
import { applyMergePatch } from '../../apimachinery/patch/merge-patch.js';
import { applyStrategicMergePatch } from '../../apimachinery/patch/strategic.js';
import { patchSchemaFor } from '../../api/schema.js';
import { readBody, decodeJSON, decodeYAML, mediaType } from '../body.js';
import { writeObject } from '../response.js';
import { requestContext, warningHeaders, type RestRequest } from './context.js';
import { checkTypeMeta, sanitize } from './decode.js';
import { parseWriteOptions, type WriteOptions } from './options.js';
import { applyObject } from './apply.js';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';
const patchTypes = [JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH];
/** Custom resources have no patch strategies to merge by, so no strategic merge patch (as Kubernetes). */
const schemalessPatchTypes = patchTypes.filter((t) => t !== STRATEGIC_PATCH);

/** Decodes a patch body of the given type into the document the patch functions take. */
export function decodePatch(body: Buffer, type: string, strategic = true): unknown {
  const accepted = strategic ? patchTypes : schemalessPatchTypes;
  if (!accepted.includes(type)) throw unsupportedMediaType(type, accepted);
  const doc = type === APPLY_PATCH ? decodeYAML(body) : decodeJSON(body);
  if (type === JSON_PATCH) {
    if (!Array.isArray(doc)) throw badRequest('json patch must be a JSON array of operations');
  } else if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw badRequest('the patch must be a JSON object');
  }
  return doc;
}

/** Applies a decoded patch to a copy of `current`, using `definition`'s schema for strategic merges. */
export function applyPatch(current: KubeObject, patch: unknown, type: string, definition: string): KubeObject {
  let out: unknown;
  switch (type) {
    case JSON_PATCH: out = applyJsonPatch(current, patch as never); break;
    case MERGE_PATCH: out = applyMergePatch(current, patch); break;
    case STRATEGIC_PATCH: out = applyStrategicMergePatch(current, patch as Record<string, unknown>, patchSchemaFor(definition)); break;
    default: out = applyStrategicMergePatch(current, stripDirectives(patch) as Record<string, unknown>, patchSchemaFor(definition)); break;
  }
  if (out === null || typeof out !== 'object' || Array.isArray(out)) throw badRequest('the patch produced something other than an object');
  return out as KubeObject;
}

/** An apply patch is a plain object: directive keys carry no meaning there. */
function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
    return out;
  }
  return v;
}

/** A PATCH request's options and media type, with PatchOptions' rules: `force` only on apply, which needs a `fieldManager`. */
export function patchRequest(r: RestRequest): { opts: WriteOptions; type: string } {
  const opts = parseWriteOptions(r.query);
  const type = mediaType(r.req);
  if (opts.force !== undefined && type !== APPLY_PATCH) {
    throw invalid('meta.k8s.io', 'PatchOptions', '', [{ type: 'FieldValueForbidden', field: 'force', message: 'Forbidden: may not be specified for non-apply patch' }]);
  }
  if (type === APPLY_PATCH && !opts.fieldManager) {
    throw invalid('meta.k8s.io', 'PatchOptions', '', [{ type: 'FieldValueRequired', field: 'fieldManager', message: 'Required value: is required for apply patch' }]);
  }
  return { opts, type };
}

export async function patchObject(r: RestRequest, subresource?: 'status'): Promise<void> {
  const { opts, type } = patchRequest(r);
  const rt = r.store.rt;
  const patch = decodePatch(await readBody(r.req), type, !rt.pruneUnknownFields);
  if (type === APPLY_PATCH) return applyObject(r, stripDirectives(patch), opts, subresource);
  const ns = rt.namespaced ? r.info.namespace : undefined;
  const name = r.info.name!;
  const ctx = requestContext(r, opts.dryRun, opts.fieldManager);
  const { object } = await r.store.guaranteedUpdate(ns, name, ctx, (current) => {
    const rv = current.metadata?.resourceVersion;
    const patched = applyPatch(current, patch, type, rt.schema);
    checkTypeMeta(patched, r.store.apiVersion, rt.kind);
    r.warnings.splice(0, r.warnings.length, ...sanitize(rt, patched, opts.fieldValidation));
    const wantRV = patched.metadata?.resourceVersion;
    if (wantRV !== undefined && wantRV !== rv) throw conflict(rt.group, rt.plural, name, OBJECT_MODIFIED);
    return patched;
  }, { subresource });
  writeObject(r.res, 200, object, warningHeaders(r.warnings));
}
