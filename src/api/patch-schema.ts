// Strategic-merge-patch metadata read from the schemas' x-kubernetes-patch-* extensions, the same
// extensions kubectl reads from our /openapi/v3 documents, so client and server agree.
import {
  unknownPatchSchema, type PatchFieldMeta, type PatchSchema, type PatchStrategy,
} from '../apimachinery/patch/schema.js';
import { deref, schemaOf, type Schema } from './schema-definitions.js';

const bySchema = new WeakMap<Schema, PatchSchema>();

/** The patch schema of a definition (e.g. `io.k8s.api.apps.v1.Deployment`) or of a schema. */
export function patchSchemaFor(definition: string | Schema): PatchSchema {
  return patchSchemaOf(schemaOf(definition));
}

function patchSchemaOf(schema: Schema): PatchSchema {
  const s = deref(schema);
  let ps = bySchema.get(s);
  if (ps) return ps;
  ps = build(s);
  bySchema.set(s, ps);
  return ps;
}

function build(s: Schema): PatchSchema {
  const props = s.properties;
  const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  // Without declared fields there is nothing to know: merge maps, replace lists.
  if (!props && !extra) return unknownPatchSchema;
  const openEnded = s['x-kubernetes-preserve-unknown-fields'] === true || s.additionalProperties === true;
  const fields = new Map<string, PatchFieldMeta | undefined>();
  return {
    field(name: string): PatchFieldMeta | undefined {
      if (fields.has(name)) return fields.get(name);
      const prop = props && Object.hasOwn(props, name) ? props[name] : extra;
      const meta = prop ? fieldMeta(prop) : openEnded ? unknownPatchSchema.field(name) : undefined;
      fields.set(name, meta);
      return meta;
    },
  };
}

function fieldMeta(prop: Schema): PatchFieldMeta {
  const strategies = (prop['x-kubernetes-patch-strategy'] ?? '')
    .split(',').map((x) => x.trim()).filter(Boolean) as PatchStrategy[];
  const meta: PatchFieldMeta = { strategies };
  const key = prop['x-kubernetes-patch-merge-key'];
  if (key) meta.mergeKey = key;
  const value = deref(prop);
  const inner = value.type === 'array' ? value.items && deref(value.items) : value;
  if (inner && (inner.type === 'object' || inner.properties || inner.additionalProperties || inner['x-kubernetes-preserve-unknown-fields'])) {
    meta.schema = patchSchemaOf(inner);
  }
  return meta;
}
