// /openapi/v3 documents of custom group-versions: the paths of each custom resource (as for
// built-ins) with the schema Kubernetes publishes for the CRD version, and its List, so that
// `kubectl explain` and kubectl's client-side validation work.
import { buildOpenAPIV3Document, type OpenAPIV3Document } from '../../api/openapi.js';
import { REF_PREFIX, type Schema } from '../../api/schema.js';
import { publishedSchema } from '../../api/apiextensions/index.js';
import type { ResourceType } from '../../api/types.js';
import type { Registry } from '../registry/registry.js';
import { customResourceInfo, publishedDefinitionName } from './custom-resource-type.js';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

function kindSchema(rt: ResourceType): Schema {
  const info = customResourceInfo(rt)!;
  const published = publishedSchema(info.crd as Record<string, unknown>, rt.version) as Schema & Record<string, unknown>;
  if (Object.keys(published).length) return published;
  // Without a published schema, the structural schema with the object's type and metadata.
  const schema = structuredClone(info.schema) as Record<string, unknown>;
  const props = (schema.properties ?? {}) as Record<string, unknown>;
  schema.properties = {
    ...props,
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
    metadata: { allOf: [{ $ref: REF_PREFIX + OBJECT_META }], description: "Standard object's metadata." },
  };
  schema['x-kubernetes-group-version-kind'] = [{ group: rt.group, version: rt.version, kind: rt.kind }];
  return schema as Schema;
}

function listSchema(rt: ResourceType, itemDefinition: string): Schema {
  return {
    type: 'object',
    description: `${rt.kind}List is a list of ${rt.kind}`,
    required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      items: { type: 'array', description: `List of ${rt.plural}.`, items: { $ref: REF_PREFIX + itemDefinition } },
      metadata: { allOf: [{ $ref: REF_PREFIX + LIST_META }], description: 'Standard list metadata.' },
    },
    'x-kubernetes-group-version-kind': [{ group: rt.group, version: rt.version, kind: `${rt.kind}List` }],
  } as Schema;
}

/** The document of a group-version serving custom resources, or undefined when it has none. */
export function customOpenAPIDocument(registry: Registry, group: string, version: string): OpenAPIV3Document | undefined {
  const resources = registry.resources(group, version);
  if (!resources.some((rt) => customResourceInfo(rt))) return undefined;
  const schemas: Record<string, Schema> = {};
  const documented = resources.map((rt) => {
    if (!customResourceInfo(rt)) return rt;
    const name = publishedDefinitionName(rt.group, rt.version, rt.kind);
    schemas[name] = kindSchema(rt);
    schemas[`${name}List`] = listSchema(rt, name);
    return { ...rt, schema: name };
  });
  return buildOpenAPIV3Document(group, version, documented, { schemas });
}
