// apiextensions.k8s.io/v1 JSONSchemaProps as plain JSON, with typed readers for the fields the
// engine looks at.
export type JSONSchemaProps = Record<string, unknown>;

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `properties` as a map of child schemas (empty when absent). */
export function propertiesOf(s: JSONSchemaProps): Record<string, JSONSchemaProps> {
  const p = s.properties;
  return isObject(p) ? (p as Record<string, JSONSchemaProps>) : {};
}

/** `items` as one schema (the only form structural schemas allow). */
export function itemsOf(s: JSONSchemaProps): JSONSchemaProps | undefined {
  return isObject(s.items) ? s.items : undefined;
}

/** `additionalProperties` as a schema, `true`/`false`, or undefined. */
export function additionalPropertiesOf(s: JSONSchemaProps): JSONSchemaProps | boolean | undefined {
  const a = s.additionalProperties;
  if (typeof a === 'boolean') return a;
  return isObject(a) ? a : undefined;
}

export function schemaList(v: unknown): JSONSchemaProps[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

export const PRESERVE_UNKNOWN = 'x-kubernetes-preserve-unknown-fields';
export const INT_OR_STRING = 'x-kubernetes-int-or-string';
export const EMBEDDED_RESOURCE = 'x-kubernetes-embedded-resource';
export const LIST_TYPE = 'x-kubernetes-list-type';
export const LIST_MAP_KEYS = 'x-kubernetes-list-map-keys';
export const MAP_TYPE = 'x-kubernetes-map-type';
