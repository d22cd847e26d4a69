// Per-version parts of a CRD: schema, subresources and printer columns. Kubernetes validates its
// internal form, where a part that is identical in every version is moved to the top level
// (spec.validation, spec.subresources, spec.additionalPrinterColumns): error paths follow that.
import type { FieldError } from '../../apimachinery/status.js';
import { isDNS1035Label } from '../../apimachinery/validation.js';
import { child, crInvalid, fieldRequired, key } from './cr-field-errors.js';
import { isObject } from './schema-types.js';
import { deepEqualJSON } from './json-values.js';
import { validateCRDSchema } from './crd-schema-validation.js';

type Obj = Record<string, unknown>;

export const PRINTER_COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
export const PRINTER_COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];

export function versionsOf(spec: Obj): Obj[] {
  return Array.isArray(spec.versions) ? spec.versions.filter(isObject) : [];
}

/** Whether every version sets the same non-empty value (then Kubernetes moves it to the top level). */
export function identicalInAllVersions(versions: Obj[], field: string): boolean {
  if (!versions.length) return false;
  const first = versions[0]![field];
  return versions.every((v) => {
    const x = v[field];
    const empty = x === undefined || x === null || (Array.isArray(x) && x.length === 0);
    return !empty && deepEqualJSON(x, first);
  });
}

function validateSimpleJSONPath(s: string, path: string): FieldError[] {
  if (!s) return [crInvalid(path, s, 'must not be empty')];
  if (s[0] !== '.') return [crInvalid(path, s, 'must be a simple json path starting with .')];
  return [];
}

export function validateSubresources(sub: unknown, path: string): FieldError[] {
  if (!isObject(sub) || !isObject(sub.scale)) return [];
  const scale = sub.scale;
  const errs: FieldError[] = [];
  const checks: [string, string[], string][] = [
    ['specReplicasPath', ['.spec.'], 'should be a json path under .spec'],
    ['statusReplicasPath', ['.status.'], 'should be a json path under .status'],
  ];
  for (const [f, prefixes, why] of checks) {
    const p = `${path}.scale.${f}`;
    const v = typeof scale[f] === 'string' ? (scale[f] as string) : '';
    if (!v) { errs.push(fieldRequired(p)); continue; }
    const simple = validateSimpleJSONPath(v, p);
    if (simple.length) errs.push(...simple);
    else if (!prefixes.some((x) => v.startsWith(x))) errs.push(crInvalid(p, v, why));
  }
  const selector = typeof scale.labelSelectorPath === 'string' ? scale.labelSelectorPath : '';
  if (selector) {
    const p = `${path}.scale.labelSelectorPath`;
    const simple = validateSimpleJSONPath(selector, p);
    if (simple.length) errs.push(...simple);
    else if (!selector.startsWith('.spec.') && !selector.startsWith('.status.')) errs.push(crInvalid(p, selector, 'should be a json path under either .spec or .status'));
  }
  return errs;
}

export function validatePrinterColumn(col: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = typeof col.name === 'string' ? col.name : '';
  const type = typeof col.type === 'string' ? col.type : '';
  const format = typeof col.format === 'string' ? col.format : '';
  const jsonPath = typeof col.jsonPath === 'string' ? col.jsonPath : '';
  if (!name) errs.push(fieldRequired(child(path, 'name')));
  if (!type) errs.push(fieldRequired(child(path, 'type'), `must be one of ${PRINTER_COLUMN_TYPES.join(',')}`));
  else if (!PRINTER_COLUMN_TYPES.includes(type)) errs.push(crInvalid(child(path, 'type'), type, `must be one of ${PRINTER_COLUMN_TYPES.join(',')}`));
  if (format && !PRINTER_COLUMN_FORMATS.includes(format)) errs.push(crInvalid(child(path, 'format'), format, `must be one of ${PRINTER_COLUMN_FORMATS.join(',')}`));
  if (!jsonPath) errs.push(fieldRequired(child(path, 'JSONPath')));
  else errs.push(...validateSimpleJSONPath(jsonPath, child(path, 'JSONPath')));
  return errs;
}

function validateDeprecationWarning(v: Obj, path: string): FieldError[] {
  const w = v.deprecationWarning;
  if (w === undefined || w === null) return [];
  const p = child(path, 'deprecationWarning');
  if (v.deprecated !== true) return [crInvalid(p, w, 'can only be set for deprecated versions')];
  const text = String(w);
  const errs: FieldError[] = [];
  if (Buffer.byteLength(text) > 256) errs.push(crInvalid(p, w, 'must be <= 256 characters long'));
  if (!text) errs.push(crInvalid(p, w, 'must not be an empty string'));
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f-\u009f]/.exec(text);
  if (control) errs.push(crInvalid(p, w, `must only contain printable UTF-8 characters; non-printable character found at index ${Buffer.byteLength(text.slice(0, control.index))}`));
  return errs;
}

function hasStatus(sub: unknown): boolean {
  return isObject(sub) && isObject(sub.status);
}

/** Every per-version check, with each part validated once where it is identical in all versions. */
export function validateVersions(spec: Obj, path: string): FieldError[] {
  const versions = versionsOf(spec);
  const errs: FieldError[] = [];
  const sharedSchema = identicalInAllVersions(versions, 'schema');
  const sharedSubresources = identicalInAllVersions(versions, 'subresources');
  const sharedColumns = identicalInAllVersions(versions, 'additionalPrinterColumns');
  const anyStatus = versions.some((v) => hasStatus(v.subresources));
  versions.forEach((v, i) => {
    const vPath = key(child(path, 'versions'), i);
    const name = typeof v.name === 'string' ? v.name : '';
    const problems = isDNS1035Label(name);
    if (problems.length) errs.push(crInvalid(child(vPath, 'name'), name, problems.join(',')));
    const schema = isObject(v.schema) ? v.schema : undefined;
    if (!schema || !isObject(schema.openAPIV3Schema)) errs.push(fieldRequired(`${vPath}.schema.openAPIV3Schema`));
    errs.push(...validateDeprecationWarning(v, vPath));
    if (!sharedSchema) errs.push(...validateCRDSchema(v.schema, hasStatus(v.subresources), child(vPath, 'schema')));
    if (!sharedSubresources) errs.push(...validateSubresources(v.subresources, child(vPath, 'subresources')));
    if (!sharedColumns && Array.isArray(v.additionalPrinterColumns)) {
      v.additionalPrinterColumns.forEach((c, j) => errs.push(...validatePrinterColumn(isObject(c) ? c : {}, key(child(vPath, 'additionalPrinterColumns'), j))));
    }
  });
  if (sharedSchema) errs.push(...validateCRDSchema(versions[0]!.schema, anyStatus, child(path, 'validation')));
  if (sharedSubresources) errs.push(...validateSubresources(versions[0]!.subresources, child(path, 'subresources')));
  if (sharedColumns) {
    (versions[0]!.additionalPrinterColumns as unknown[]).forEach((c, j) => {
      errs.push(...validatePrinterColumn(isObject(c) ? c : {}, key(child(path, 'additionalPrinterColumns'), j)));
    });
  }
  return errs;
}
