// Structural defaulting: a property's `default` fills it in when absent (or null where the schema
// is not nullable), and the filled-in value is defaulted further, as Kubernetes does.
import { additionalPropertiesOf, isObject, itemsOf, propertiesOf, type JSONSchemaProps } from './schema-types.js';
import { cloneJSON } from './json-values.js';

function isNonNullableNull(v: unknown, s: JSONSchemaProps): boolean {
  return v === null && s.nullable !== true;
}

function defaultValue(x: unknown, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (Array.isArray(x)) {
    const items = itemsOf(s);
    if (!items) return;
    for (let i = 0; i < x.length; i++) {
      if (items.default !== undefined && isNonNullableNull(x[i], items)) x[i] = cloneJSON(items.default);
      defaultValue(x[i], items);
    }
    return;
  }
  if (!isObject(x)) return;
  const props = propertiesOf(s);
  for (const [k, prop] of Object.entries(props)) {
    if (prop.default === undefined) continue;
    if (!Object.hasOwn(x, k) || isNonNullableNull(x[k], prop)) x[k] = cloneJSON(prop.default);
  }
  const additional = additionalPropertiesOf(s);
  for (const k of Object.keys(x)) {
    if (props[k]) defaultValue(x[k], props[k]);
    else if (isObject(additional)) {
      if (additional.default !== undefined && isNonNullableNull(x[k], additional)) x[k] = cloneJSON(additional.default);
      defaultValue(x[k], additional);
    }
  }
}

/** Applies the schema's defaults to `obj` in place. */
export function applyDefaults(schema: JSONSchemaProps, obj: Record<string, unknown>): void {
  defaultValue(obj, schema);
}
