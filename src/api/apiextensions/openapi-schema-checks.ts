// The OpenAPI-level checks Kubernetes makes on every node of a CRD schema (beyond structurality):
// unsupported JSON-Schema keywords, property types, list and map types, list-map keys, defaults
// where they are not allowed.
import type { FieldError } from '../../apimachinery/status.js';
import {
  additionalPropertiesOf, EMBEDDED_RESOURCE, isObject, LIST_MAP_KEYS, LIST_TYPE, MAP_TYPE, PRESERVE_UNKNOWN,
  propertiesOf, schemaList, type JSONSchemaProps,
} from './schema-types.js';
import { child, crInvalid, crNotSupported, fieldForbidden, fieldRequired, key } from './cr-field-errors.js';
import { goValue } from './go-repr.js';

const OPENAPI_V3_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const META_FIELDS = new Set(['metadata', 'kind', 'apiVersion']);

interface NodeContext {
  allowDefaults: boolean;
  disallowDefaultsReason: string;
  insideResourceMeta: boolean;
}

function typeOf(s: JSONSchemaProps): string {
  return typeof s.type === 'string' ? s.type : '';
}

/** A Go string slice as `%#v` prints it. */
function goStrings(list: unknown[]): string {
  return `[]string{${list.map((s) => JSON.stringify(s)).join(', ')}}`;
}

/** Keyword-level checks of one node (specStandardValidatorV3 in Kubernetes). */
function keywordChecks(s: JSONSchemaProps, ctx: NodeContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = typeOf(s);
  if (type && !OPENAPI_V3_TYPES.includes(type)) errs.push(crNotSupported(child(path, 'type'), type, OPENAPI_V3_TYPES));
  if (s.default !== undefined && !ctx.allowDefaults) {
    errs.push(fieldForbidden(child(path, 'default'), `must not be set${ctx.disallowDefaultsReason ? ` ${ctx.disallowDefaultsReason}` : ''}`));
  }
  if (s.id) errs.push(fieldForbidden(child(path, 'id'), 'id is not supported'));
  if (s.additionalItems !== undefined) errs.push(fieldForbidden(child(path, 'additionalItems'), 'additionalItems is not supported'));
  if (isObject(s.patternProperties) && Object.keys(s.patternProperties).length) errs.push(fieldForbidden(child(path, 'patternProperties'), 'patternProperties is not supported'));
  if (isObject(s.definitions) && Object.keys(s.definitions).length) errs.push(fieldForbidden(child(path, 'definitions'), 'definitions is not supported'));
  if (s.dependencies !== undefined) errs.push(fieldForbidden(child(path, 'dependencies'), 'dependencies is not supported'));
  if (s.$ref !== undefined) errs.push(fieldForbidden(child(path, '$ref'), '$ref is not supported'));
  if (type === 'null') errs.push(fieldForbidden(child(path, 'type'), 'type cannot be set to null, use nullable as an alternative'));
  if (Array.isArray(s.items) && s.items.length) errs.push(fieldForbidden(child(path, 'items'), 'items must be a schema object and not an array'));
  if (ctx.insideResourceMeta && s[EMBEDDED_RESOURCE] === true) {
    errs.push(fieldForbidden(child(path, EMBEDDED_RESOURCE), 'must not be used inside of resource meta'));
  }
  return errs;
}

function listAndMapTypeChecks(s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = typeOf(s);
  const listType = s[LIST_TYPE];
  const mapType = s[MAP_TYPE];
  const items = isObject(s.items) ? s.items : undefined;
  if (mapType !== undefined && type !== 'object') {
    if (!type) errs.push(fieldRequired(child(path, 'type'), 'must be object if x-kubernetes-map-type is specified'));
    else errs.push(crInvalid(child(path, 'type'), type, 'must be object if x-kubernetes-map-type is specified'));
  }
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') errs.push(crNotSupported(child(path, MAP_TYPE), mapType, ['atomic', 'granular']));
  if (listType !== undefined && type !== 'array') {
    if (!type) errs.push(fieldRequired(child(path, 'type'), 'must be array if x-kubernetes-list-type is specified'));
    else errs.push(crInvalid(child(path, 'type'), type, 'must be array if x-kubernetes-list-type is specified'));
  } else if (listType === 'set' && items) {
    const itemType = typeOf(items);
    if (itemType === 'array' && items[LIST_TYPE] !== undefined && items[LIST_TYPE] !== 'atomic') {
      errs.push(crInvalid(child(child(path, 'items'), LIST_TYPE), items[LIST_TYPE], 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    }
    if (itemType === 'object' && items[MAP_TYPE] !== 'atomic') {
      errs.push(crInvalid(child(child(path, 'items'), MAP_TYPE), items[LIST_TYPE] ?? null, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    }
  }
  if (listType !== undefined && listType !== 'atomic' && listType !== 'set' && listType !== 'map') {
    errs.push(crNotSupported(child(path, LIST_TYPE), listType, ['atomic', 'set', 'map']));
  }
  const mapKeys = Array.isArray(s[LIST_MAP_KEYS]) ? (s[LIST_MAP_KEYS] as unknown[]) : [];
  if (mapKeys.length) {
    if (listType === undefined) errs.push(fieldRequired(child(path, LIST_TYPE), 'must be map if x-kubernetes-list-map-keys is non-empty'));
    else if (listType !== 'map') errs.push(crInvalid(child(path, LIST_TYPE), listType, 'must be map if x-kubernetes-list-map-keys is non-empty'));
  }
  if (listType === 'map') {
    if (!mapKeys.length) errs.push(fieldRequired(child(path, LIST_MAP_KEYS), 'must not be empty if x-kubernetes-list-type is map'));
    if (s.items === undefined) errs.push(fieldRequired(child(path, 'items'), 'must have a schema if x-kubernetes-list-type is map'));
    if (items && typeOf(items) !== 'object') {
      errs.push(crInvalid(child(child(path, 'items'), 'type'), typeOf(items), "must be object if parent array's x-kubernetes-list-type is map"));
    }
    if (items && typeOf(items) === 'object') {
      const seen = new Set<string>();
      const itemProps = propertiesOf(items);
      const keysText = { toString: () => goStrings(mapKeys) };
      for (const k of mapKeys.map(String)) {
        const p = itemProps[k];
        if (p) {
          if (typeOf(p) === 'array' || typeOf(p) === 'object') {
            errs.push(crInvalid(child(key(child(child(path, 'items'), 'properties'), k), 'type'), typeOf(items), "must be a scalar type if parent array's x-kubernetes-list-type is map"));
          }
        } else {
          errs.push(goInvalid(child(path, LIST_MAP_KEYS), String(keysText), 'entries must all be names of item properties'));
        }
        if (seen.has(k)) errs.push(goInvalid(child(path, LIST_MAP_KEYS), String(keysText), 'must not contain duplicate entries'));
        seen.add(k);
      }
    }
  }
  errs.push(...mapListKeyChecks(s, path));
  return errs;
}

function goInvalid(path: string, goText: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field: path, message: `Invalid value: ${goText}: ${detail}` };
}

/** List-map keys are required or defaulted and never nullable; set and map items are not nullable. */
function mapListKeyChecks(s: JSONSchemaProps, path: string): FieldError[] {
  const items = isObject(s.items) ? s.items : undefined;
  const listType = s[LIST_TYPE];
  if (!items || (listType !== 'set' && listType !== 'map')) return [];
  const errs: FieldError[] = [];
  if (items.nullable === true) errs.push(fieldForbidden(child(child(path, 'items'), 'nullable'), `cannot be nullable when x-kubernetes-list-type is ${String(listType)}`));
  if (listType === 'map') {
    const required = new Set(Array.isArray(items.required) ? items.required : []);
    const props = propertiesOf(items);
    for (const k of (Array.isArray(s[LIST_MAP_KEYS]) ? (s[LIST_MAP_KEYS] as unknown[]) : []).map(String)) {
      const p = props[k];
      if (!p) continue;
      const keyPath = key(child(child(path, 'items'), 'properties'), k);
      if (!required.has(k) && p.default === undefined) {
        errs.push(fieldRequired(child(keyPath, 'default'), 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
      }
      if (p.nullable === true) errs.push(fieldForbidden(child(keyPath, 'nullable'), 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
    }
  }
  return errs;
}

function walk(s: JSONSchemaProps | undefined, path: string, ctx: NodeContext, isRoot: boolean): FieldError[] {
  if (!s) return [];
  const errs = keywordChecks(s, ctx, path);
  if (s.uniqueItems === true) errs.push(fieldForbidden(child(path, 'uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  const props = propertiesOf(s);
  const additional = additionalPropertiesOf(s);
  if (s.additionalProperties !== undefined) {
    if (Object.keys(props).length && (additional === false || isObject(additional))) {
      errs.push(fieldForbidden(child(path, 'additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
    }
    const sub = ctx.insideResourceMeta
      ? { ...ctx, allowDefaults: false, disallowDefaultsReason: 'inside additionalProperties applying to object metadata' }
      : ctx;
    if (isObject(additional)) errs.push(...walk(additional, child(path, 'additionalProperties'), sub, false));
  }
  for (const [k, p] of Object.entries(props)) {
    let sub = ctx;
    if ((isRoot || s[EMBEDDED_RESOURCE] === true) && META_FIELDS.has(k)) {
      sub = { ...sub, insideResourceMeta: true };
      if (isRoot) sub = { ...sub, allowDefaults: false, disallowDefaultsReason: `in top-level ${k}` };
    }
    errs.push(...walk(p, key(child(path, 'properties'), k), sub, false));
  }
  if (isObject(s.not)) errs.push(...walk(s.not, child(path, 'not'), ctx, false));
  for (const junctor of ['allOf', 'oneOf', 'anyOf'] as const) {
    schemaList(s[junctor]).forEach((n, i) => errs.push(...walk(n, key(child(path, junctor), i), ctx, false)));
  }
  if (isObject(s.items)) errs.push(...walk(s.items, child(path, 'items'), ctx, false));
  if (s[PRESERVE_UNKNOWN] === false) errs.push(crInvalid(child(path, PRESERVE_UNKNOWN), false, 'must be true or undefined'));
  errs.push(...listAndMapTypeChecks(s, path));
  return errs;
}

/** Field names of JSONSchemaProps allowed at the root when the status subresource is enabled. */
const ROOT_FIELDS_WITH_STATUS: Record<string, string> = {
  description: 'Description', type: 'Type', format: 'Format', title: 'Title', maximum: 'Maximum',
  exclusiveMaximum: 'ExclusiveMaximum', minimum: 'Minimum', exclusiveMinimum: 'ExclusiveMinimum', maxLength: 'MaxLength',
  minLength: 'MinLength', pattern: 'Pattern', maxItems: 'MaxItems', minItems: 'MinItems', uniqueItems: 'UniqueItems',
  multipleOf: 'MultipleOf', required: 'Required', items: 'Items', properties: 'Properties', externalDocs: 'ExternalDocs',
  example: 'Example', [PRESERVE_UNKNOWN]: 'XPreserveUnknownFields', 'x-kubernetes-validations': 'XValidations',
};

function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isObject(v) && Object.keys(v).length === 0;
}

/** Root-level rules: status-subresource root restrictions and a non-nullable root. */
function rootChecks(schema: JSONSchemaProps, statusEnabled: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (statusEnabled) {
    for (const [k, v] of Object.entries(schema)) {
      if (isZero(v)) continue;
      if (k === 'type') {
        if (v !== 'object') {
          errs.push(crInvalid(`${path}.type`, v, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled'));
          break;
        }
        continue;
      }
      if (!ROOT_FIELDS_WITH_STATUS[k]) {
        errs.push({
          type: 'FieldValueInvalid', field: path,
          message: `Invalid value: ${goValue(schema)}: only [${Object.values(ROOT_FIELDS_WITH_STATUS).join(' ')}] fields are allowed at the root of the schema if the status subresource is enabled`,
        });
        break;
      }
    }
  }
  if (schema.nullable === true) errs.push(fieldForbidden(`${path}.nullable`, 'nullable cannot be true at the root'));
  return errs;
}

/** All OpenAPI-level checks of one version's openAPIV3Schema at `path` (`…openAPIV3Schema`). */
export function validateOpenAPISchema(schema: JSONSchemaProps, path: string, statusEnabled: boolean): { root: FieldError[]; nodes: FieldError[] } {
  return {
    root: rootChecks(schema, statusEnabled, path),
    nodes: walk(schema, path, { allowDefaults: true, disallowDefaultsReason: '', insideResourceMeta: false }, true),
  };
}
