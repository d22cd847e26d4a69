// Per-kind behaviour of the generic store that is not data: status resets, graceful deletion,
// generated fields. Most kinds need none of it; those that do register a `Strategy`.
import type { KubeObject } from '../../apimachinery/object.js';
import type { FieldError } from '../../apimachinery/status.js';
import type { ResourceStore } from './store.js';

export interface UserInfo { name: string; groups: string[] }

export interface RequestContext {
  user: UserInfo;
  /** The store of the object's own resource (for strategies that consult its other objects). */
  store?: ResourceStore;
  /** ms since the epoch, from the server's clock. */
  now: number;
  dryRun: boolean;
  fieldManager?: string;
  /** Texts for the response's `Warning` headers (admission webhooks add theirs). */
  warnings?: string[];
}

export interface Strategy {
  /** System fields of a new object (initial status, generated labels and selectors). */
  prepareForCreate?(obj: KubeObject, ctx: RequestContext): void | Promise<void>;
  /** Fields an update of the main resource may not change beyond the generic rules. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): void;
  /** Extra validation that needs the server (e.g. cross-object checks). */
  validate?(obj: KubeObject, old: KubeObject | undefined): FieldError[];
  /**
   * Graceful deletion: how many seconds the object lingers with a deletionTimestamp before it is
   * removed, given the grace period the client asked for. 0 deletes at once.
   */
  gracePeriodSeconds?(obj: KubeObject, requested: number | undefined): number;
  /**
   * Whether deletion must wait for something besides metadata.finalizers (a namespace's
   * spec.finalizers). May mark the object as terminating; called on a copy being deleted.
   */
  holdDeletion?(obj: KubeObject, now: number): boolean;
  /** Applied to every object read from storage (custom resources are pruned and defaulted on read). */
  prepareForRead?(obj: KubeObject): void;
  /** Answer DELETE with the deleted object rather than a Status. */
  returnDeletedObject?: boolean;
}
