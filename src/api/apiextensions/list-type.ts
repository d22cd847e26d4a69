// x-kubernetes-list-type set and map: elements (sets) or key tuples (maps) must be unique. Like
// Kubernetes, each repeated value is reported once, at its second appearance.
import type { FieldError } from '../../apimachinery/status.js';
import { additionalPropertiesOf, isObject, itemsOf, LIST_MAP_KEYS, LIST_TYPE, propertiesOf, type JSONSchemaProps } from './schema-types.js';
import { canonicalJSON } from './json-values.js';
import { crDuplicate, crInvalid } from './cr-field-errors.js';

const UNSPECIFIED = Symbol('unspecified key');

function setKey(v: unknown): string {
  return v === UNSPECIFIED ? '\u0000unspecified' : canonicalJSON(v);
}

/** Indices of the second appearance of every repeated value. */
function secondAppearances(values: unknown[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  values.forEach((v, i) => {
    const k = setKey(v);
    const times = seen.get(k) ?? 0;
    if (times === 1) out.push(i);
    seen.set(k, times + 1);
  });
  return out;
}

function validateListMap(path: string, s: JSONSchemaProps, list: unknown[]): FieldError[] {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x !== null && !isObject(x)) return [crInvalid(`${path}[${i}]`, x, 'must be an object for an array of list-type map')];
  }
  if (list.length <= 1) return [];
  const keyFields = Array.isArray(s[LIST_MAP_KEYS]) ? (s[LIST_MAP_KEYS] as unknown[]).filter((k): k is string => typeof k === 'string') : [];
  if (keyFields.length === 1) {
    const field = keyFields[0]!;
    const keys = list.map((x) => (isObject(x) && Object.hasOwn(x, field) ? x[field] : UNSPECIFIED));
    return secondAppearances(keys).map((i) => crDuplicate(`${path}[${i}]`, keys[i] === UNSPECIFIED ? {} : { [field]: keys[i] }));
  }
  const keys = list.map((x) => {
    const key: Record<string, unknown> = {};
    if (isObject(x)) for (const f of keyFields) if (Object.hasOwn(x, f)) key[f] = x[f];
    return key;
  });
  return secondAppearances(keys).map((i) => crDuplicate(`${path}[${i}]`, keys[i]));
}

function walk(path: string, s: JSONSchemaProps | undefined, x: unknown, errs: FieldError[]): void {
  if (!s) return;
  if (Array.isArray(x)) {
    if (s[LIST_TYPE] === 'set') for (const i of secondAppearances(x)) errs.push(crDuplicate(`${path}[${i}]`, x[i]));
    if (s[LIST_TYPE] === 'map') errs.push(...validateListMap(path, s, x));
    const items = itemsOf(s);
    x.forEach((v, i) => walk(`${path}[${i}]`, items, v, errs));
    return;
  }
  if (!isObject(x)) return;
  const additional = additionalPropertiesOf(s);
  const props = propertiesOf(s);
  for (const [k, v] of Object.entries(x)) {
    if (isObject(additional)) walk(`${path}[${k}]`, additional, v, errs);
    if (props[k]) walk(path ? `${path}.${k}` : k, props[k], v, errs);
  }
}

export function validateListTypes(schema: JSONSchemaProps, obj: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  walk('', schema, obj, errs);
  return errs;
}
