// The TTL-after-finished controller: deletes a finished Job (Complete or Failed) once
// spec.ttlSecondsAfterFinished seconds have passed since it finished, its pods going with it
// through background propagation.
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { Controller } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import { objectKey, splitKey } from '../../client/informer-types.js';
import { resourceForKind } from '../../client/rest.js';
import type { ReconcileResult } from '../../client/runner.js';
import { runWorkers } from '../../client/runner.js';
import { WorkQueue } from '../../client/workqueue.js';
import { cachesSynced } from '../../client/cache-sync.js';

type JobObject = Job & KubeObject;

/** When the job finished (its Complete or Failed condition's transition time), if it has. */
export function finishTime(job: JobObject): number | undefined {
  const c = job.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  if (!c) return undefined;
  const t = Date.parse(c.lastTransitionTime ?? '');
  return Number.isNaN(t) ? undefined : t;
}

/** Milliseconds until the job is due for deletion (≤ 0 when due); undefined when it never is. */
export function timeLeft(job: JobObject, now: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata?.deletionTimestamp) return undefined;
  const finished = finishTime(job);
  if (finished === undefined) return undefined;
  return finished + ttl * 1000 - now;
}

function needsCleanup(job: JobObject): boolean {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  return ttl !== undefined && ttl !== null && !job.metadata?.deletionTimestamp && finishTime(job) !== undefined;
}

export const ttlAfterFinishedController: Controller = {
  name: 'ttlafterfinished',
  async run(ctx, signal) {
    const log = ctx.logger.with({ component: 'ttl-after-finished-controller' });
    const queue = new WorkQueue({ clock: ctx.clock, name: 'ttlafterfinished' });
    const jobInformer = ctx.informers.informer<JobObject>(resourceForKind('batch/v1', 'Job'));
    const jobs = ctx.client.kind<JobObject>('batch/v1', 'Job');

    const enqueue = (job: JobObject): void => {
      if (needsCleanup(job)) queue.add(objectKey(job));
    };
    jobInformer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, job) => enqueue(job) });

    const reconcile = async (key: string): Promise<ReconcileResult> => {
      const cached = jobInformer.store.get(key);
      if (!cached) return;
      const left = timeLeft(cached, ctx.clock.now());
      if (left === undefined) return;
      if (left > 0) return { requeueAfterMs: left };
      // The cache may be behind (the TTL changed, the job restarted): decide on the server's copy.
      const { namespace, name } = splitKey(key);
      let fresh: JobObject;
      try {
        fresh = await jobs.get(namespace, name);
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      const freshLeft = timeLeft(fresh, ctx.clock.now());
      if (freshLeft === undefined) return;
      if (freshLeft > 0) return { requeueAfterMs: freshLeft };
      try {
        await jobs.delete(namespace, name, { propagationPolicy: 'Background', preconditions: { uid: fresh.metadata?.uid } });
        log.info('deleted finished job past its TTL', { job: key });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    };

    if (!(await cachesSynced(ctx.informers, signal))) return;
    await runWorkers(queue, reconcile, {
      workers: ctx.options.workers,
      signal,
      onError: (key, err) => log.warn('cleaning up finished job failed, will retry', { job: key, error: String(err) }),
    });
  },
};
