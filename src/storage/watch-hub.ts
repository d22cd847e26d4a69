// In-process watch fan-out for the backends that own their writes (memory, sqlite): the writer
// publishes each committed event here, so watchers are pushed events without polling.
//
// A watch that starts in the past replays history in chunks read from the backend while live events
// are held back; the held-back events are released after the replay, and every event below the
// watcher's next expected revision is dropped, so the seam has no gap and no duplicate.
import { CompactedError, StorageError, type StorageEvent, type Watch, type WatchOptions } from './backend.js';

/** Events with revision in [from, to] whose key starts with `prefix`, in order, at most `limit`. */
export type HistoryReader = (prefix: string, from: number, to: number, limit: number) => StorageEvent[];

/** Small enough that a long replay yields to writers between chunks. */
const REPLAY_CHUNK = 500;

class HubWatcher {
  pending: StorageEvent[] = [];
  /** Live events that arrived while history was still being replayed. */
  held: StorageEvent[] | undefined;
  flushScheduled = false;
  closed = false;

  constructor(readonly prefix: string, readonly opts: WatchOptions, public nextRevision: number) {}
}

export class WatchHub {
  private readonly watchers = new Set<HubWatcher>();
  private compacted = 0;

  constructor(private readonly readHistory: HistoryReader) {}

  get size(): number {
    return this.watchers.size;
  }

  /** Registers a watcher. Call synchronously with the revision state the events published from now
   *  on follow: every later `publish` must carry revisions > `currentRevision`. */
  add(prefix: string, opts: WatchOptions, currentRevision: number, compactRevision: number): Watch {
    this.compacted = Math.max(this.compacted, compactRevision);
    const start = opts.startRevision && opts.startRevision > 0 ? opts.startRevision : currentRevision + 1;
    const w = new HubWatcher(prefix, opts, start);
    const handle: Watch = { cancel: () => this.remove(w) };
    if (start < this.compacted) {
      w.closed = true;
      const err = new CompactedError(start, this.compacted);
      queueMicrotask(() => opts.onError(err));
      return handle;
    }
    this.watchers.add(w);
    if (start <= currentRevision) {
      w.held = [];
      void this.replay(w, currentRevision);
    }
    return handle;
  }

  /** Hands committed events (in revision order) to every matching watcher. */
  publish(events: StorageEvent[]): void {
    for (const w of this.watchers) {
      const matching = events.filter((e) => e.kv.key.startsWith(w.prefix));
      if (matching.length === 0) continue;
      if (w.held) w.held.push(...matching);
      else this.enqueue(w, matching);
    }
  }

  /** Records a compaction: replays still reading below it fail with `CompactedError`. */
  compact(revision: number): void {
    this.compacted = Math.max(this.compacted, revision);
  }

  /** Ends every watch with `err` (the backend is closing). */
  closeAll(err: Error = new StorageError('storage backend closed')): void {
    for (const w of [...this.watchers]) this.fail(w, err);
  }

  private async replay(w: HubWatcher, until: number): Promise<void> {
    try {
      while (!w.closed && w.nextRevision <= until) {
        if (w.nextRevision < this.compacted) throw new CompactedError(w.nextRevision, this.compacted);
        const events = this.readHistory(w.prefix, w.nextRevision, until, REPLAY_CHUNK);
        if (events.length > 0) this.enqueue(w, events);
        if (events.length < REPLAY_CHUNK) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (err) {
      this.fail(w, err instanceof Error ? err : new StorageError(String(err)));
      return;
    }
    if (w.closed) return;
    // The history is complete up to `until`; skip ahead even if the prefix had no events there.
    w.nextRevision = Math.max(w.nextRevision, until + 1);
    const held = w.held ?? [];
    w.held = undefined;
    if (held.length > 0) this.enqueue(w, held);
  }

  private enqueue(w: HubWatcher, events: StorageEvent[]): void {
    for (const e of events) {
      if (e.kv.modRevision < w.nextRevision) continue;
      w.pending.push(e);
      w.nextRevision = e.kv.modRevision + 1;
    }
    if (w.pending.length === 0 || w.flushScheduled) return;
    w.flushScheduled = true;
    // Delivered on a microtask so a writer's stack is never re-entered by a watcher's callback.
    queueMicrotask(() => {
      w.flushScheduled = false;
      if (w.closed) return;
      const batch = w.pending;
      w.pending = [];
      try {
        w.opts.onEvents(batch);
      } catch (err) {
        this.fail(w, err instanceof Error ? err : new StorageError(String(err)));
      }
    });
  }

  private remove(w: HubWatcher): void {
    w.closed = true;
    w.pending = [];
    this.watchers.delete(w);
  }

  private fail(w: HubWatcher, err: Error): void {
    if (w.closed) return;
    this.remove(w);
    queueMicrotask(() => w.opts.onError(err));
  }
}
