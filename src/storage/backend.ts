// The kine/etcd-shaped store every backend implements: keys, byte values and one global revision.
// Storage knows nothing of kinds; the apiserver maps keys and values to objects.

export interface KeyValue {
  key: string;
  value: Uint8Array;
  /** Revision at which this key was (last) created. */
  createRevision: number;
  /** Revision of the write that produced this value. */
  modRevision: number;
}

export interface ListOptions {
  /** Read as of this revision (0 / undefined = current). Fails with `CompactedError` if compacted. */
  revision?: number;
  /** At most this many items (0 / undefined = no limit). */
  limit?: number;
  /** Only keys strictly greater than this one (for `continue`). */
  after?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when `limit` cut the result short. */
  more: boolean;
}

export type StorageEventType = 'create' | 'update' | 'delete';

export interface StorageEvent {
  type: StorageEventType;
  /** For delete: the key's last value, with `modRevision` set to the delete's revision. */
  kv: KeyValue;
  /** The value before this write (absent for create). */
  prevKv?: KeyValue;
}

export interface WatchOptions {
  /** Deliver every event with revision >= this one (etcd semantics); 0 = only new events. */
  startRevision?: number;
  /** Called with events in revision order, never with gaps or duplicates. */
  onEvents: (events: StorageEvent[]) => void;
  /** Called once if the watch cannot continue (e.g. `CompactedError`); no events follow. */
  onError: (err: Error) => void;
  /** Called with a revision all events up to which have been delivered (progress notify); optional. */
  onProgress?: (revision: number) => void;
}

export interface Watch {
  cancel(): void;
}

export interface Backend {
  readonly driver: 'memory' | 'sqlite' | 'etcd';
  /** Resolves when the backend can serve requests. */
  start(): Promise<void>;
  close(): Promise<void>;

  currentRevision(): Promise<number>;
  /** The last compaction's revision (0 if none): reads below it fail with `CompactedError`. */
  compactRevision(): Promise<number>;

  get(key: string, opts?: { revision?: number }): Promise<KeyValue | undefined>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  count(prefix: string): Promise<number>;

  /** Fails with `KeyExistsError` when the key exists. Returns the new revision. */
  create(key: string, value: Uint8Array): Promise<KeyValue>;
  /** Fails with `ConflictError` unless the key's modRevision equals `expectedRevision`;
   *  with `NotFoundError` when the key is absent. Returns the stored kv. */
  update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue>;
  /** Deletes if the key's modRevision equals `expectedRevision` (0 = unconditional).
   *  Returns the deleted kv with `modRevision` = the delete's revision. */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;

  watch(prefix: string, opts: WatchOptions): Watch;

  /** etcd semantics: drop every version older than `revision` that a later version (at or before
   *  `revision`) supersedes, and tombstones older than `revision`. Afterwards reads at revisions
   *  < `revision` and watches starting before it fail with `CompactedError`. */
  compact(revision: number): Promise<void>;
}

export class StorageError extends Error {}

export class KeyExistsError extends StorageError {
  constructor(readonly key: string) { super(`key exists: ${key}`); this.name = 'KeyExistsError'; }
}

export class NotFoundError extends StorageError {
  constructor(readonly key: string) { super(`key not found: ${key}`); this.name = 'NotFoundError'; }
}

export class ConflictError extends StorageError {
  constructor(readonly key: string, readonly current?: KeyValue) {
    super(`revision mismatch for ${key}`);
    this.name = 'ConflictError';
  }
}

export class CompactedError extends StorageError {
  constructor(readonly requested: number, readonly compacted: number) {
    super(`required revision ${requested} has been compacted (compacted at ${compacted})`);
    this.name = 'CompactedError';
  }
}

export class FutureRevisionError extends StorageError {
  constructor(readonly requested: number, readonly current: number) {
    super(`required revision ${requested} is a future revision (current ${current})`);
    this.name = 'FutureRevisionError';
  }
}
