// A small schema for the field-set and apply tests: spec.items is a map list keyed by name,
// spec.tags a set, spec.args atomic, metadata.labels a granular map.
import { scalarSchema, untypedSchema, type TypeSchema } from './schema.js';

function struct(fields: Record<string, TypeSchema>): TypeSchema {
  return { kind: 'struct', field: (n) => fields[n], element: () => untypedSchema };
}
const item = struct({ name: scalarSchema, image: scalarSchema, port: scalarSchema });
export const testSchema: TypeSchema = struct({
  apiVersion: scalarSchema,
  kind: scalarSchema,
  metadata: struct({ name: scalarSchema, labels: { kind: 'map', field: () => scalarSchema, element: () => untypedSchema } }),
  spec: struct({
    replicas: scalarSchema,
    items: { kind: 'list', listType: 'map', listKeys: ['name'], field: () => undefined, element: () => item },
    tags: { kind: 'list', listType: 'set', field: () => undefined, element: () => scalarSchema },
    args: { kind: 'list', listType: 'atomic', field: () => undefined, element: () => scalarSchema },
    empty: struct({}),
  }),
});
