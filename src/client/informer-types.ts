// The contracts of the shared-informer machinery: a local, indexed copy of a resource kept
// current by one list+watch per process, with handlers told about every change.
import type { KubeObject } from '../apimachinery/object.js';
import type { ResourceRef } from './rest.js';

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : (m.name ?? '');
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export interface ObjectStore<T extends KubeObject = KubeObject> {
  get(key: string): T | undefined;
  list(): T[];
  /** Objects whose index function returned `value` (e.g. index `namespace`, value `default`). */
  byIndex(index: string, value: string): T[];
  keys(): string[];
}

export interface EventHandler<T extends KubeObject = KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** The last state the informer knew of the deleted object. */
  onDelete?(obj: T): void;
}

export type IndexFunc<T extends KubeObject = KubeObject> = (obj: T) => string[];

export interface Informer<T extends KubeObject = KubeObject> {
  readonly store: ObjectStore<T>;
  /** Handlers added after sync get synthetic onAdd calls for what the store holds. */
  addEventHandler(handler: EventHandler<T>): void;
  /** Indexes must be added before the informer starts. `namespace` is always present. */
  addIndex(name: string, fn: IndexFunc<T>): void;
  hasSynced(): boolean;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface InformerFactory {
  /** One informer per resource and options per process, however often it is asked for. */
  informer<T extends KubeObject = KubeObject>(ref: ResourceRef, opts?: InformerOptions): Informer<T>;
  /** Starts every informer asked for so far (and later ones as they are asked for). */
  start(signal: AbortSignal): void;
  /** Resolves once every started informer has listed once. */
  waitForSync(signal?: AbortSignal): Promise<void>;
}
