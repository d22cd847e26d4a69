import type { FieldError } from '../../apimachinery/status.js';
import type { JSONSchemaProps } from './schema-types.js';

export function validateObject(_schema: JSONSchemaProps, _obj: Record<string, unknown>): FieldError[] {
  return [];
}
