import type { JSONSchemaProps } from './schema-types.js';

export function pruneObject(_schema: JSONSchemaProps, _obj: Record<string, unknown>): string[] {
  return [];
}
