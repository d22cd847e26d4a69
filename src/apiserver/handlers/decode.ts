// Turning a write request's body into an object of the addressed kind, with field validation.
import type { KubeObject } from '../../apimachinery/object.js';
import { badRequest } from '../../apimachinery/status.js';
import { checkStructure, pruneUnknownFields, strictDecodingError, unknownFieldMessage } from '../../api/schema.js';
import type { ResourceType } from '../../api/types.js';
import { decodeObject } from '../body.js';
import type { FieldValidation } from './options.js';

/** Checks apiVersion/kind against the URL and fills them in when absent. */
export function checkTypeMeta(obj: KubeObject, apiVersion: string, kind: string): void {
  if (obj.apiVersion !== undefined && obj.apiVersion !== '' && obj.apiVersion !== apiVersion) {
    throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersion})`);
  }
  if (obj.kind !== undefined && obj.kind !== '' && obj.kind !== kind) {
    throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${kind})`);
  }
  obj.apiVersion = apiVersion;
  obj.kind = kind;
}

/**
 * Drops fields the schema does not know, answering as `fieldValidation` asks (Strict: 400,
 * Warn: warnings, Ignore: silence), then rejects values of the wrong type with 400.
 */
export function sanitize(rt: ResourceType, obj: KubeObject, validation: FieldValidation): string[] {
  const unknown = rt.pruneUnknownFields ? rt.pruneUnknownFields(obj) : pruneUnknownFields(obj, rt.schema);
  const warnings: string[] = [];
  if (unknown.length) {
    if (validation === 'Strict') throw strictDecodingError(unknown);
    if (validation === 'Warn') for (const f of unknown) warnings.push(unknownFieldMessage(f));
  }
  if (rt.pruneUnknownFields) return warnings;
  const typeErrors = checkStructure(obj, rt.schema, { required: false });
  if (typeErrors.length) {
    throw badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: ${typeErrors.map((e) => `${e.field}: ${e.message}`).join(', ')}`);
  }
  return warnings;
}

export function decodeBodyObject(rt: ResourceType, apiVersion: string, body: Buffer, mediaType: string, validation: FieldValidation): { obj: KubeObject; warnings: string[] } {
  const obj = decodeObject(body, mediaType, !rt.pruneUnknownFields) as KubeObject;
  checkTypeMeta(obj, apiVersion, rt.kind);
  const warnings = sanitize(rt, obj, validation);
  return { obj, warnings };
}
