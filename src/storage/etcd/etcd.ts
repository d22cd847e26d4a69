// The Backend on a real etcd v3 (for HA), through the etcd3 client's raw KV and Watch RPCs: every
// write is one transaction whose compare carries the create / compare-and-swap condition.
import { Etcd3, type IRangeRequest, type IRangeResponse, type IRequestOp } from 'etcd3';
import {
  CompactedError, ConflictError, FutureRevisionError, KeyExistsError, NotFoundError, StorageError,
  type Backend, type KeyValue, type ListOptions, type ListResult, type Watch, type WatchOptions,
} from '../backend.js';
import { type Logger, silentLogger } from '../../apimachinery/log.js';
import { isCompactedMessage, isFutureRevisionMessage, KeyCodec, mapRevisionError } from './codec.js';
import { EtcdWatch } from './watch.js';

export interface EtcdOptions {
  /** Client URLs, e.g. `http://127.0.0.1:2379`. */
  endpoints: string[];
  /** Prepended to every key, so several clusters (or tests) can share one etcd. */
  prefix?: string;
  logger?: Logger;
}

/** A key no one writes, ranged to learn the current revision and probe compaction. */
const PROBE_KEY = '\0kite-probe';

export class EtcdBackend implements Backend {
  readonly driver = 'etcd' as const;
  private readonly client: Etcd3;
  private readonly codec: KeyCodec;
  private readonly watches = new Set<EtcdWatch>();
  /** The highest compaction this client has done or been told about. */
  private knownCompaction = 0;
  private closed = false;
  private readonly logger: Logger;

  constructor(opts: EtcdOptions) {
    this.client = new Etcd3({ hosts: opts.endpoints });
    this.logger = (opts.logger ?? silentLogger).with({ component: 'storage-etcd' });
    this.codec = new KeyCodec(opts.prefix ?? '');
  }

  async start(): Promise<void> {
    await this.currentRevision();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watches]) w.fail(new StorageError('storage backend closed'));
    this.client.close();
  }

  async currentRevision(): Promise<number> {
    const res = await this.range({ key: this.codec.encode(PROBE_KEY), count_only: true });
    return Number(res.header.revision);
  }

  /** etcd 3.4 does not report its compact revision directly: a read at the last known one tells us
   *  whether anything newer happened, and if so a watch from revision 1 is cancelled with it. */
  async compactRevision(): Promise<number> {
    try {
      await this.range({ key: this.codec.encode(PROBE_KEY), count_only: true, revision: Math.max(this.knownCompaction, 1) });
      return this.knownCompaction;
    } catch (err) {
      if (!isCompactedMessage(err)) throw err;
    }
    let timer: NodeJS.Timeout | undefined;
    const learned = await new Promise<number>((resolve, reject) => {
      const probe = new EtcdWatch(this.client, this.codec, PROBE_KEY, {
        startRevision: 1,
        onEvents: () => {},
        onError: (e) => (e instanceof CompactedError ? resolve(e.compacted) : reject(e)),
      }, () => {});
      timer = setTimeout(() => { probe.cancel(); reject(new StorageError('etcd compact revision probe timed out')); }, 10_000);
    }).finally(() => clearTimeout(timer));
    this.knownCompaction = Math.max(this.knownCompaction, learned);
    return this.knownCompaction;
  }

  async get(key: string, opts?: { revision?: number }): Promise<KeyValue | undefined> {
    const res = await this.range({ key: this.codec.encode(key), revision: opts?.revision ?? 0 });
    return res.kvs[0] ? this.codec.kv(res.kvs[0]) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const { key, range_end } = this.codec.range(prefix);
    const start = opts.after !== undefined && opts.after >= prefix ? this.codec.encode(`${opts.after}\0`) : key;
    const res = await this.range({ key: start, range_end, revision: opts.revision ?? 0, limit: opts.limit ?? 0 });
    return {
      items: res.kvs.map((kv) => this.codec.kv(kv)),
      revision: opts.revision && opts.revision > 0 ? opts.revision : Number(res.header.revision),
      more: Boolean(res.more),
    };
  }

  async count(prefix: string): Promise<number> {
    const res = await this.range({ ...this.codec.range(prefix), count_only: true });
    return Number(res.count);
  }

  async create(key: string, value: Uint8Array): Promise<KeyValue> {
    const k = this.codec.encode(key);
    const res = await this.txn(
      [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      [{ request_put: { key: k, value: Buffer.from(value) } }],
      [],
    );
    if (!res.succeeded) throw new KeyExistsError(key);
    const rev = Number(res.header.revision);
    return { key, value: value.slice(), createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue> {
    const k = this.codec.encode(key);
    const res = await this.txn(
      // An absent key has mod_revision 0, so existence is checked too.
      [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision },
        { key: k, target: 'Create', result: 'Greater', create_revision: 0 }],
      [{ request_put: { key: k, value: Buffer.from(value), prev_kv: true } }],
      [{ request_range: { key: k } }],
    );
    if (!res.succeeded) throw this.casFailure(key, res.responses);
    const prev = res.responses[0].response_put.prev_kv;
    return { key, value: value.slice(), createRevision: Number(prev.create_revision), modRevision: Number(res.header.revision) };
  }

  async delete(key: string, expectedRevision = 0): Promise<KeyValue> {
    const k = this.codec.encode(key);
    const res = await this.txn(
      [expectedRevision > 0
        ? { key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision }
        : { key: k, target: 'Create', result: 'Greater', create_revision: 0 }],
      [{ request_delete_range: { key: k, prev_kv: true } }],
      [{ request_range: { key: k } }],
    );
    if (!res.succeeded) throw this.casFailure(key, res.responses);
    const prev = this.codec.kv(res.responses[0].response_delete_range.prev_kvs[0]);
    return { ...prev, modRevision: Number(res.header.revision) };
  }

  watch(prefix: string, opts: WatchOptions): Watch {
    if (this.closed) throw new StorageError('storage backend closed');
    const onError = opts.onError;
    const w = new EtcdWatch(this.client, this.codec, prefix, {
      ...opts,
      onError: (err) => {
        if (err instanceof CompactedError) this.knownCompaction = Math.max(this.knownCompaction, err.compacted);
        onError(err);
      },
    }, (done) => this.watches.delete(done), this.logger);
    this.watches.add(w);
    return w;
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.client.kv.compact({ revision });
      this.knownCompaction = Math.max(this.knownCompaction, revision);
    } catch (err) {
      if (isCompactedMessage(err)) throw new CompactedError(revision, await this.compactRevision());
      if (isFutureRevisionMessage(err)) throw new FutureRevisionError(revision, await this.currentRevision());
      throw err;
    }
  }

  private async range(req: IRangeRequest): Promise<IRangeResponse> {
    if (this.closed) throw new StorageError('storage backend closed');
    try {
      return await this.client.kv.range(req);
    } catch (err) {
      throw await mapRevisionError(err, Number(req.revision ?? 0), this);
    }
  }

  private async txn(compare: NonNullable<Parameters<Etcd3['kv']['txn']>[0]['compare']>, success: IRequestOp[], failure: IRequestOp[]) {
    if (this.closed) throw new StorageError('storage backend closed');
    return this.client.kv.txn({ compare, success, failure });
  }

  /** A failed compare: the failure branch read the key, telling absent from stale apart. */
  private casFailure(key: string, responses: { response_range?: IRangeResponse }[]): StorageError {
    const current = responses[0]?.response_range?.kvs[0];
    return current ? new ConflictError(key, this.codec.kv(current)) : new NotFoundError(key);
  }
}

export function createEtcdBackend(opts: EtcdOptions): EtcdBackend {
  return new EtcdBackend(opts);
}
