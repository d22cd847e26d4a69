// An in-memory MVCC store for unit tests of other components: the same revisions, errors and watch
// ordering as the durable backends, with nothing on disk.
import {
  ConflictError, KeyExistsError, NotFoundError, StorageError,
  type Backend, type KeyValue, type ListOptions, type ListResult, type StorageEvent, type Watch, type WatchOptions,
} from '../backend.js';
import { checkCompaction, readRevision } from '../revision.js';
import { WatchHub } from '../watch-hub.js';

interface Version {
  revision: number;
  createRevision: number;
  /** undefined marks a tombstone. */
  value: Uint8Array | undefined;
}

export class MemoryBackend implements Backend {
  readonly driver = 'memory' as const;
  private revision = 0;
  private compacted = 0;
  private closed = false;
  /** Every version of every key still retained, oldest first. */
  private readonly versions = new Map<string, Version[]>();
  /** The keys of `versions`, sorted, so prefix lists walk a range. */
  private readonly keys: string[] = [];
  /** One event per revision from `logBase` on (a compaction trims the front). */
  private log: StorageEvent[] = [];
  private logBase = 1;
  private readonly hub = new WatchHub((prefix, from, to, limit) => this.history(prefix, from, to, limit));

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
    this.hub.closeAll();
  }

  async currentRevision(): Promise<number> {
    this.assertOpen();
    return this.revision;
  }

  async compactRevision(): Promise<number> {
    this.assertOpen();
    return this.compacted;
  }

  async get(key: string, opts?: { revision?: number }): Promise<KeyValue | undefined> {
    this.assertOpen();
    const at = readRevision(opts?.revision, this.revision, this.compacted);
    return this.valueAt(key, at);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen();
    const at = readRevision(opts.revision, this.revision, this.compacted);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const from = opts.after !== undefined && opts.after >= prefix ? opts.after : prefix;
    const items: KeyValue[] = [];
    let more = false;
    for (let i = this.lowerBound(from); i < this.keys.length; i++) {
      const key = this.keys[i];
      if (!key.startsWith(prefix)) break;
      if (opts.after !== undefined && key <= opts.after) continue;
      const kv = this.valueAt(key, at);
      if (!kv) continue;
      if (items.length === limit) { more = true; break; }
      items.push(kv);
    }
    return { items, revision: at, more };
  }

  async count(prefix: string): Promise<number> {
    return (await this.list(prefix)).items.length;
  }

  async create(key: string, value: Uint8Array): Promise<KeyValue> {
    this.assertOpen();
    if (this.latest(key)?.value) throw new KeyExistsError(key);
    const rev = ++this.revision;
    const kv = { key, value: value.slice(), createRevision: rev, modRevision: rev };
    this.append(key, { revision: rev, createRevision: rev, value: kv.value }, { type: 'create', kv });
    return copy(kv);
  }

  async update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue> {
    this.assertOpen();
    const prevKv = this.current(key, expectedRevision, true);
    const rev = ++this.revision;
    const kv = { key, value: value.slice(), createRevision: prevKv.createRevision, modRevision: rev };
    this.append(key, { revision: rev, createRevision: kv.createRevision, value: kv.value }, { type: 'update', kv, prevKv });
    return copy(kv);
  }

  async delete(key: string, expectedRevision = 0): Promise<KeyValue> {
    this.assertOpen();
    const prevKv = this.current(key, expectedRevision);
    const rev = ++this.revision;
    const kv = { ...prevKv, modRevision: rev };
    this.append(key, { revision: rev, createRevision: prevKv.createRevision, value: undefined }, { type: 'delete', kv, prevKv });
    return copy(kv);
  }

  watch(prefix: string, opts: WatchOptions): Watch {
    this.assertOpen();
    return this.hub.add(prefix, opts, this.revision, this.compacted);
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    checkCompaction(revision, this.revision, this.compacted);
    this.compacted = revision;
    this.hub.compact(revision);
    for (const [key, versions] of this.versions) {
      // Keep the versions a read at `revision` or later can still see.
      let keepFrom = versions.findIndex((v) => v.revision >= revision);
      if (keepFrom === -1) keepFrom = versions.length;
      if (keepFrom > 0 && versions[keepFrom - 1].value) keepFrom--;
      const kept = versions.slice(keepFrom);
      if (kept.length > 0) this.versions.set(key, kept);
      else this.forget(key);
    }
    this.log = this.log.slice(revision - this.logBase);
    this.logBase = revision;
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError('storage backend closed');
  }

  /** The live kv, checked against `expectedRevision` (0 = any, unless `strict`, as for update). */
  private current(key: string, expectedRevision: number, strict = false): KeyValue {
    const v = this.latest(key);
    if (!v?.value) throw new NotFoundError(key);
    const kv = { key, value: v.value, createRevision: v.createRevision, modRevision: v.revision };
    if ((strict || expectedRevision) && v.revision !== expectedRevision) throw new ConflictError(key, copy(kv));
    return kv;
  }

  private append(key: string, version: Version, event: StorageEvent): void {
    let versions = this.versions.get(key);
    if (!versions) {
      versions = [];
      this.versions.set(key, versions);
      this.keys.splice(this.lowerBound(key), 0, key);
    }
    versions.push(version);
    this.log.push(event);
    this.hub.publish([event]);
  }

  private forget(key: string): void {
    this.versions.delete(key);
    this.keys.splice(this.lowerBound(key), 1);
  }

  private latest(key: string): Version | undefined {
    const versions = this.versions.get(key);
    return versions?.[versions.length - 1];
  }

  private valueAt(key: string, at: number): KeyValue | undefined {
    const versions = this.versions.get(key) ?? [];
    for (let i = versions.length - 1; i >= 0; i--) {
      const v = versions[i];
      if (v.revision > at) continue;
      if (!v.value) return undefined;
      return { key, value: v.value.slice(), createRevision: v.createRevision, modRevision: v.revision };
    }
    return undefined;
  }

  private history(prefix: string, from: number, to: number, limit: number): StorageEvent[] {
    const out: StorageEvent[] = [];
    for (let rev = Math.max(from, this.logBase); rev <= to && out.length < limit; rev++) {
      const e = this.log[rev - this.logBase];
      if (e?.kv.key.startsWith(prefix)) out.push(e);
    }
    return out;
  }

  /** Index of the first key >= `key`. */
  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function copy(kv: KeyValue): KeyValue {
  return { ...kv, value: kv.value.slice() };
}

export function createMemoryBackend(): MemoryBackend {
  return new MemoryBackend();
}
