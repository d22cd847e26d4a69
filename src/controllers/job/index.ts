// The Job controller: runs a Job's pods to the wanted number of completions, retrying failures up
// to the backoff limit, honouring the active deadline and suspension, and reporting it all in the
// Job's status and conditions.
import type { Controller } from '../../client/controller.js';
import { objectKey } from '../../client/informer-types.js';
import { resourceForKind } from '../../client/rest.js';
import { runWorkers } from '../../client/runner.js';
import { WorkQueue } from '../../client/workqueue.js';
import { JobExpectations } from './expectations.js';
import { controllingJobName, hasTrackingFinalizer, type JobObject, type PodObject } from './pods.js';
import { JobSync } from './sync.js';
import { cachesSynced } from '../../client/cache-sync.js';

export { JobSync } from './sync.js';
export { formatIndexes, parseIndexes } from './indexes.js';
export { COMPLETION_INDEX_KEY, TRACKING_FINALIZER } from './pods.js';

export const jobController: Controller = {
  name: 'job',
  async run(ctx, signal) {
    const log = ctx.logger.with({ component: 'job-controller' });
    const queue = new WorkQueue({ clock: ctx.clock, name: 'job' });
    const jobInformer = ctx.informers.informer<JobObject>(resourceForKind('batch/v1', 'Job'));
    const podInformer = ctx.informers.informer<PodObject>(resourceForKind('v1', 'Pod'));
    const expectations = new JobExpectations(ctx.clock);
    const syncer = new JobSync({
      jobs: ctx.client.kind<JobObject>('batch/v1', 'Job'),
      pods: ctx.client.kind<PodObject>('v1', 'Pod'),
      jobStore: jobInformer.store,
      podStore: podInformer.store,
      expectations,
      recorder: ctx.recorder('job-controller'),
      clock: ctx.clock,
      logger: log,
    });

    const jobKeyOf = (pod: PodObject): string | undefined => {
      const name = controllingJobName(pod);
      return name && pod.metadata?.namespace ? `${pod.metadata.namespace}/${name}` : undefined;
    };
    jobInformer.addEventHandler({
      onAdd: (job) => queue.add(objectKey(job)),
      onUpdate: (_old, job) => queue.add(objectKey(job)),
      onDelete: (job) => {
        syncer.forgetJob(job.metadata?.uid ?? '');
        queue.add(objectKey(job));
      },
    });
    podInformer.addEventHandler({
      onAdd: (pod) => {
        const key = jobKeyOf(pod);
        if (!key) return;
        if (!pod.metadata?.deletionTimestamp) expectations.observeCreate(key);
        queue.add(key);
      },
      onUpdate: (old, pod) => {
        const key = jobKeyOf(pod);
        if (!key) return;
        const uid = pod.metadata?.uid ?? '';
        if (pod.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp) expectations.observeDeletionStarted(key, uid);
        if (hasTrackingFinalizer(old) && !hasTrackingFinalizer(pod)) expectations.observeFinalizerGone(key, uid);
        queue.add(key);
      },
      onDelete: (pod) => {
        const key = jobKeyOf(pod);
        if (!key) return;
        expectations.observeDelete(key, pod.metadata?.uid ?? '');
        queue.add(key);
      },
    });

    if (!(await cachesSynced(ctx.informers, signal))) return;
    await runWorkers(queue, (key) => syncer.sync(key), {
      workers: ctx.options.workers,
      signal,
      onError: (key, err) => log.warn('syncing job failed, will retry', { job: key, error: String(err) }),
    });
  },
};
