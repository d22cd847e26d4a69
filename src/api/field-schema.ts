// The TypeSchema view (src/apimachinery/fieldpath) of our OpenAPI definitions, for server-side
// apply: list types and keys from x-kubernetes-list-type / -list-map-keys (or the strategic merge
// key), map types from x-kubernetes-map-type. Custom resources pass their CRD schema here too.
import { scalarSchema, untypedSchema, type TypeSchema } from '../apimachinery/fieldpath/index.js';
import { deref, schemaOf, type Schema } from './schema-definitions.js';

/**
 * Structs Kubernetes marks atomic (`+structType=atomic`) whose definitions here do not say so;
 * the generated definitions carry no x-kubernetes-map-type yet.
 */
const atomicStructs = new Set([
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
  'io.k8s.api.core.v1.LocalObjectReference',
  'io.k8s.api.core.v1.ObjectReference',
  'io.k8s.api.core.v1.NodeSelector',
  'io.k8s.api.core.v1.NodeSelectorTerm',
  'io.k8s.api.core.v1.TopologySelectorTerm',
  'io.k8s.api.core.v1.ConfigMapKeySelector',
  'io.k8s.api.core.v1.SecretKeySelector',
  'io.k8s.api.core.v1.ObjectFieldSelector',
  'io.k8s.api.core.v1.ResourceFieldSelector',
  'io.k8s.api.core.v1.ConfigMapEnvSource',
  'io.k8s.api.core.v1.SecretEnvSource',
]);

/** Key fields a keyed item may omit because Kubernetes defaults them (a port's protocol). */
const keyDefaults: Record<string, unknown> = { protocol: 'TCP' };

const cache = new WeakMap<Schema, TypeSchema>();

/** The TypeSchema of a definition (e.g. `io.k8s.api.core.v1.ConfigMap`) or of a schema object. */
export function fieldSchemaFor(definition: string | Schema): TypeSchema {
  return typeSchemaOf(schemaOf(definition), typeof definition === 'string' ? definition : undefined);
}

function refNameOf(s: Schema): string | undefined {
  const ref = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0].$ref : undefined);
  return ref?.slice(ref.lastIndexOf('/') + 1);
}

function typeSchemaOf(wrapper: Schema, name?: string): TypeSchema {
  const cached = cache.get(wrapper);
  if (cached) return cached;
  const ts = build(wrapper, name ?? refNameOf(wrapper));
  cache.set(wrapper, ts);
  return ts;
}

function build(wrapper: Schema, name: string | undefined): TypeSchema {
  const s = deref(wrapper);
  if (s['x-kubernetes-int-or-string']) return scalarSchema;
  if (s.type === 'array' || wrapper.type === 'array') {
    const listType = wrapper['x-kubernetes-list-type'] ?? s['x-kubernetes-list-type'];
    const keys = wrapper['x-kubernetes-list-map-keys'] ?? s['x-kubernetes-list-map-keys'];
    const mergeKey = wrapper['x-kubernetes-patch-merge-key'];
    let type: 'atomic' | 'set' | 'map' = listType ?? 'atomic';
    let listKeys = type === 'map' ? keys : undefined;
    if (!listType && mergeKey) { type = 'map'; listKeys = [mergeKey]; }
    if (type === 'map' && !listKeys?.length) type = 'atomic';
    const items = s.items ?? wrapper.items;
    return {
      kind: 'list',
      listType: type,
      listKeys,
      keyDefaults: listKeys?.some((k) => k in keyDefaults) ? keyDefaults : undefined,
      field: () => undefined,
      element: () => (items ? typeSchemaOf(items) : untypedSchema),
    };
  }
  const mapType = wrapper['x-kubernetes-map-type'] ?? s['x-kubernetes-map-type'];
  const atomic = mapType === 'atomic' || (name !== undefined && atomicStructs.has(name));
  if (s.properties) {
    const props = s.properties;
    const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
    const open = s['x-kubernetes-preserve-unknown-fields'] === true || s.additionalProperties === true;
    return {
      kind: 'struct',
      atomic,
      field: (f) => (Object.hasOwn(props, f) ? typeSchemaOf(props[f]) : extra ? typeSchemaOf(extra) : open ? untypedSchema : undefined),
      element: () => untypedSchema,
    };
  }
  if (typeof s.additionalProperties === 'object') {
    const el = s.additionalProperties;
    return { kind: 'map', atomic, field: () => typeSchemaOf(el), element: () => untypedSchema };
  }
  if (s.type === 'object' || s['x-kubernetes-preserve-unknown-fields'] || s.additionalProperties === true) {
    return atomic ? { ...untypedSchema, atomic: true } : untypedSchema;
  }
  if (!s.type) return untypedSchema;
  return scalarSchema;
}
