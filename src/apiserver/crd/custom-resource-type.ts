// One served version of a CustomResourceDefinition as a ResourceType: names from the CRD's
// accepted names, its schema driving defaulting and validation, printer columns, and the status
// and scale subresources. Every served version shares one key range (`/registry/<plural>.<group>/`),
// so objects are stored once and read through any served version (conversion None).
import type { KubeObject } from '../../apimachinery/object.js';
import type { ResourceType, SubresourceType } from '../../api/types.js';
import {
  defaultCustomResource, printerCells, printerColumns, pruneCustomResource, validateCustomResource, type JSONSchemaProps,
} from '../../api/apiextensions/index.js';

export type CRD = KubeObject & { spec?: CRDSpec; status?: CRDStatus };

export interface CRDNames {
  plural?: string; singular?: string; kind?: string; listKind?: string; shortNames?: string[]; categories?: string[];
}

export interface CRDVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: object; scale?: { specReplicasPath?: string; statusReplicasPath?: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: unknown[];
}

export interface CRDSpec {
  group?: string;
  names?: CRDNames;
  scope?: string;
  versions?: CRDVersion[];
}

export interface CRDCondition { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }

export interface CRDStatus {
  conditions?: CRDCondition[];
  acceptedNames?: CRDNames;
  storedVersions?: string[];
}

/** What the custom resource handlers need beyond the ResourceType. */
export interface CustomResourceInfo {
  crdName: string;
  /** The CRD the resource was built from (for the published OpenAPI schema). */
  crd: CRD;
  schema: JSONSchemaProps;
  storageVersion: string;
  /** Set while the CRD is being deleted: no new objects. */
  terminating?: boolean;
}

const customResources = new WeakMap<ResourceType, CustomResourceInfo>();

/** The CRD facts of a custom resource's ResourceType, or undefined for built-in resources. */
export function customResourceInfo(rt: ResourceType): CustomResourceInfo | undefined {
  return customResources.get(rt);
}

/** The store-side definition custom resources are checked against: none (see validate.ts). */
const NO_BUILTIN_DEFINITION = 'io.k8s.apiextensions-apiserver.customresource';

/** The OpenAPI definition name Kubernetes publishes for a custom kind: reversed group, version, kind. */
export function publishedDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** `.spec.replicas` → `spec.replicas`. */
function dotted(jsonPath: string | undefined): string | undefined {
  return jsonPath ? jsonPath.replace(/^\./, '') : undefined;
}

const AGE_COLUMN = [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];

export function storageVersionOf(crd: CRD): string | undefined {
  return crd.spec?.versions?.find((v) => v.storage)?.name;
}

export function customResourceType(crd: CRD, version: CRDVersion): ResourceType {
  const spec = crd.spec ?? {};
  const names = crd.status?.acceptedNames ?? spec.names ?? {};
  const group = spec.group ?? '';
  const kind = names.kind ?? '';
  const schema = version.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const subresources: SubresourceType[] = [];
  const hasStatus = Boolean(version.subresources?.status);
  const scale = version.subresources?.scale;
  if (hasStatus) subresources.push({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });
  if (scale) subresources.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] });
  const columns = version.additionalPrinterColumns?.length ? version.additionalPrinterColumns : AGE_COLUMN;
  const rt: ResourceType = {
    group,
    version: version.name,
    kind,
    plural: names.plural ?? '',
    singular: names.singular || kind.toLowerCase(),
    namespaced: spec.scope !== 'Cluster',
    shortNames: names.shortNames,
    categories: names.categories,
    subresources,
    schema: NO_BUILTIN_DEFINITION,
    hasStatus,
    scale: scale ? {
      specReplicas: dotted(scale.specReplicasPath) ?? 'spec.replicas',
      statusReplicas: dotted(scale.statusReplicasPath) ?? 'status.replicas',
      labelSelector: dotted(scale.labelSelectorPath),
    } : undefined,
    tracksGeneration: true,
    pruneUnknownFields: (obj) => pruneCustomResource(schema, obj as Record<string, unknown>),
    setDefaults: (obj) => defaultCustomResource(schema, obj as Record<string, unknown>),
    validate: (obj) => validateCustomResource(schema, obj as Record<string, unknown>),
    columns: printerColumns(columns),
    row: (obj, now) => printerCells(columns, obj as Record<string, unknown>, now),
  };
  customResources.set(rt, { crdName: crd.metadata?.name ?? '', crd, schema, storageVersion: storageVersionOf(crd) ?? version.name });
  return rt;
}

/** The ResourceTypes of every served version of an established CRD. */
export function servedResourceTypes(crd: CRD): ResourceType[] {
  return (crd.spec?.versions ?? []).filter((v) => v.served).map((v) => customResourceType(crd, v));
}
