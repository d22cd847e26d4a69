// Rate limiters decide how long a key waits before it is handed to a worker again.
import type { Clock } from "../apimachinery/clock.js";

export interface RateLimiter {
  /** Milliseconds the key should wait before it is queued again; records one more failure. */
  when(key: string): number;
  /** Clears the key's failure history (call after a successful reconcile). */
  forget(key: string): void;
  /** How many times `when` has been asked for the key since it was last forgotten. */
  retries(key: string): number;
}

/** Per-key exponential backoff: base * 2^failures, capped at max. */
export class ItemExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
  ) {
    if (!(baseMs >= 0) || !(maxMs >= 0)) throw new RangeError("backoff bounds must be non-negative");
  }

  when(key: string): number {
    const exp = this.failures.get(key) ?? 0;
    this.failures.set(key, exp + 1);
    const backoff = this.baseMs * 2 ** exp;
    // 2^exp overflows to Infinity for long-failing keys; the cap still applies.
    return Number.isFinite(backoff) && backoff < this.maxMs ? backoff : this.maxMs;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

export interface BucketRateLimiterOptions {
  clock: Clock;
  /** Tokens added per second; Infinity disables the limit. */
  qps?: number;
  /** Bucket size: how many keys may pass at once before spacing starts. */
  burst?: number;
}

/**
 * Overall token bucket shared by all keys. Each `when` reserves one token; a reservation made
 * while the bucket is empty waits until its token will have been refilled, so callers are spaced
 * 1/qps apart once the burst is spent.
 */
export class BucketRateLimiter implements RateLimiter {
  private readonly clock: Clock;
  private readonly qps: number;
  private readonly burst: number;
  private tokens: number;
  private last: number;

  constructor(opts: BucketRateLimiterOptions) {
    this.clock = opts.clock;
    this.qps = opts.qps ?? 10;
    this.burst = opts.burst ?? 100;
    if (!(this.qps > 0)) throw new RangeError("qps must be positive");
    if (!(this.burst >= 1)) throw new RangeError("burst must be at least 1");
    this.tokens = this.burst;
    this.last = this.clock.now();
  }

  when(_key: string): number {
    if (this.qps === Infinity) return 0;
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
      this.last = now;
    }
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.qps;
  }

  forget(_key: string): void {}

  retries(_key: string): number {
    return 0;
  }
}

/** Combines limiters: a key waits as long as the strictest of them says. */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: readonly RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(key: string): number {
    // Every limiter must record the request, so no short-circuiting.
    let wait = 0;
    for (const l of this.limiters) wait = Math.max(wait, l.when(key));
    return wait;
  }

  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }

  retries(key: string): number {
    let n = 0;
    for (const l of this.limiters) n = Math.max(n, l.retries(key));
    return n;
  }
}

/** Per-key backoff from 5 ms to 1000 s, and no more than 10 qps (burst 100) overall. */
export function defaultControllerRateLimiter(clock: Clock): RateLimiter {
  return new MaxOfRateLimiter(
    new ItemExponentialRateLimiter(5, 1_000_000),
    new BucketRateLimiter({ clock, qps: 10, burst: 100 }),
  );
}
