// The OpenAPI v3 schema Kubernetes publishes for one version of a CRD (for /openapi/v3 and
// `kubectl explain`): the version's schema with descriptions and validations kept, apiVersion and
// kind described as on every kind, metadata as a reference to ObjectMeta (at the root and in
// embedded resources), and the x-kubernetes-group-version-kind of the version.
import { getDefinition } from '../schema.js';
import { EMBEDDED_RESOURCE, isObject, type JSONSchemaProps } from './schema-types.js';
import { cloneJSON } from './json-values.js';

type Obj = Record<string, unknown>;

/** apiVersion, kind and metadata as the built-in kinds publish them (taken from Namespace). */
function typeMetaProperties(): Record<string, JSONSchemaProps> {
  const props = (getDefinition('io.k8s.api.core.v1.Namespace')?.properties ?? {}) as Record<string, JSONSchemaProps>;
  return {
    apiVersion: cloneJSON(props.apiVersion ?? { type: 'string' }),
    kind: cloneJSON(props.kind ?? { type: 'string' }),
    metadata: cloneJSON(props.metadata ?? { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }] }),
  };
}

function addTypeMeta(s: JSONSchemaProps, meta: Record<string, JSONSchemaProps>): void {
  const props = (isObject(s.properties) ? s.properties : (s.properties = {})) as Obj;
  if (!props.apiVersion) props.apiVersion = cloneJSON(meta.apiVersion);
  if (!props.kind) props.kind = cloneJSON(meta.kind);
  props.metadata = cloneJSON(meta.metadata);
}

function addEmbeddedTypeMeta(s: unknown, meta: Record<string, JSONSchemaProps>): void {
  if (!isObject(s)) return;
  if (s[EMBEDDED_RESOURCE] === true) addTypeMeta(s, meta);
  if (isObject(s.properties)) for (const p of Object.values(s.properties)) addEmbeddedTypeMeta(p, meta);
  addEmbeddedTypeMeta(s.items, meta);
  addEmbeddedTypeMeta(s.additionalProperties, meta);
}

export function publishedVersionSchema(crd: Obj, version: string): Obj {
  const spec = isObject(crd.spec) ? crd.spec : {};
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isObject) : [];
  const v = versions.find((x) => x.name === version);
  const source = v && isObject(v.schema) && isObject(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : { type: 'object' };
  const schema = cloneJSON(source) as JSONSchemaProps;
  const meta = typeMetaProperties();
  if (isObject(schema.properties)) for (const p of Object.values(schema.properties)) addEmbeddedTypeMeta(p, meta);
  addEmbeddedTypeMeta(schema.items, meta);
  schema.type ??= 'object';
  addTypeMeta(schema, meta);
  const names = isObject(spec.names) ? spec.names : {};
  schema['x-kubernetes-group-version-kind'] = [{ group: String(spec.group ?? ''), kind: String(names.kind ?? ''), version }];
  return schema;
}
