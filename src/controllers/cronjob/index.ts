// The CronJob controller: starts Jobs from a CronJob's template at the times its schedule names,
// in its time zone, under its concurrency policy and starting deadline, and keeps a bounded
// history of finished Jobs.
import type { Controller } from '../../client/controller.js';
import { objectKey } from '../../client/informer-types.js';
import { resourceForKind } from '../../client/rest.js';
import { runWorkers } from '../../client/runner.js';
import { WorkQueue } from '../../client/workqueue.js';
import { controllingCronJobName, CronJobSync, type CronJobObject, type JobObject } from './sync.js';
import { cachesSynced } from '../../client/cache-sync.js';

export { CronJobSync, jobNameFor, SCHEDULED_TIMESTAMP_ANNOTATION } from './sync.js';
export { mostRecentScheduleTime, nextScheduleTime, parseSchedule, type Schedule } from './schedule.js';
export { formatInZone, wallClock } from './timezone.js';

export const cronJobController: Controller = {
  name: 'cronjob',
  async run(ctx, signal) {
    const log = ctx.logger.with({ component: 'cronjob-controller' });
    const queue = new WorkQueue({ clock: ctx.clock, name: 'cronjob' });
    const cronJobInformer = ctx.informers.informer<CronJobObject>(resourceForKind('batch/v1', 'CronJob'));
    const jobInformer = ctx.informers.informer<JobObject>(resourceForKind('batch/v1', 'Job'));
    const syncer = new CronJobSync({
      cronJobs: ctx.client.kind<CronJobObject>('batch/v1', 'CronJob'),
      jobs: ctx.client.kind<JobObject>('batch/v1', 'Job'),
      cronJobStore: cronJobInformer.store,
      jobStore: jobInformer.store,
      recorder: ctx.recorder('cronjob-controller'),
      clock: ctx.clock,
    });

    cronJobInformer.addEventHandler({
      onAdd: (cj) => queue.add(objectKey(cj)),
      onUpdate: (_old, cj) => queue.add(objectKey(cj)),
    });
    const enqueueOwner = (job: JobObject): void => {
      const owner = controllingCronJobName(job);
      if (owner && job.metadata?.namespace) queue.add(`${job.metadata.namespace}/${owner}`);
    };
    jobInformer.addEventHandler({ onAdd: enqueueOwner, onUpdate: (_old, job) => enqueueOwner(job), onDelete: enqueueOwner });

    if (!(await cachesSynced(ctx.informers, signal))) return;
    await runWorkers(queue, (key) => syncer.sync(key), {
      workers: ctx.options.workers,
      signal,
      onError: (key, err) => log.warn('syncing cronjob failed, will retry', { cronjob: key, error: String(err) }),
    });
  },
};
