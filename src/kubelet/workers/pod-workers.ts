// One worker per pod UID, as the kubelet's pod workers: a pod's syncs never overlap, updates that
// arrive while a sync runs fold into one more sync, a sync may ask to run again after a delay,
// and a failed sync is retried with a doubling delay.
import type { Clock } from '../../apimachinery/clock.js';
import type { Logger } from '../../apimachinery/log.js';

export interface SyncRequest {
  /** The periodic full resync (volume contents refreshed). */
  resync: boolean;
}

export interface SyncResult {
  /** Sync again after this long (back-off expiry, a pending grace period). */
  requeueAfterMs?: number;
  /** The pod is gone for good: forget its worker. */
  done?: boolean;
}

export type SyncFn = (uid: string, req: SyncRequest) => Promise<SyncResult>;

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

interface Worker {
  running?: Promise<void>;
  pending: boolean;
  resync: boolean;
  failures: number;
  timer?: { cancel(): void };
  timerAt?: number;
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private stopped = false;

  constructor(private readonly sync: SyncFn, private readonly clock: Clock, private readonly log: Logger) {}

  /** Asks for a sync of the pod; folded into the next one when one is already waiting. */
  update(uid: string, resync = false): void {
    if (this.stopped) return;
    let w = this.workers.get(uid);
    if (!w) this.workers.set(uid, (w = { pending: false, resync: false, failures: 0 }));
    w.pending = true;
    w.resync ||= resync;
    this.kick(uid, w);
  }

  uids(): string[] {
    return [...this.workers.keys()];
  }

  /** True while a sync of the pod runs or waits to run. */
  busy(uid: string): boolean {
    const w = this.workers.get(uid);
    return Boolean(w && (w.running || w.pending));
  }

  /** Stops starting syncs and waits for those running. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.workers.values()) w.timer?.cancel();
    await Promise.all([...this.workers.values()].map((w) => w.running));
  }

  private later(uid: string, w: Worker, ms: number): void {
    const at = this.clock.now() + ms;
    if (w.timer && w.timerAt !== undefined && w.timerAt <= at) return;
    w.timer?.cancel();
    w.timerAt = at;
    w.timer = this.clock.setTimeout(() => {
      w.timer = undefined;
      w.timerAt = undefined;
      this.update(uid);
    }, ms);
  }

  private kick(uid: string, w: Worker): void {
    if (w.running) return;
    w.running = (async () => {
      while (w.pending && !this.stopped) {
        w.pending = false;
        const resync = w.resync;
        w.resync = false;
        let result: SyncResult;
        try {
          result = await this.sync(uid, { resync });
          w.failures = 0;
        } catch (e) {
          w.failures++;
          const delay = Math.min(RETRY_MIN_MS * 2 ** (w.failures - 1), RETRY_MAX_MS);
          this.log.warn('pod sync failed', { uid, error: (e as Error)?.message ?? String(e), retryInMs: delay });
          result = { requeueAfterMs: delay };
        }
        if (result.done && !w.pending) {
          w.timer?.cancel();
          this.workers.delete(uid);
          break;
        }
        if (result.requeueAfterMs !== undefined && !this.stopped) this.later(uid, w, result.requeueAfterMs);
      }
      w.running = undefined;
    })();
  }
}
