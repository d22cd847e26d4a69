// What a job's last sync asked of the API and the informers have not shown yet: pods created,
// pods deleted and tracking finalizers removed. Until the cache catches up a sync must not act
// on a stale picture (creating pods twice, or counting a pod twice).
import type { Clock } from '../../apimachinery/clock.js';

/** After this long an expectation is given up on, so a lost watch event cannot wedge a job. */
const EXPECTATION_TTL_MS = 5 * 60 * 1000;

interface Pending {
  /** Pod creations asked for and not yet seen (names are not known until the server answers). */
  creates: number;
  deletes: Set<string>;
  finalizers: Set<string>;
  since: number;
}

export class JobExpectations {
  private readonly byJob = new Map<string, Pending>();

  constructor(private readonly clock: Clock) {}

  private entry(job: string): Pending {
    let p = this.byJob.get(job);
    if (!p) {
      p = { creates: 0, deletes: new Set(), finalizers: new Set(), since: this.clock.now() };
      this.byJob.set(job, p);
    }
    return p;
  }

  expectCreates(job: string, count: number): void {
    const p = this.entry(job);
    p.creates += count;
    p.since = this.clock.now();
  }

  expectDelete(job: string, podUid: string): void {
    const p = this.entry(job);
    p.deletes.add(podUid);
    p.since = this.clock.now();
  }

  expectFinalizerRemoved(job: string, podUid: string): void {
    this.entry(job).finalizers.add(podUid);
  }

  /** A pod of the job appeared, or a create asked for failed. */
  observeCreate(job: string): void {
    const p = this.byJob.get(job);
    if (p && p.creates > 0) p.creates--;
  }

  observeDelete(job: string, podUid: string): void {
    const p = this.byJob.get(job);
    p?.deletes.delete(podUid);
    p?.finalizers.delete(podUid);
  }

  /** The pod now has a deletionTimestamp: a delete asked for has taken effect. */
  observeDeletionStarted(job: string, podUid: string): void {
    this.byJob.get(job)?.deletes.delete(podUid);
  }

  observeFinalizerGone(job: string, podUid: string): void {
    this.byJob.get(job)?.finalizers.delete(podUid);
  }

  /** A delete that failed, or a finalizer removal that failed. */
  cancel(job: string, podUid: string): void {
    const p = this.byJob.get(job);
    p?.deletes.delete(podUid);
    p?.finalizers.delete(podUid);
  }

  /** Whether the pod's finalizer was removed by this controller but the cache still shows it. */
  finalizerRemovalPending(job: string, podUid: string): boolean {
    return this.byJob.get(job)?.finalizers.has(podUid) ?? false;
  }

  /** Whether creates and deletes asked for have all been seen (or have expired). */
  satisfied(job: string): boolean {
    const p = this.byJob.get(job);
    if (!p || (p.creates === 0 && p.deletes.size === 0)) return true;
    if (this.clock.now() - p.since > EXPECTATION_TTL_MS) {
      p.creates = 0;
      p.deletes.clear();
      return true;
    }
    return false;
  }

  forget(job: string): void {
    this.byJob.delete(job);
  }
}
