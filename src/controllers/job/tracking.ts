// Counting finished pods exactly once, as Kubernetes does with the job-tracking finalizer: a
// finished pod's uid is first recorded in status.uncountedTerminatedPods, then its finalizer is
// removed, and only then is it moved into the succeeded/failed counters. A crash between steps
// leaves the uid recorded, so the next sync finishes the move instead of counting it again.
import type { JobStatus } from 'kubernetes-types/batch/v1.js';
import { isNotFound } from '../../client/errors.js';
import type { ResourceClient } from '../../client/rest.js';
import type { JobExpectations } from './expectations.js';
import { formatIndexes, parseIndexes } from './indexes.js';
import {
  completionIndex, consideredFailed, hasTrackingFinalizer, isIndexed, isTerminal, TRACKING_FINALIZER,
  type JobObject, type PodObject,
} from './pods.js';

export interface TrackingInput {
  key: string;
  job: JobObject;
  pods: PodObject[];
  /** The job is done or on its way to done: every pod's finalizer goes, unfinished ones count as failed. */
  finishing: boolean;
  /** The job already has its final condition: release pods without counting them. */
  finished: boolean;
  /** Pods this controller deleted itself (suspension, scale-down): not failures. */
  deletedByController: Set<string>;
  expectations: JobExpectations;
  pods$: ResourceClient<PodObject>;
  writeStatus(job: JobObject, status: JobStatus): Promise<JobObject>;
}

export interface TrackingResult {
  job: JobObject;
  /** The status with finished pods counted (not yet written). */
  status: JobStatus;
  newSucceeded: number;
  newFailed: number;
  /** Pods whose finalizer this sync removed or found removed. */
  released: Set<string>;
}

/** Removes the tracking finalizer, only if it is still where the cached pod had it. */
export async function removeFinalizer(pods: ResourceClient<PodObject>, pod: PodObject): Promise<void> {
  const i = pod.metadata?.finalizers?.indexOf(TRACKING_FINALIZER) ?? -1;
  if (i < 0) return;
  const patch = [
    { op: 'test', path: `/metadata/finalizers/${i}`, value: TRACKING_FINALIZER },
    { op: 'remove', path: `/metadata/finalizers/${i}` },
  ];
  try {
    await pods.patch(pod.metadata?.namespace, pod.metadata?.name ?? '', patch, 'json');
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

export async function trackFinishedPods(input: TrackingInput): Promise<TrackingResult> {
  const { key, pods, finishing, finished, expectations } = input;
  let job = input.job;
  const status: JobStatus = structuredClone(job.status ?? {});
  const indexed = isIndexed(job);
  const completions = job.spec?.completions ?? 0;
  const uncSucceeded = new Set(status.uncountedTerminatedPods?.succeeded ?? []);
  const uncFailed = new Set(status.uncountedTerminatedPods?.failed ?? []);
  const completed = indexed ? parseIndexes(status.completedIndexes, completions) : new Set<number>();
  const toRelease: PodObject[] = [];
  let recorded = false;

  for (const pod of pods) {
    const uid = pod.metadata?.uid ?? '';
    if (!hasTrackingFinalizer(pod) || expectations.finalizerRemovalPending(key, uid)) continue;
    const deletedByUs = input.deletedByController.has(uid);
    const failed = consideredFailed(pod, job) && !deletedByUs;
    if (isTerminal(pod) || pod.metadata?.deletionTimestamp || finishing) toRelease.push(pod);
    if (finished) continue;
    if (pod.status?.phase === 'Succeeded' && !uncFailed.has(uid)) {
      if (indexed) {
        const ix = completionIndex(pod, completions);
        // A second success for an index, or one without a valid index, is not counted.
        if (ix === undefined || completed.has(ix)) continue;
        completed.add(ix);
      }
      if (!uncSucceeded.has(uid)) {
        uncSucceeded.add(uid);
        recorded = true;
      }
    } else if ((failed || (finishing && !deletedByUs)) && !uncFailed.has(uid) && !uncSucceeded.has(uid)) {
      uncFailed.add(uid);
      recorded = true;
    }
  }

  const uncounted = () => ({
    ...(uncSucceeded.size ? { succeeded: [...uncSucceeded] } : {}),
    ...(uncFailed.size ? { failed: [...uncFailed] } : {}),
  });
  if (indexed && !finished) {
    status.completedIndexes = formatIndexes(completed);
    status.succeeded = completed.size;
  }
  if (recorded) {
    status.uncountedTerminatedPods = uncounted();
    job = await input.writeStatus(job, status);
  }

  const released = new Set<string>();
  let failure: unknown;
  for (const pod of toRelease) {
    const uid = pod.metadata?.uid ?? '';
    expectations.expectFinalizerRemoved(key, uid);
    try {
      await removeFinalizer(input.pods$, pod);
      released.add(uid);
    } catch (e) {
      expectations.cancel(key, uid);
      failure ??= e;
    }
  }

  // Move recorded pods whose finalizer is gone into the counters.
  const byUid = new Map(pods.map((p) => [p.metadata?.uid ?? '', p]));
  const isReleased = (uid: string): boolean => {
    const pod = byUid.get(uid);
    return !pod || !hasTrackingFinalizer(pod) || released.has(uid) || expectations.finalizerRemovalPending(key, uid);
  };
  let newSucceeded = 0;
  let newFailed = 0;
  for (const uid of [...uncSucceeded]) {
    if (!isReleased(uid)) continue;
    uncSucceeded.delete(uid);
    newSucceeded++;
  }
  for (const uid of [...uncFailed]) {
    if (!isReleased(uid)) continue;
    uncFailed.delete(uid);
    newFailed++;
  }
  if (!indexed) status.succeeded = (status.succeeded ?? 0) + newSucceeded;
  status.failed = (status.failed ?? 0) + newFailed;
  status.uncountedTerminatedPods = uncounted();
  if (failure) {
    // Keep what was counted: write it, then retry the rest.
    if (newSucceeded || newFailed) await input.writeStatus(job, status);
    throw failure;
  }
  return { job, status, newSucceeded, newFailed, released };
}
