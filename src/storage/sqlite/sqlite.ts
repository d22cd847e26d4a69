// The embedded default store: one SQLite file in WAL mode, written only by this process, so the
// writer feeds watchers itself right after each commit (no polling).
//
// Writes that arrive in the same turn of the event loop share one transaction (group commit): each
// keeps its own compare-and-swap outcome, but they pay for one commit between them.
//
// Durability: with `FULL` (the default) a write is acknowledged, and shown to watchers, only once
// the WAL holding it is on disk, so it survives a process kill and an OS crash or power loss. The
// fsync runs on libuv's thread pool while the event loop goes on committing later batches, and
// one fsync covers every batch committed before it (SQLite itself runs with synchronous=NORMAL,
// which never syncs at commit but does sync the WAL header and checkpoints). `NORMAL` acknowledges
// at commit: acknowledged writes still survive kill -9 (they are in the WAL, in the OS page
// cache), but the last ones may be lost if the machine itself goes down.
import Database from 'better-sqlite3';
import { closeSync, fdatasync, openSync } from 'node:fs';
import { type Logger, silentLogger } from '../../apimachinery/log.js';
import {
  ConflictError, KeyExistsError, NotFoundError, StorageError,
  type Backend, type KeyValue, type ListOptions, type ListResult, type StorageEvent, type Watch, type WatchOptions,
} from '../backend.js';
import { checkCompaction, prefixEnd, readRevision } from '../revision.js';
import { WatchHub } from '../watch-hub.js';
import { rowToEvent, rowToKv, toBuffer } from './rows.js';
import { type Row, SCHEMA, Statements } from './schema.js';

export interface SqliteOptions {
  /** Database file (created if missing); ':memory:' works for throwaway stores. */
  path: string;
  /** See the durability note above. Default FULL. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Revisions whose superseded rows one compaction transaction deletes. */
  compactBatch?: number;
  logger?: Logger;
}

type WriteOp =
  | { kind: 'create'; key: string; value: Uint8Array }
  | { kind: 'update'; key: string; value: Uint8Array; expected: number }
  | { kind: 'delete'; key: string; expected: number };

interface Pending {
  op: WriteOp;
  resolve: (kv: KeyValue) => void;
  reject: (err: unknown) => void;
}

const EMPTY = Buffer.alloc(0);

export class SqliteBackend implements Backend {
  readonly driver = 'sqlite' as const;
  private db: Database.Database | undefined;
  private stmts!: Statements;
  private revision = 0;
  private compacted = 0;
  private closed = false;
  private queue: Pending[] = [];
  private flushScheduled = false;
  /** Committed batches waiting for the WAL fsync before they are acknowledged. */
  private unsynced: (() => void)[] = [];
  private syncing = false;
  private walFd: number | undefined;
  /** Physical compaction runs one at a time, behind this promise. */
  private compacting: Promise<void> = Promise.resolve();
  private readonly hub = new WatchHub((prefix, from, to, limit) => this.history(prefix, from, to, limit));

  constructor(private readonly opts: SqliteOptions) {}

  async start(): Promise<void> {
    if (this.db) return;
    const db = new Database(this.opts.path, { timeout: 1000 });
    try {
      // This process is the only writer and feeds watchers itself, so it keeps the file to itself:
      // a second server on the same file fails to start instead of writing behind its back.
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
      this.db = db;
      this.stmts = new Statements(db);
      // The first write takes the exclusive lock, held until close.
      this.stmts.setMeta.run('opened', 0);
    } catch (err) {
      db.close();
      this.db = undefined;
      if ((err as { code?: string }).code === 'SQLITE_BUSY') {
        throw new StorageError(`${this.opts.path} is in use by another process`);
      }
      throw err;
    }
    this.compacted = this.meta('compact_revision');
    // The newest row is never compacted away, so MAX(revision) is the current revision.
    this.revision = Math.max(Number(this.stmts.maxRevision.get() ?? 0), this.compacted);
    this.hub.compact(this.compacted);
    if (this.meta('compact_progress') < this.compacted) this.schedulePhysicalCompaction();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.queue.length > 0) this.flush();
    while (this.syncing || this.unsynced.length) await new Promise<void>((resolve) => setImmediate(resolve));
    this.hub.closeAll();
    await this.compacting;
    this.db?.close();
    if (this.walFd !== undefined) closeSync(this.walFd);
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
    const row = (at === this.revision ? this.stmts.latest.get(key) : this.stmts.atRevision.get(key, at)) as Row | undefined;
    return row && !row.deleted ? rowToKv(row) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.assertOpen();
    const at = readRevision(opts.revision, this.revision, this.compacted);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    const end = prefixEnd(prefix);
    // after + '\0' is the least key strictly greater than `after`: one lower bound keeps the index range tight.
    const lower = opts.after !== undefined && opts.after >= prefix ? `${opts.after}\0` : prefix;
    const args = [lower, ...(end === undefined ? [] : [end]), at, at, limit === -1 ? -1 : limit + 1];
    const rows = (end === undefined ? this.stmts.list.unbounded : this.stmts.list.bounded).all(...args) as Row[];
    const more = limit !== -1 && rows.length > limit;
    if (more) rows.pop();
    return { items: rows.map(rowToKv), revision: at, more };
  }

  async count(prefix: string): Promise<number> {
    this.assertOpen();
    const end = prefixEnd(prefix);
    const args = [prefix, ...(end === undefined ? [] : [end]), this.revision, this.revision];
    return Number((end === undefined ? this.stmts.count.unbounded : this.stmts.count.bounded).get(...args));
  }

  create(key: string, value: Uint8Array): Promise<KeyValue> {
    return this.enqueue({ kind: 'create', key, value: value.slice() });
  }

  update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue> {
    return this.enqueue({ kind: 'update', key, value: value.slice(), expected: expectedRevision });
  }

  delete(key: string, expectedRevision = 0): Promise<KeyValue> {
    return this.enqueue({ kind: 'delete', key, expected: expectedRevision });
  }

  watch(prefix: string, opts: WatchOptions): Watch {
    this.assertOpen();
    return this.hub.add(prefix, opts, this.revision, this.compacted);
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    checkCompaction(revision, this.revision, this.compacted);
    // Recording the revision first makes reads below it fail at once; rows go in the background
    // batches, which the returned promise waits for.
    this.stmts.setMeta.run('compact_revision', revision);
    this.compacted = revision;
    this.hub.compact(revision);
    await this.schedulePhysicalCompaction();
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError('storage backend closed');
    if (!this.db) throw new StorageError('storage backend not started');
  }

  private meta(name: string): number {
    return Number(this.stmts.getMeta.get(name) ?? 0);
  }

  private enqueue(op: WriteOp): Promise<KeyValue> {
    try {
      this.assertOpen();
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    });
  }

  /** Commits every queued write in one transaction, then answers callers and feeds watchers. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const outcomes: (KeyValue | StorageError)[] = [];
    const events: StorageEvent[] = [];
    let rev = this.revision;
    try {
      this.db!.transaction(() => {
        for (const { op } of batch) {
          try {
            const event = this.apply(op, rev + 1);
            rev++;
            events.push(event);
            outcomes.push(event.kv);
          } catch (err) {
            if (!(err instanceof StorageError)) throw err;
            outcomes.push(err);
          }
        }
      })();
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    this.revision = rev;
    const acknowledge = () => {
      this.hub.publish(events);
      batch.forEach((p, i) => {
        const outcome = outcomes[i];
        if (outcome instanceof StorageError) p.reject(outcome);
        else p.resolve({ ...outcome, value: outcome.value.slice() });
      });
    };
    if ((this.opts.synchronous ?? 'FULL') === 'NORMAL' || events.length === 0 || this.opts.path === ':memory:') {
      // Failed compare-and-swaps wrote nothing, so they need not wait for the disk, but they
      // must not overtake acknowledgements of earlier batches still waiting for it.
      if (this.unsynced.length === 0) acknowledge();
      else this.unsynced.push(acknowledge);
      return;
    }
    this.unsynced.push(acknowledge);
    this.syncWal();
  }

  /** One fsync of the WAL at a time; each covers every batch committed before it started. */
  private syncWal(): void {
    if (this.syncing || this.unsynced.length === 0) return;
    this.syncing = true;
    const covered = this.unsynced;
    this.unsynced = [];
    this.walFd ??= openSync(`${this.opts.path}-wal`, 'r');
    fdatasync(this.walFd, (err) => {
      this.syncing = false;
      if (err) {
        (this.opts.logger ?? silentLogger).error('sqlite WAL fsync failed', { err: String(err) });
        // Without a durable WAL nothing may be acknowledged; the process must not go on as if it were.
        throw err;
      }
      for (const ack of covered) ack();
      this.syncWal();
    });
  }

  /** One write inside the batch transaction: check, insert the row, describe the event. */
  private apply(op: WriteOp, rev: number): StorageEvent {
    const latest = this.stmts.latest.get(op.key) as Row | undefined;
    const live = latest && !latest.deleted ? latest : undefined;
    if (op.kind === 'create') {
      if (live) throw new KeyExistsError(op.key);
      this.stmts.insert.run(rev, op.key, 1, 0, rev, 0, toBuffer(op.value));
      return { type: 'create', kv: { key: op.key, value: op.value, createRevision: rev, modRevision: rev } };
    }
    if (!live) throw new NotFoundError(op.key);
    const prevKv = rowToKv(live);
    if ((op.kind === 'update' || op.expected) && live.revision !== op.expected) throw new ConflictError(op.key, prevKv);
    if (op.kind === 'update') {
      this.stmts.insert.run(rev, op.key, 0, 0, live.create_revision, live.revision, toBuffer(op.value));
      return { type: 'update', kv: { key: op.key, value: op.value, createRevision: live.create_revision, modRevision: rev }, prevKv };
    }
    this.stmts.insert.run(rev, op.key, 0, 1, live.create_revision, live.revision, EMPTY);
    return { type: 'delete', kv: { ...prevKv, modRevision: rev }, prevKv };
  }

  private history(prefix: string, from: number, to: number, limit: number): StorageEvent[] {
    const end = prefixEnd(prefix);
    const rows = (end === undefined
      ? this.stmts.history.unbounded.all(from, to, prefix, limit)
      : this.stmts.history.bounded.all(from, to, prefix, end, limit)) as Row[];
    return rows.map(rowToEvent);
  }

  private schedulePhysicalCompaction(): Promise<void> {
    this.compacting = this.compacting.then(() => this.compactRows()).catch((err: unknown) => {
      // A failed batch leaves compact_progress where it was; the next compaction resumes there.
      (this.opts.logger ?? silentLogger).warn('sqlite compaction batch failed', { err: String(err) });
    });
    return this.compacting;
  }

  /** Deletes superseded rows below the compact revision a window at a time, yielding in between so
   *  writers never wait for more than one small transaction. */
  private async compactRows(): Promise<void> {
    const batch = this.opts.compactBatch ?? 2000;
    let lo = this.meta('compact_progress');
    while (!this.closed && lo < this.compacted) {
      const hi = Math.min(lo + batch, this.compacted);
      this.db!.transaction(() => {
        this.stmts.deleteSuperseded.run(lo, hi);
        this.stmts.deleteTombstones.run(lo, hi);
        this.stmts.setMeta.run('compact_progress', hi);
      })();
      lo = hi;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

export function createSqliteBackend(opts: SqliteOptions): SqliteBackend {
  return new SqliteBackend(opts);
}
