// Writes of custom resources: bodies are pruned by the version's schema (fieldValidation Strict
// answers 400, Warn adds warnings), then defaulted and validated by the store. Custom resources
// speak JSON and YAML only; strategic merge patch is refused with 415 as Kubernetes does, and
// apply patches go through server-side apply with the CRD's list and map types.
import type { KubeObject } from '../../apimachinery/object.js';
import { OBJECT_MODIFIED, badRequest, conflict, methodNotAllowed, unsupportedMediaType } from '../../apimachinery/status.js';
import { applyJsonPatch } from '../../apimachinery/patch/json-patch.js';
import { applyMergePatch } from '../../apimachinery/patch/merge-patch.js';
import { strictDecodingError, unknownFieldMessage } from '../../api/schema.js';
import { pruneCustomResource } from '../../api/apiextensions/index.js';
import { admitNamespacedCreate } from '../admission/namespace-lifecycle.js';
import { decodeJSON, decodeObject, decodeYAML, mediaType, readBody } from '../body.js';
import { writeObject } from '../response.js';
import { requestContext, warningHeaders, type RestRequest } from '../handlers/context.js';
import { checkTypeMeta } from '../handlers/decode.js';
import { parseWriteOptions, type FieldValidation } from '../handlers/options.js';
import { applyObject } from '../handlers/apply.js';
import { APPLY_PATCH, JSON_PATCH, MERGE_PATCH, patchRequest } from '../handlers/patch.js';
import { customResourceInfo, type CustomResourceInfo } from './custom-resource-type.js';

const PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH];
const OBJECT_TYPES = ['application/json', 'application/yaml'];

/**
 * Handles the request when it writes a custom resource (create, update, patch of the object or
 * its status); returns undefined for everything else, which the generic handlers serve.
 */
export function routeCustomResourceWrite(r: RestRequest): Promise<void> | undefined {
  const info = customResourceInfo(r.store.rt);
  if (!info) return undefined;
  const sub = r.info.subresource;
  if (sub === 'status' && r.store.rt.hasStatus && r.info.name && !r.info.rest.length) {
    if (r.req.method === 'PUT') return updateCustomResource(r, info, 'status');
    if (r.req.method === 'PATCH') return patchCustomResource(r, info, 'status');
    return undefined;
  }
  if (sub) return undefined;
  switch (r.info.verb) {
    case 'create': return r.info.name ? undefined : createCustomResource(r, info);
    case 'update': return updateCustomResource(r, info);
    case 'patch': return patchCustomResource(r, info);
    default: return undefined;
  }
}

function namespaceOf(r: RestRequest): string | undefined {
  return r.store.rt.namespaced ? r.info.namespace : undefined;
}

function objectMediaType(r: RestRequest): string {
  const type = mediaType(r.req);
  if (type !== '' && !OBJECT_TYPES.includes(type) && type !== 'application/x-yaml' && type !== 'text/yaml') {
    throw unsupportedMediaType(type, OBJECT_TYPES);
  }
  return type;
}

/** Removes what the schema does not allow; Strict refuses, Warn reports each field. */
function prune(info: CustomResourceInfo, obj: KubeObject, validation: FieldValidation): string[] {
  const unknown = pruneCustomResource(info.schema, obj as Record<string, unknown>);
  if (!unknown.length) return [];
  if (validation === 'Strict') throw strictDecodingError(unknown);
  return validation === 'Warn' ? unknown.map(unknownFieldMessage) : [];
}

async function createCustomResource(r: RestRequest, info: CustomResourceInfo): Promise<void> {
  if (info.terminating) throw methodNotAllowed('create not allowed while custom resource definition is terminating');
  const opts = parseWriteOptions(r.query);
  const obj = decodeObject(await readBody(r.req), objectMediaType(r)) as KubeObject;
  checkTypeMeta(obj, r.store.apiVersion, r.store.rt.kind);
  const warnings = prune(info, obj, opts.fieldValidation);
  const ns = namespaceOf(r);
  if (r.store.rt.namespaced && obj.metadata?.namespace && obj.metadata.namespace !== ns) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (ns) await admitNamespacedCreate(r.registry, ns, requestContext(r, false));
  const created = await r.store.create(ns, obj, requestContext(r, opts.dryRun, opts.fieldManager));
  writeObject(r.res, 201, created, warningHeaders([...r.warnings, ...warnings]));
}

async function updateCustomResource(r: RestRequest, info: CustomResourceInfo, subresource?: 'status'): Promise<void> {
  const opts = parseWriteOptions(r.query);
  const obj = decodeObject(await readBody(r.req), objectMediaType(r)) as KubeObject;
  checkTypeMeta(obj, r.store.apiVersion, r.store.rt.kind);
  const warnings = prune(info, obj, opts.fieldValidation);
  const { object } = await r.store.update(namespaceOf(r), r.info.name!, obj, requestContext(r, opts.dryRun, opts.fieldManager), subresource);
  writeObject(r.res, 200, object, warningHeaders([...r.warnings, ...warnings]));
}

/** An apply patch is a plain object: directive keys carry no meaning there. */
function withoutDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutDirectives);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = withoutDirectives(x);
    return out;
  }
  return v;
}

function decodeCustomPatch(body: Buffer, type: string): unknown {
  if (!PATCH_TYPES.includes(type)) throw unsupportedMediaType(type, PATCH_TYPES);
  const doc = type === APPLY_PATCH ? decodeYAML(body) : decodeJSON(body);
  if (type === JSON_PATCH) {
    if (!Array.isArray(doc)) throw badRequest('json patch must be a JSON array of operations');
  } else if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw badRequest('the patch must be a JSON object');
  }
  return type === APPLY_PATCH ? withoutDirectives(doc) : doc;
}

function applyCustomPatch(current: KubeObject, patch: unknown, type: string): KubeObject {
  const out = type === JSON_PATCH ? applyJsonPatch(current, patch as never) : applyMergePatch(current, patch);
  if (out === null || typeof out !== 'object' || Array.isArray(out)) throw badRequest('the patch produced something other than an object');
  return out as KubeObject;
}

async function patchCustomResource(r: RestRequest, info: CustomResourceInfo, subresource?: 'status'): Promise<void> {
  const { opts, type } = patchRequest(r);
  const patch = decodeCustomPatch(await readBody(r.req), type);
  if (type === APPLY_PATCH) {
    return applyObject(r, patch, opts, subresource, (config) => prune(info, config, opts.fieldValidation));
  }
  const rt = r.store.rt;
  const ns = namespaceOf(r);
  const name = r.info.name!;
  const ctx = requestContext(r, opts.dryRun, opts.fieldManager);
  let warnings: string[] = [];
  const { object } = await r.store.guaranteedUpdate(ns, name, ctx, (current) => {
    const rv = current.metadata?.resourceVersion;
    const patched = applyCustomPatch(current, patch, type);
    checkTypeMeta(patched, r.store.apiVersion, rt.kind);
    warnings = prune(info, patched, opts.fieldValidation);
    const wantRV = patched.metadata?.resourceVersion;
    if (wantRV !== undefined && wantRV !== rv) throw conflict(rt.group, rt.plural, name, OBJECT_MODIFIED);
    return patched;
  }, { subresource });
  writeObject(r.res, 200, object, warningHeaders([...r.warnings, ...warnings]));
}
