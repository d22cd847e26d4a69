// A work queue for level-triggered controllers: keys waiting are deduplicated, and a key is never
// handed to two workers at once; a key added while it is being processed runs again after `done`.
import type { Clock } from "../apimachinery/clock.js";
import { defaultControllerRateLimiter, type RateLimiter } from "./ratelimit.js";

export interface WorkQueueOptions {
  clock: Clock;
  rateLimiter?: RateLimiter;
  name?: string;
}

interface Delayed {
  readyAt: number;
  timer: { cancel(): void };
}

export class WorkQueue {
  readonly name: string;
  /** Keys accepted into the queue (adds of a key already waiting are not counted). */
  adds = 0;
  /** Keys handed to a worker and then marked done. */
  processed = 0;

  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter;
  // FIFO of keys ready for a worker; each key appears at most once. `head` avoids O(n) shifts.
  private queue: string[] = [];
  private head = 0;
  /** Keys that need processing: those in `queue`, plus processing keys added again. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, Delayed>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shutting = false;

  constructor(opts: WorkQueueOptions) {
    this.clock = opts.clock;
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter(opts.clock);
    this.name = opts.name ?? "";
  }

  add(key: string): void {
    if (this.shutting || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.adds++;
    if (this.processing.has(key)) return; // re-queued by done()
    this.queue.push(key);
    this.dispatch();
  }

  /** Adds the key after `ms`; if the key is already waiting for an earlier time, that time wins. */
  addAfter(key: string, ms: number): void {
    if (this.shutting) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.now() + ms;
    const existing = this.delayed.get(key);
    if (existing) {
      if (existing.readyAt <= readyAt) return;
      existing.timer.cancel();
    }
    const timer = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { readyAt, timer });
  }

  /** Adds the key once the rate limiter allows it (per-key backoff and overall rate). */
  addRateLimited(key: string): void {
    if (this.shutting) return;
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Stops tracking the key's failures; does not remove it from the queue. */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.retries(key);
  }

  /** Resolves with the next key, or undefined once shut down and drained. Pair with `done`. */
  get(): Promise<string | undefined> {
    if (this.waiters.length === 0 && this.head < this.queue.length) {
      return Promise.resolve(this.take());
    }
    if (this.shutting) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the key's processing finished; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    if (!this.processing.delete(key)) return;
    this.processed++;
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.dispatch();
    }
  }

  /** Keys ready for a worker (not counting delayed or processing keys). */
  len(): number {
    return this.queue.length - this.head;
  }

  /** Ignores further adds, drops delayed keys, and lets workers drain what is queued. */
  shutDown(): void {
    if (this.shutting) return;
    this.shutting = true;
    for (const d of this.delayed.values()) d.timer.cancel();
    this.delayed.clear();
    // Waiters exist only while the queue is empty, so there is nothing left for them.
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  shuttingDown(): boolean {
    return this.shutting;
  }

  private take(): string {
    const key = this.queue[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  private dispatch(): void {
    while (this.waiters.length > 0 && this.head < this.queue.length) {
      this.waiters.shift()!(this.take());
    }
  }
}
