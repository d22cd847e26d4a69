// Rate-limited re-running of one piece of work (kube-proxy's BoundedFrequencyRunner plays this
// part): requests coalesce into one pending timer, passes start no sooner than a minimum interval
// after the last one began, never overlap, and work that arrives during a pass schedules another.
import type { Clock } from './clock.js';

export interface BoundedRunnerOptions {
  clock: Clock;
  /** Least time between the starts of two passes. */
  minIntervalMs: number;
  /** One pass. A rejection is not caught here: it reaches whoever awaits the pass. */
  sync(): Promise<void>;
  /** Whether there is work: a pass without any is skipped, and work left after a pass schedules another. */
  pending(): boolean;
}

export class BoundedRunner {
  private timer: { cancel(): void } | undefined;
  private running: Promise<void> | undefined;
  private lastRunAt = Number.NEGATIVE_INFINITY;
  private stopped = false;

  constructor(private readonly opts: BoundedRunnerOptions) {}

  /** The pass under way, if any. */
  get inFlight(): Promise<void> | undefined {
    return this.running;
  }

  /**
   * Schedules a pass after `delayMs` and no sooner than the minimum interval after the last one.
   * Does nothing while a pass is already scheduled (the first request's delay holds) or once stopped.
   */
  request(delayMs = 0): void {
    if (this.stopped || this.timer) return;
    const wait = Math.max(delayMs, this.lastRunAt + this.opts.minIntervalMs - this.opts.clock.now(), 0);
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.running) {
        void this.running.then(() => this.request());
        return;
      }
      void this.run();
    }, wait);
  }

  /** Runs a pass now (after the one under way, if any), ignoring the minimum interval. */
  run(): Promise<void> {
    if (this.running) return this.running.then(() => this.run());
    if (this.stopped || !this.opts.pending()) return Promise.resolve();
    this.lastRunAt = this.opts.clock.now();
    const pass = this.opts.sync().finally(() => {
      this.running = undefined;
      if (this.opts.pending()) this.request();
    });
    this.running = pass;
    return pass;
  }

  /** Cancels the scheduled pass and refuses new ones; resolves when the pass under way ends. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.running;
  }
}
