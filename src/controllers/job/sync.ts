// One Job reconcile: count finished pods, decide whether the job is done, failed or suspended,
// and otherwise keep the wanted number of pods running.
import type { JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Clock } from '../../apimachinery/clock.js';
import type { Logger } from '../../apimachinery/log.js';
import type { EventRecorder } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import type { ObjectStore } from '../../client/informer-types.js';
import { splitKey } from '../../client/informer-types.js';
import type { ResourceClient } from '../../client/rest.js';
import type { ReconcileResult } from '../../client/runner.js';
import {
  conditionTrue, formatTime, isFinished, MESSAGE_BACKOFF_LIMIT_EXCEEDED, MESSAGE_COMPLETIONS_REACHED,
  MESSAGE_DEADLINE_EXCEEDED, REASON_BACKOFF_LIMIT_EXCEEDED, REASON_COMPLETIONS_REACHED, REASON_DEADLINE_EXCEEDED,
  setCondition, findCondition,
} from './conditions.js';
import type { JobExpectations } from './expectations.js';
import { parseIndexes } from './indexes.js';
import {
  completionIndex, controllingJobName, controllingJobUid, deletionOrder, hasTrackingFinalizer, isActive, isIndexed,
  isReady, isTerminating, podFromTemplate, restartCount, type JobObject, type PodObject,
} from './pods.js';
import { removeFinalizer, trackFinishedPods } from './tracking.js';

/** Pod failures delay the next pod: 10s, doubling per failure since the last success, up to 10 minutes. */
export const POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

export interface JobSyncDeps {
  jobs: ResourceClient<JobObject>;
  pods: ResourceClient<PodObject>;
  jobStore: ObjectStore<JobObject>;
  podStore: ObjectStore<PodObject>;
  expectations: JobExpectations;
  recorder: EventRecorder;
  clock: Clock;
  logger: Logger;
}

interface Backoff { failures: number; last: number }

/** Milliseconds until new pods may be created after recent failures (0 when free to). */
function backoffRemaining(b: Backoff | undefined, now: number): number {
  if (!b || b.failures === 0) return 0;
  const delay = Math.min(POD_FAILURE_BACKOFF_MS * 2 ** (b.failures - 1), MAX_POD_FAILURE_BACKOFF_MS);
  return Math.max(0, b.last + delay - now);
}

export class JobSync {
  private readonly backoff = new Map<string, Backoff>();
  private readonly deletedByController = new Map<string, Set<string>>();

  constructor(private readonly d: JobSyncDeps) {}

  forgetJob(uid: string): void {
    this.backoff.delete(uid);
    this.deletedByController.delete(uid);
  }

  async sync(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const cached = this.d.jobStore.get(key);
    const inNamespace = this.d.podStore.byIndex('namespace', namespace ?? '');
    if (!cached) {
      this.d.expectations.forget(key);
      // The job is gone: its pods must not stay pinned by the tracking finalizer.
      await this.releaseAll(inNamespace.filter((p) => controllingJobName(p) === name && hasTrackingFinalizer(p)));
      return;
    }
    const uid = cached.metadata?.uid ?? '';
    const pods = inNamespace.filter((p) => controllingJobUid(p) === uid);
    // Pods of an earlier job of the same name.
    await this.releaseAll(inNamespace.filter((p) => controllingJobName(p) === name && controllingJobUid(p) !== uid && hasTrackingFinalizer(p)));

    const now = this.d.clock.now();
    const finished = isFinished(cached.status);
    const interimBefore = conditionTrue(cached.status, 'FailureTarget') || conditionTrue(cached.status, 'SuccessCriteriaMet');
    const deleting = Boolean(cached.metadata?.deletionTimestamp);
    const deletedByUs = this.deletedSet(uid);
    const tracked = await trackFinishedPods({
      key, job: cached, pods, finishing: finished || interimBefore || deleting, finished, deletedByController: deletedByUs,
      expectations: this.d.expectations, pods$: this.d.pods,
      writeStatus: (job, status) => this.d.jobs.updateStatus(namespace, { ...job, status }),
    });
    let job = tracked.job;
    const status = tracked.status;
    if (finished || deleting) return this.write(job, status);
    // The backoff record as it stands once this sync's counts are written; kept only if they are,
    // so a sync on a stale copy (whose write fails) cannot count a failure twice.
    const backoff = this.projectBackoff(uid, tracked.newSucceeded, tracked.newFailed, now);

    const indexed = isIndexed(job);
    const spec = job.spec!;
    const completions = spec.completions ?? undefined;
    const parallelism = spec.parallelism ?? 1;
    const gone = (p: PodObject) => tracked.released.has(p.metadata?.uid ?? '') && !isActive(p);
    const live = pods.filter((p) => !gone(p));
    let active = live.filter(isActive);
    let terminating = live.filter(isTerminating).length;
    const succeeded = (status.succeeded ?? 0) + (indexed ? 0 : status.uncountedTerminatedPods?.succeeded?.length ?? 0);
    const failed = (status.failed ?? 0) + (status.uncountedTerminatedPods?.failed?.length ?? 0);
    const completed = indexed ? parseIndexes(status.completedIndexes, completions ?? 0) : new Set<number>();
    let requeueAfterMs: number | undefined;

    // Has the job met its end?
    if (!interimBefore) {
      const deadlineMs = this.deadlineRemaining(job, status, now);
      if (this.pastBackoffLimit(job, failed, active)) {
        setCondition(status, 'FailureTarget', 'True', REASON_BACKOFF_LIMIT_EXCEEDED, MESSAGE_BACKOFF_LIMIT_EXCEEDED, now);
        this.d.recorder.event(job, 'Warning', REASON_BACKOFF_LIMIT_EXCEEDED, MESSAGE_BACKOFF_LIMIT_EXCEEDED);
      } else if (deadlineMs !== undefined && deadlineMs <= 0) {
        setCondition(status, 'FailureTarget', 'True', REASON_DEADLINE_EXCEEDED, MESSAGE_DEADLINE_EXCEEDED, now);
        this.d.recorder.event(job, 'Warning', REASON_DEADLINE_EXCEEDED, MESSAGE_DEADLINE_EXCEEDED);
      } else if (indexed ? completed.size >= (completions ?? 0)
        : completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0) {
        setCondition(status, 'SuccessCriteriaMet', 'True', REASON_COMPLETIONS_REACHED, MESSAGE_COMPLETIONS_REACHED, now);
      } else if (deadlineMs !== undefined) {
        requeueAfterMs = deadlineMs;
      }
    }

    const target = findCondition(status, 'FailureTarget')?.status === 'True' ? findCondition(status, 'FailureTarget')
      : findCondition(status, 'SuccessCriteriaMet')?.status === 'True' ? findCondition(status, 'SuccessCriteriaMet') : undefined;
    if (target) {
      // Finishing: stop what still runs; the final condition waits until no pod is left running.
      const deleted = await this.deletePods(key, job, active, false);
      terminating += deleted;
      active = active.slice(deleted);
      if (active.length === 0 && terminating === 0 && !status.uncountedTerminatedPods?.succeeded?.length
        && !status.uncountedTerminatedPods?.failed?.length) {
        if (target.type === 'SuccessCriteriaMet') {
          setCondition(status, 'Complete', 'True', target.reason ?? '', target.message ?? '', now);
          status.completionTime = formatTime(now);
          this.d.recorder.event(job, 'Normal', 'Completed', 'Job completed');
        } else {
          setCondition(status, 'Failed', 'True', target.reason ?? '', target.message ?? '', now);
        }
      }
    } else if (spec.suspend) {
      const deleted = await this.deletePods(key, job, active, true);
      terminating += deleted;
      active = active.slice(deleted);
      if (setCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) {
        this.d.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
      }
    } else {
      if (conditionTrue(status, 'Suspended')) {
        setCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
        this.d.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
        // The active deadline counts from the resume.
        status.startTime = formatTime(now);
      }
      status.startTime ??= formatTime(now);
      if (spec.activeDeadlineSeconds !== undefined && requeueAfterMs === undefined) {
        requeueAfterMs = this.deadlineRemaining(job, status, now);
      }
      if (this.d.expectations.satisfied(key)) {
        const managed = indexed
          ? await this.manageIndexed(key, job, active, completed, completions ?? 0, parallelism, now, backoff)
          : await this.manageNonIndexed(key, job, active, terminating, succeeded, completions, parallelism, now, backoff);
        active = managed.active;
        terminating += managed.deleted;
        if (managed.requeueAfterMs !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, managed.requeueAfterMs);
      }
    }

    const done = conditionTrue(status, 'Complete') || conditionTrue(status, 'Failed');
    status.active = done ? 0 : active.length;
    status.ready = done ? 0 : active.filter(isReady).length;
    status.terminating = terminating;
    job = await this.writeJob(job, status);
    if (backoff) this.backoff.set(uid, backoff);
    else this.backoff.delete(uid);
    return requeueAfterMs !== undefined ? { requeueAfterMs: Math.max(requeueAfterMs, 1) } : undefined;
  }

  private deletedSet(uid: string): Set<string> {
    let s = this.deletedByController.get(uid);
    if (!s) {
      s = new Set();
      this.deletedByController.set(uid, s);
    }
    return s;
  }

  private projectBackoff(uid: string, succeeded: number, failed: number, now: number): Backoff | undefined {
    let b = succeeded > 0 ? undefined : this.backoff.get(uid);
    if (failed > 0) b = { failures: (b?.failures ?? 0) + failed, last: now };
    return b;
  }

  private pastBackoffLimit(job: JobObject, failed: number, active: PodObject[]): boolean {
    const limit = job.spec?.backoffLimit ?? 6;
    if (failed > limit) return true;
    if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
    // Under OnFailure the kubelet restarts containers in place; those restarts count as retries.
    const restarts = active.reduce((n, p) => n + restartCount(p), 0);
    return limit === 0 ? restarts > 0 : restarts >= limit;
  }

  private deadlineRemaining(job: JobObject, status: JobStatus, now: number): number | undefined {
    const seconds = job.spec?.activeDeadlineSeconds;
    if (seconds === undefined || !status.startTime || job.spec?.suspend) return undefined;
    return Date.parse(status.startTime) + seconds * 1000 - now;
  }

  private async manageNonIndexed(
    key: string, job: JobObject, active: PodObject[], terminating: number, succeeded: number,
    completions: number | undefined, parallelism: number, now: number, backoff: Backoff | undefined,
  ): Promise<{ active: PodObject[]; deleted: number; requeueAfterMs?: number }> {
    let want: number;
    if (completions === undefined) want = succeeded > 0 ? Math.min(active.length, parallelism) : parallelism;
    else want = Math.max(0, Math.min(parallelism, completions - succeeded));
    if (active.length > want) {
      const excess = [...active].sort(deletionOrder).slice(0, active.length - want);
      const deleted = await this.deletePods(key, job, excess, true);
      const removed = new Set(excess.slice(0, deleted));
      return { active: active.filter((p) => !removed.has(p)), deleted };
    }
    const occupied = active.length + (job.spec?.podReplacementPolicy === 'Failed' ? terminating : 0);
    if (occupied >= want) return { active, deleted: 0 };
    const wait = backoffRemaining(backoff, now);
    if (wait > 0) return { active, deleted: 0, requeueAfterMs: wait };
    const created = await this.createPods(key, job, Array.from({ length: want - occupied }, () => undefined));
    return { active: [...active, ...created], deleted: 0 };
  }

  private async manageIndexed(
    key: string, job: JobObject, active: PodObject[], completed: Set<number>,
    completions: number, parallelism: number, now: number, backoff: Backoff | undefined,
  ): Promise<{ active: PodObject[]; deleted: number; requeueAfterMs?: number }> {
    // Keep one active pod per index still to complete; the rest go.
    const byIndex = new Map<number, PodObject>();
    const surplus: PodObject[] = [];
    for (const p of [...active].sort((a, b) => (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? ''))) {
      const ix = completionIndex(p, completions);
      if (ix === undefined || completed.has(ix) || byIndex.has(ix)) surplus.push(p);
      else byIndex.set(ix, p);
    }
    const want = Math.max(0, Math.min(parallelism, completions - completed.size));
    const kept = [...byIndex.entries()].sort((a, b) => a[0] - b[0]);
    while (kept.length > want) surplus.push(kept.pop()![1]);
    const deleted = surplus.length ? await this.deletePods(key, job, surplus, true) : 0;
    const keptPods = kept.map(([, p]) => p);
    if (deleted < surplus.length) return { active: [...keptPods, ...surplus.slice(deleted)], deleted };
    const busy = new Set(kept.map(([ix]) => ix));
    if (job.spec?.podReplacementPolicy === 'Failed') {
      for (const p of this.d.podStore.byIndex('namespace', job.metadata?.namespace ?? '')) {
        if (controllingJobUid(p) !== job.metadata?.uid || !isTerminating(p)) continue;
        const ix = completionIndex(p, completions);
        if (ix !== undefined) busy.add(ix);
      }
    }
    const missing: number[] = [];
    for (let ix = 0; ix < completions && keptPods.length + missing.length < want; ix++) {
      if (!completed.has(ix) && !busy.has(ix)) missing.push(ix);
    }
    if (missing.length === 0) return { active: keptPods, deleted };
    const wait = backoffRemaining(backoff, now);
    if (wait > 0) return { active: keptPods, deleted, requeueAfterMs: wait };
    const created = await this.createPods(key, job, missing);
    return { active: [...keptPods, ...created], deleted };
  }

  private async createPods(key: string, job: JobObject, indexes: (number | undefined)[]): Promise<PodObject[]> {
    const namespace = job.metadata?.namespace;
    this.d.expectations.expectCreates(key, indexes.length);
    const created: PodObject[] = [];
    for (let i = 0; i < indexes.length; i++) {
      try {
        const pod = await this.d.pods.create(namespace, podFromTemplate(job, indexes[i]));
        created.push(pod);
        this.d.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata?.name}`);
      } catch (e) {
        // This create and the ones not tried will not show up in the cache.
        for (let j = i; j < indexes.length; j++) this.d.expectations.observeCreate(key);
        this.d.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
        throw e;
      }
    }
    return created;
  }

  /** Deletes pods in order; returns how many were deleted before any failure (which is thrown). */
  private async deletePods(key: string, job: JobObject, pods: PodObject[], notFailures: boolean): Promise<number> {
    const uid = job.metadata?.uid ?? '';
    let n = 0;
    for (const pod of pods) {
      const podUid = pod.metadata?.uid ?? '';
      if (notFailures) this.deletedSet(uid).add(podUid);
      this.d.expectations.expectDelete(key, podUid);
      try {
        await this.d.pods.delete(pod.metadata?.namespace, pod.metadata?.name ?? '', { preconditions: { uid: podUid } });
        this.d.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`);
      } catch (e) {
        if (!isNotFound(e)) {
          this.d.expectations.cancel(key, podUid);
          this.d.recorder.event(job, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
          throw e;
        }
        this.d.expectations.observeDelete(key, podUid);
      }
      n++;
    }
    return n;
  }

  private async releaseAll(pods: PodObject[]): Promise<void> {
    for (const pod of pods) await removeFinalizer(this.d.pods, pod);
  }

  private async write(job: JobObject, status: JobStatus): Promise<ReconcileResult> {
    await this.writeJob(job, status);
    return undefined;
  }

  private async writeJob(job: JobObject, status: JobStatus): Promise<JobObject> {
    status.uncountedTerminatedPods ??= {};
    if (JSON.stringify(status) === JSON.stringify(job.status ?? {})) return job;
    try {
      return await this.d.jobs.updateStatus(job.metadata?.namespace, { ...job, status });
    } catch (e) {
      if (isNotFound(e)) return job;
      throw e;
    }
  }
}
