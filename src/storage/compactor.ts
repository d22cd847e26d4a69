// Periodic compaction for any backend, with kine's defaults: every 5 minutes, keep the last 1000
// revisions. Watchers further behind than that get CompactedError and relist, as with etcd.
import { CompactedError, type Backend } from './backend.js';
import { type Clock, realClock } from '../apimachinery/clock.js';
import { type Logger, silentLogger } from '../apimachinery/log.js';

export const DEFAULT_COMPACT_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_RETAIN_REVISIONS = 1000;

export interface CompactorOptions {
  intervalMs?: number;
  retainRevisions?: number;
  clock?: Clock;
  signal?: AbortSignal;
  logger?: Logger;
}

export interface Compactor {
  stop(): void;
  /** Resolves when the pass in progress (if any) has finished. */
  idle(): Promise<void>;
}

/** Compacts to `current - retainRevisions` if that is past the last compaction. Returns the
 *  revision compacted to, or undefined when there was nothing to do. */
export async function compactOnce(backend: Backend, retainRevisions = DEFAULT_RETAIN_REVISIONS): Promise<number | undefined> {
  const target = (await backend.currentRevision()) - retainRevisions;
  if (target <= 0 || target <= (await backend.compactRevision())) return undefined;
  try {
    await backend.compact(target);
    return target;
  } catch (err) {
    // Another compactor (another API server on the same etcd) got there first.
    if (err instanceof CompactedError) return undefined;
    throw err;
  }
}

export function startCompactor(backend: Backend, opts: CompactorOptions = {}): Compactor {
  const clock = opts.clock ?? realClock;
  const intervalMs = opts.intervalMs ?? DEFAULT_COMPACT_INTERVAL_MS;
  const retain = opts.retainRevisions ?? DEFAULT_RETAIN_REVISIONS;
  const log = (opts.logger ?? silentLogger).with({ component: 'storage-compactor' });
  let stopped = false;
  let timer: { cancel(): void } | undefined;
  let running: Promise<void> = Promise.resolve();

  const schedule = (): void => {
    if (stopped) return;
    timer = clock.setTimeout(() => {
      running = pass().finally(schedule);
    }, intervalMs);
  };
  const pass = async (): Promise<void> => {
    try {
      const revision = await compactOnce(backend, retain);
      if (revision !== undefined) log.info('compacted storage', { revision, driver: backend.driver });
    } catch (err) {
      log.warn('storage compaction failed', { err: String(err), driver: backend.driver });
    }
  };
  const stop = (): void => {
    stopped = true;
    timer?.cancel();
  };

  if (opts.signal?.aborted) stopped = true;
  opts.signal?.addEventListener('abort', stop, { once: true });
  schedule();
  return { stop, idle: () => running };
}
