// Verified tokens remembered by the sha256 of the token (never the token itself), each until
// its own expiry or the cache's time-to-live, whichever is sooner; oldest dropped first when full.
import { createHash } from 'node:crypto';

export class TokenCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();

  constructor(private readonly ttlMs = 5 * 60_000, private readonly maxEntries = 4096) {}

  private static key(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('hex');
  }

  get(token: string, now: number): T | undefined {
    const key = TokenCache.key(token);
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** Remembers `value` until `expiresAt` (ms) at the latest. */
  set(token: string, value: T, expiresAt: number, now: number): void {
    const until = Math.min(expiresAt, now + this.ttlMs);
    if (until <= now) return;
    const key = TokenCache.key(token);
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { value, until });
  }

  get size(): number {
    return this.entries.size;
  }
}
