// What a strategic merge patch needs to know about the object it patches, field by field.
// The api module implements this over the resource schemas; apimachinery stays schema-agnostic.

export type PatchStrategy = 'merge' | 'replace' | 'retainKeys';

export interface PatchFieldMeta {
  /** `x-kubernetes-patch-strategy`, split on commas (e.g. `['merge', 'retainKeys']`). */
  strategies: PatchStrategy[];
  /** `x-kubernetes-patch-merge-key` for lists of objects merged by key. */
  mergeKey?: string;
  /** Schema of the field's value (for maps/objects) or of its list items (for lists). */
  schema?: PatchSchema;
}

export interface PatchSchema {
  /** Metadata of a field of this object; undefined for unknown fields (treated as atomic). */
  field(name: string): PatchFieldMeta | undefined;
}

/** A schema that knows nothing: every list is atomic, every map is merged recursively. */
export const unknownPatchSchema: PatchSchema = {
  field: () => ({ strategies: [], schema: unknownPatchSchema }),
};
