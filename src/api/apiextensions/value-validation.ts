// Value validation of custom resources against their structural schema, in kube-openapi's order
// and wording: type, composition (allOf/anyOf/oneOf/not), string, format, number, array, enum,
// object. Embedded-resource and list-type checks run as separate passes, as in Kubernetes.
import type { FieldError } from '../../apimachinery/status.js';
import {
  additionalPropertiesOf, INT_OR_STRING, isObject, itemsOf, propertiesOf, schemaList, type JSONSchemaProps,
} from './schema-types.js';
import { childPath, deepEqualJSON, jsonType } from './json-values.js';
import {
  crComposite, crInvalid, crNotSupported, crRequired, crTooLong, crTooMany, crTypeInvalid,
} from './cr-field-errors.js';
import { compileGoPattern } from './go-regexp.js';
import { isCheckedFormat, matchesFormat } from './string-formats.js';
import { goBound } from './go-repr.js';
import { validateEmbeddedResources } from './embedded-resource.js';
import { validateListTypes } from './list-type.js';

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

export function expectedTypes(s: JSONSchemaProps): string[] {
  if (s[INT_OR_STRING] === true) return ['integer', 'string'];
  return typeof s.type === 'string' && s.type ? [s.type] : [];
}

function validateType(s: JSONSchemaProps, v: unknown, path: string, errs: FieldError[]): void {
  const types = expectedTypes(s);
  if (!types.length) return;
  const actual = jsonType(v);
  if (actual === 'null') {
    if (s.nullable !== true) errs.push(crTypeInvalid(path, types, 'null'));
    return;
  }
  if (types.includes(actual) || (actual === 'integer' && types.includes('number'))) return;
  errs.push(crTypeInvalid(path, types, actual));
}

function validateComposition(s: JSONSchemaProps, v: unknown, path: string, errs: FieldError[]): void {
  const anyOf = schemaList(s.anyOf);
  if (anyOf.length) {
    let best: FieldError[] | undefined;
    for (const sub of anyOf) {
      const r = validateValue(sub, v, path);
      if (!r.length) { best = undefined; break; }
      best ??= r;
    }
    if (best) errs.push(crComposite(`${JSON.stringify(path)} must validate at least one schema (anyOf)`), ...best);
  }
  const oneOf = schemaList(s.oneOf);
  if (oneOf.length) {
    let valid = 0;
    let best: FieldError[] | undefined;
    for (const sub of oneOf) {
      const r = validateValue(sub, v, path);
      if (!r.length) valid++;
      else if (valid === 0) best ??= r;
    }
    if (valid !== 1) {
      const why = valid === 0 ? 'Found none valid' : `Found ${valid} valid alternatives`;
      errs.push(crComposite(`${JSON.stringify(path)} must validate one and only one schema (oneOf). ${why}`));
      if (valid === 0 && best) errs.push(...best);
    }
  }
  const allOf = schemaList(s.allOf);
  if (allOf.length) {
    let valid = 0;
    for (const sub of allOf) {
      const r = validateValue(sub, v, path);
      if (!r.length) valid++;
      errs.push(...r);
    }
    if (valid !== allOf.length) {
      errs.push(crComposite(`${JSON.stringify(path)} must validate all the schemas (allOf)${valid === 0 ? '. None validated' : ''}`));
    }
  }
  if (isObject(s.not) && validateValue(s.not, v, path).length === 0) {
    errs.push(crComposite(`${JSON.stringify(path)} must not validate the schema (not)`));
  }
}

function validateString(s: JSONSchemaProps, v: string, path: string, errs: FieldError[]): void {
  const length = [...v].length;
  const maxLength = num(s.maxLength);
  if (maxLength !== undefined && length > maxLength) errs.push(crTooLong(path, maxLength));
  const minLength = num(s.minLength);
  if (minLength !== undefined && length < minLength) {
    errs.push(crInvalid(path, v, `${path} in body should be at least ${minLength} chars long`));
  }
  if (typeof s.pattern === 'string') {
    const p = compileGoPattern(s.pattern);
    if ('error' in p) errs.push(crInvalid(path, v, `${path} in body should match '${s.pattern}, but pattern is invalid: ${p.error}'`));
    else if (!p.re.test(v)) errs.push(crInvalid(path, v, `${path} in body should match '${s.pattern}'`));
  }
  const format = s.format;
  const types = expectedTypes(s);
  if (typeof format === 'string' && format && (types.length === 0 || (types.length === 1 && types[0] === 'string'))) {
    if (isCheckedFormat(format) && !matchesFormat(format, v)) {
      errs.push(crTypeFormat(path, format, v));
    }
  }
}

/** A format failure is reported by kube-openapi as a type error carrying the value itself. */
function crTypeFormat(path: string, format: string, value: string): FieldError {
  return { ...crInvalid(path, value, `${path} in body must be of type ${format}: ${JSON.stringify(value)}`), type: 'FieldValueTypeInvalid' };
}

function isMultiple(v: number, factor: number): boolean {
  const mult = factor < 1 ? (1 / factor) * v : v / factor;
  return Math.abs(mult - Math.round(mult)) < 1e-9 * Math.max(1, Math.abs(mult));
}

function validateNumber(s: JSONSchemaProps, v: number, path: string, errs: FieldError[]): void {
  const isInt = Number.isInteger(v);
  const max = num(s.maximum);
  if (max !== undefined) {
    if (s.exclusiveMaximum === true ? v >= max : v > max) {
      const rel = s.exclusiveMaximum === true ? 'less than' : 'less than or equal to';
      errs.push(crInvalid(path, v, `${path} in body should be ${rel} ${goBound(max, isInt)}`));
    }
  }
  const min = num(s.minimum);
  if (min !== undefined) {
    if (s.exclusiveMinimum === true ? v <= min : v < min) {
      const rel = s.exclusiveMinimum === true ? 'greater than' : 'greater than or equal to';
      errs.push(crInvalid(path, v, `${path} in body should be ${rel} ${goBound(min, isInt)}`));
    }
  }
  const factor = num(s.multipleOf);
  if (factor !== undefined && factor > 0 && !isMultiple(v, factor)) {
    errs.push(crInvalid(path, v, `${path} in body should be a multiple of ${goBound(factor, isInt)}`));
  }
}

function validateArray(s: JSONSchemaProps, v: unknown[], path: string, errs: FieldError[]): void {
  const items = itemsOf(s);
  if (items) v.forEach((x, i) => errs.push(...validateValue(items, x, `${path}[${i}]`)));
  const minItems = num(s.minItems);
  if (minItems !== undefined && v.length < minItems) {
    errs.push(crInvalid(path, v.length, `${path} in body should have at least ${minItems} items`));
  }
  const maxItems = num(s.maxItems);
  if (maxItems !== undefined && v.length > maxItems) errs.push(crTooMany(path, v.length, maxItems));
  if (s.uniqueItems === true && v.some((x, i) => v.slice(0, i).some((y) => deepEqualJSON(x, y)))) {
    errs.push(crInvalid(path, '', `${path} in body shouldn't contain duplicates`));
  }
}

function validateObjectValue(s: JSONSchemaProps, v: Record<string, unknown>, path: string, errs: FieldError[]): void {
  const count = Object.keys(v).length;
  const maxProps = num(s.maxProperties);
  if (maxProps !== undefined && count > maxProps) errs.push(crTooMany(path, count, maxProps));
  const minProps = num(s.minProperties);
  if (minProps !== undefined && count < minProps) {
    errs.push(crInvalid(path, count, `${path} in body should have at least ${minProps} properties`));
  }
  if (Array.isArray(s.required)) {
    for (const key of s.required) {
      if (typeof key === 'string' && !Object.hasOwn(v, key)) errs.push(crRequired(childPath(path, key)));
    }
  }
  const props = propertiesOf(s);
  const additional = additionalPropertiesOf(s);
  for (const [key, value] of Object.entries(v)) {
    const sub = props[key];
    if (sub) errs.push(...validateValue(sub, value, childPath(path, key)));
    else if (isObject(additional)) errs.push(...validateValue(additional, value, childPath(path, key)));
    else if (additional === false) errs.push(crInvalid(path, key, `${childPath(path, key)} in body is a forbidden property`));
  }
}

/** The errors of one value against one schema node (and everything below it). */
export function validateValue(s: JSONSchemaProps, v: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  validateType(s, v, path, errs);
  if (v === null || v === undefined) return errs;
  validateComposition(s, v, path, errs);
  if (typeof v === 'string') validateString(s, v, path, errs);
  if (typeof v === 'number') validateNumber(s, v, path, errs);
  if (Array.isArray(v)) validateArray(s, v, path, errs);
  if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqualJSON(e, v))) errs.push(crNotSupported(path, v, s.enum));
  if (isObject(v)) validateObjectValue(s, v, path, errs);
  return errs;
}

/** All of Kubernetes' schema checks of a custom resource: values, embedded resources, list types. */
export function validateObject(schema: JSONSchemaProps, obj: Record<string, unknown>): FieldError[] {
  return [
    ...validateValue(schema, obj, ''),
    ...validateEmbeddedResources(schema, obj),
    ...validateListTypes(schema, obj),
  ];
}
