// What the API server needs to know about one served resource. Adding a resource to Kite is one
// `ResourceType` entry (in `resources/<group>.ts`) plus, where it needs one, a registry strategy.
import type { FieldError } from '../apimachinery/status.js';
import type { KubeObject } from '../apimachinery/object.js';

export interface SubresourceType {
  /** `status`, `scale`, `binding`, `log`, `exec`, … */
  name: string;
  /** The kind the subresource speaks (`Scale`, `Binding`, or the parent kind for status). */
  kind: string;
  /** Set when the kind lives in another group-version (`autoscaling/v1` Scale). */
  group?: string;
  version?: string;
  verbs: string[];
}

/** A `kubectl get` column, as in `meta.k8s.io/v1` `TableColumnDefinition`. */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description?: string;
  /** 0 = always shown; 1 = only with `-o wide`. */
  priority: number;
}

export interface ScalePaths {
  /** Dotted JSON paths into the object, e.g. `spec.replicas`. */
  specReplicas: string;
  statusReplicas: string;
  /** Path to a `LabelSelector`, rendered as a selector string in `Scale.status.selector`. */
  labelSelector?: string;
}

export interface ResourceType<T extends KubeObject = KubeObject> {
  group: string;
  version: string;
  kind: string;
  /** Lowercase plural, the URL segment. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Verbs on the main resource; defaults to all eight REST verbs. */
  verbs?: string[];
  subresources?: SubresourceType[];
  /** The OpenAPI definition name of the kind, e.g. `io.k8s.api.core.v1.Pod`. */
  schema: string;
  /** With a status subresource: writes to the main resource keep status, `/status` writes keep the rest. */
  hasStatus?: boolean;
  scale?: ScalePaths;
  /** Whether `metadata.generation` moves with spec changes (true for most kinds with a spec). */
  tracksGeneration?: boolean;

  /**
   * For kinds whose schema is no built-in definition (custom resources): removes the fields the
   * schema does not allow and returns their paths. Such kinds take no strategic merge patch and
   * no protobuf; their types are checked by `validate`.
   */
  pruneUnknownFields?(obj: T): string[];

  /** Fill in Kubernetes' defaults in place. */
  setDefaults?(obj: T): void;
  /** Kind-specific validation for create (schema types, names and labels are checked generically). */
  validate?(obj: T): FieldError[];
  /** Kind-specific validation for update, including immutable fields. */
  validateUpdate?(obj: T, old: T): FieldError[];

  /** Columns for server-side printing; Name is implied as the first column. */
  columns?: TableColumn[];
  /** Cells for the columns after Name; `now` is ms since the epoch (for AGE). */
  row?(obj: T, now: number): unknown[];

  /** Field-selector keys beyond `metadata.name` and `metadata.namespace`. */
  fields?: Record<string, (obj: T) => string | undefined>;
}

export function apiVersion(rt: Pick<ResourceType, 'group' | 'version'>): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}
