import type { JSONSchemaProps } from './schema-types.js';

export function applyDefaults(_schema: JSONSchemaProps, _obj: Record<string, unknown>): void {}
