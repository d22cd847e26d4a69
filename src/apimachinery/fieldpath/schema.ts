// What the field-set and merge functions need to know about a type. Built-in kinds get theirs
// from src/api/field-schema.ts; custom resources build the same from their CRD schemas.

export type ListType = 'atomic' | 'set' | 'map';

/**
 * The shape of one value:
 * - `struct`: an object with declared fields (`field(name)` answers them, undefined for others);
 * - `map`: an object whose keys are data (labels, ConfigMap data); `field(name)` is the value type;
 * - `list`: an array; `listType` says how it merges, `listKeys` names a `map` list's key fields,
 *   `keyDefaults` gives key values an item may omit (a port's protocol), `element()` the item type;
 * - `scalar`: anything replaced as a whole;
 * - `untyped`: unknown JSON: objects act as granular maps of untyped values, arrays are atomic.
 * `atomic` on a struct or map means it is owned and replaced as one value.
 */
export interface TypeSchema {
  readonly kind: 'struct' | 'map' | 'list' | 'scalar' | 'untyped';
  readonly atomic?: boolean;
  readonly listType?: ListType;
  readonly listKeys?: readonly string[];
  readonly keyDefaults?: Readonly<Record<string, unknown>>;
  field(name: string): TypeSchema | undefined;
  element(): TypeSchema;
}

export const untypedSchema: TypeSchema = {
  kind: 'untyped',
  field: () => untypedSchema,
  element: () => untypedSchema,
};

export const scalarSchema: TypeSchema = {
  kind: 'scalar',
  field: () => undefined,
  element: () => untypedSchema,
};

export type Shape = 'object' | 'list' | 'leaf';

/** How a value of this schema is walked: granular object, granular list, or one leaf. */
export function shapeOf(schema: TypeSchema, value: unknown): Shape {
  const isObj = value !== null && typeof value === 'object' && !Array.isArray(value);
  if (schema.atomic || schema.kind === 'scalar') return 'leaf';
  if (schema.kind === 'list') return Array.isArray(value) && schema.listType !== 'atomic' && schema.listType !== undefined ? 'list' : 'leaf';
  if (schema.kind === 'untyped') return isObj ? 'object' : 'leaf';
  return isObj ? 'object' : 'leaf';
}

/** The schema of an object's child, and whether the child is a declared field (not map data). */
export function childSchema(schema: TypeSchema, name: string): { schema: TypeSchema; declared: boolean } {
  const s = schema.field(name);
  if (schema.kind === 'struct') return s ? { schema: s, declared: true } : { schema: untypedSchema, declared: false };
  return { schema: s ?? untypedSchema, declared: false };
}

/** The path element of a list item: `k:` for map lists, `v:` for sets, `i:` otherwise. */
export function itemElementParts(schema: TypeSchema, item: unknown, index: number):
  { kind: 'key'; key: Record<string, unknown> } | { kind: 'value'; value: unknown } | { kind: 'index'; index: number } {
  if (schema.listType === 'map' && schema.listKeys?.length && item && typeof item === 'object' && !Array.isArray(item)) {
    const key: Record<string, unknown> = {};
    for (const k of schema.listKeys) {
      const v = (item as Record<string, unknown>)[k] ?? schema.keyDefaults?.[k];
      if (v !== undefined) key[k] = v;
    }
    return { kind: 'key', key };
  }
  if (schema.listType === 'set') return { kind: 'value', value: item };
  return { kind: 'index', index };
}
