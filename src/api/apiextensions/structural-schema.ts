// Structural schema rules (what Kubernetes' ValidateStructural checks): every node says its type,
// value validations (allOf/anyOf/oneOf/not) only restrict what the structural part specifies,
// metadata at the root may only restrict name and generateName.
import type { FieldError } from '../../apimachinery/status.js';
import {
  additionalPropertiesOf, EMBEDDED_RESOURCE, INT_OR_STRING, isObject, itemsOf, LIST_MAP_KEYS, LIST_TYPE, MAP_TYPE,
  PRESERVE_UNKNOWN, propertiesOf, schemaList, type JSONSchemaProps,
} from './schema-types.js';
import { child, crInvalid, fieldForbidden, fieldRequired, key } from './cr-field-errors.js';
import { compileGoPattern } from './go-regexp.js';
import { deepEqualJSON } from './json-values.js';

type Level = 'root' | 'item' | 'field';

const INT_OR_STRING_ANY_OF = [{ type: 'integer' }, { type: 'string' }];

function typeOf(s: JSONSchemaProps): string {
  return typeof s.type === 'string' ? s.type : '';
}

function isIntOrStringAnyOf(s: JSONSchemaProps): boolean {
  return Array.isArray(s.anyOf) && deepEqualJSON(s.anyOf, INT_OR_STRING_ANY_OF);
}

function isIntOrStringAllOf(s: JSONSchemaProps): boolean {
  const allOf = schemaList(s.allOf);
  return allOf.length >= 1 && Array.isArray(allOf[0]!.anyOf) && deepEqualJSON(allOf[0]!.anyOf, INT_OR_STRING_ANY_OF);
}

/** Root metadata may specify nothing but (optionally) name and generateName. */
function metadataInvariants(m: JSONSchemaProps, checkMetadata: boolean, level: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (checkMetadata && typeOf(m) !== 'object') errs.push(crInvalid(child(path, 'type'), typeOf(m), 'must be object'));
  if (level === 'root') {
    const rest: JSONSchemaProps = { ...m };
    const props = propertiesOf(m);
    const names = Object.keys(props);
    if (names.length > 0 && names.every((n) => n === 'name' || n === 'generateName')) delete rest.properties;
    delete rest.type;
    delete rest.default;
    if (Object.keys(rest).length > 0) {
      errs.push(fieldForbidden(path, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
    }
  }
  return errs;
}

function nestedValueValidation(v: JSONSchemaProps | undefined, skipAnyOf: boolean, skipAllOfAnyOf: boolean, path: string): FieldError[] {
  if (!v) return [];
  const errs = valueValidation(v, skipAnyOf, skipAllOfAnyOf, path);
  const items = itemsOf(v);
  if (items) errs.push(...nestedValueValidation(items, false, false, child(path, 'items')));
  for (const [k, p] of Object.entries(propertiesOf(v))) errs.push(...nestedValueValidation(p, false, false, key(child(path, 'properties'), k)));
  if (typeOf(v)) errs.push(fieldForbidden(child(path, 'type'), 'must be empty to be structural'));
  if (v.additionalProperties !== undefined) errs.push(fieldForbidden(child(path, 'additionalProperties'), 'must be undefined to be structural'));
  if (v.default !== undefined) errs.push(fieldForbidden(child(path, 'default'), 'must be undefined to be structural'));
  if (v.title) errs.push(fieldForbidden(child(path, 'title'), 'must be empty to be structural'));
  if (v.description) errs.push(fieldForbidden(child(path, 'description'), 'must be empty to be structural'));
  if (v.nullable === true) errs.push(fieldForbidden(child(path, 'nullable'), 'must be false to be structural'));
  if (v[PRESERVE_UNKNOWN] === true) errs.push(fieldForbidden(child(path, PRESERVE_UNKNOWN), 'must be false to be structural'));
  if (v[EMBEDDED_RESOURCE] === true) errs.push(fieldForbidden(child(path, EMBEDDED_RESOURCE), 'must be false to be structural'));
  if (v[INT_OR_STRING] === true) errs.push(fieldForbidden(child(path, INT_OR_STRING), 'must be false to be structural'));
  if (Array.isArray(v[LIST_MAP_KEYS]) && (v[LIST_MAP_KEYS] as unknown[]).length) errs.push(fieldForbidden(child(path, LIST_MAP_KEYS), 'must be empty to be structural'));
  if (v[LIST_TYPE] !== undefined) errs.push(fieldForbidden(child(path, LIST_TYPE), 'must be undefined to be structural'));
  if (v[MAP_TYPE] !== undefined) errs.push(fieldForbidden(child(path, MAP_TYPE), 'must be undefined to be structural'));
  if (Array.isArray(v['x-kubernetes-validations']) && (v['x-kubernetes-validations'] as unknown[]).length) {
    errs.push(fieldForbidden(child(path, 'x-kubernetes-validations'), 'must be empty to be structural'));
  }
  if (propertiesOf(v).metadata) errs.push(fieldForbidden(key(child(path, 'properties'), 'metadata'), 'must not be specified in a nested context'));
  return errs;
}

function valueValidation(s: JSONSchemaProps, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!skipAnyOf) schemaList(s.anyOf).forEach((v, i) => errs.push(...nestedValueValidation(v, false, false, key(child(path, 'anyOf'), i))));
  schemaList(s.allOf).forEach((v, i) => errs.push(...nestedValueValidation(v, skipFirstAllOfAnyOf && i === 0, false, key(child(path, 'allOf'), i))));
  schemaList(s.oneOf).forEach((v, i) => errs.push(...nestedValueValidation(v, false, false, key(child(path, 'oneOf'), i))));
  if (isObject(s.not)) errs.push(...nestedValueValidation(s.not, false, false, child(path, 'not')));
  if (typeof s.pattern === 'string' && s.pattern) {
    const c = compileGoPattern(s.pattern);
    if ('error' in c) errs.push(crInvalid(child(path, 'pattern'), s.pattern, `must be a valid regular expression, but isn't: ${c.error}`));
  }
  return errs;
}

function invariants(s: JSONSchemaProps | undefined, level: Level, path: string): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [];
  const type = typeOf(s);
  const items = itemsOf(s);
  if (type === 'array' && !items) errs.push(fieldRequired(child(path, 'items'), 'must be specified'));
  errs.push(...invariants(items, 'item', child(path, 'items')));
  const props = propertiesOf(s);
  for (const [k, p] of Object.entries(props)) errs.push(...invariants(p, 'field', key(child(path, 'properties'), k)));
  const additional = additionalPropertiesOf(s);
  if (s.additionalProperties !== undefined) {
    if (level === 'root') errs.push(fieldForbidden(child(path, 'additionalProperties'), 'must not be used at the root'));
    if (isObject(additional)) errs.push(...invariants(additional, 'field', child(path, 'additionalProperties')));
  }
  const intOrString = s[INT_OR_STRING] === true;
  const preserve = s[PRESERVE_UNKNOWN] === true;
  const embedded = s[EMBEDDED_RESOURCE] === true;
  if (intOrString && preserve) errs.push(crInvalid(child(path, PRESERVE_UNKNOWN), true, 'must be false if x-kubernetes-int-or-string is true'));
  if (intOrString && embedded) errs.push(crInvalid(child(path, EMBEDDED_RESOURCE), true, 'must be false if x-kubernetes-int-or-string is true'));
  errs.push(...valueValidation(s, isIntOrStringAnyOf(s), isIntOrStringAllOf(s), path));
  const checkMetadata = level === 'root' || embedded;
  if (embedded && type !== 'object') {
    if (!type) errs.push(fieldRequired(child(path, 'type'), 'must be object if x-kubernetes-embedded-resource is true'));
    else errs.push(crInvalid(child(path, 'type'), type, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (!type && !intOrString && !preserve) {
    const why = { root: 'must not be empty at the root', item: 'must not be empty for specified array items', field: 'must not be empty for specified object fields' }[level];
    errs.push(fieldRequired(child(path, 'type'), why));
  }
  if (embedded && s.additionalProperties !== undefined) {
    errs.push(fieldForbidden(child(path, 'additionalProperties'), 'must not be used if x-kubernetes-embedded-resource is set'));
  }
  if (level === 'root' && type && type !== 'object') errs.push(crInvalid(child(path, 'type'), type, 'must be object at the root'));
  for (const meta of ['kind', 'apiVersion']) {
    const p = props[meta];
    if (p && checkMetadata && typeOf(p) !== 'string') errs.push(crInvalid(child(key(child(path, 'properties'), meta), 'type'), typeOf(p), 'must be string'));
  }
  if (props.metadata) errs.push(...metadataInvariants(props.metadata, checkMetadata, level, key(child(path, 'properties'), 'metadata')));
  if (embedded && !preserve && Object.keys(props).length === 0) {
    errs.push(fieldRequired(child(path, 'properties'), 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  return errs;
}

/** Fields and items named in value validations must also be specified by the structural part. */
function completeness(v: JSONSchemaProps, s: JSONSchemaProps | undefined, sPath: string, vPath: string): FieldError[] {
  if (!s) return [fieldRequired(sPath, `because it is defined in ${vPath}`)];
  const errs: FieldError[] = [];
  for (const [junctor, list] of [['allOf', v.allOf], ['anyOf', v.anyOf], ['oneOf', v.oneOf]] as const) {
    schemaList(list).forEach((n, i) => errs.push(...nestedCompleteness(n, s, sPath, key(child(vPath, junctor), i))));
  }
  if (isObject(v.not)) errs.push(...nestedCompleteness(v.not, s, sPath, child(vPath, 'not')));
  return errs;
}

function nestedCompleteness(v: JSONSchemaProps, s: JSONSchemaProps, sPath: string, vPath: string): FieldError[] {
  const errs = completeness(v, s, sPath, vPath);
  const vItems = itemsOf(v);
  if (vItems) errs.push(...completenessOrMissing(vItems, itemsOf(s), child(sPath, 'items'), child(vPath, 'items')));
  const sProps = propertiesOf(s);
  for (const [k, vp] of Object.entries(propertiesOf(v))) {
    errs.push(...completenessOrMissing(vp, sProps[k], key(child(sPath, 'properties'), k), key(child(vPath, 'properties'), k)));
  }
  return errs;
}

function completenessOrMissing(v: JSONSchemaProps, s: JSONSchemaProps | undefined, sPath: string, vPath: string): FieldError[] {
  if (!s) return [fieldRequired(sPath, `because it is defined in ${vPath}`)];
  return nestedCompleteness(v, s, sPath, vPath);
}

function walkCompleteness(s: JSONSchemaProps, path: string): FieldError[] {
  const errs = completeness(s, s, path, path);
  const items = itemsOf(s);
  if (items) errs.push(...walkCompleteness(items, child(path, 'items')));
  for (const [k, p] of Object.entries(propertiesOf(s))) errs.push(...walkCompleteness(p, key(child(path, 'properties'), k)));
  const additional = additionalPropertiesOf(s);
  if (isObject(additional)) errs.push(...walkCompleteness(additional, child(path, 'additionalProperties')));
  return errs;
}

function errorText(e: FieldError): string {
  return `${e.field}: ${e.message}`;
}

/** Kubernetes' structural-schema errors for a CRD version's openAPIV3Schema at `path`, sorted as it sorts them. */
export function validateStructural(schema: JSONSchemaProps, path: string): FieldError[] {
  const errs = [...invariants(schema, 'root', path), ...walkCompleteness(schema, path)];
  return errs.sort((a, b) => (errorText(a) < errorText(b) ? -1 : errorText(a) > errorText(b) ? 1 : 0));
}
