// Creations and deletions a sync asked for and has not yet seen in the pod cache. Until they are
// seen (or time out), the next sync must not act on the stale cache — it would create the same
// pods again.
import type { Clock } from '../../apimachinery/clock.js';

interface Pending {
  adds: number;
  deletes: Set<string>;
  at: number;
}

/** Expectations older than this are considered met: a lost watch event must not wedge a DaemonSet. */
export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

export class Expectations {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly clock: Clock, private readonly ttlMs = EXPECTATIONS_TTL_MS) {}

  expect(key: string, adds: number, deleteUids: string[]): void {
    this.pending.set(key, { adds, deletes: new Set(deleteUids), at: this.clock.now() });
  }

  creationObserved(key: string): void {
    const p = this.pending.get(key);
    if (p && p.adds > 0) p.adds--;
  }

  deletionObserved(key: string, uid: string | undefined): void {
    if (uid) this.pending.get(key)?.deletes.delete(uid);
  }

  satisfied(key: string): boolean {
    const p = this.pending.get(key);
    if (!p) return true;
    if (p.adds <= 0 && p.deletes.size === 0) return true;
    return this.clock.now() - p.at > this.ttlMs;
  }

  forget(key: string): void {
    this.pending.delete(key);
  }
}
