// One CronJob reconcile: reconcile the active list with the jobs that exist, start the job for
// the most recent schedule time if it is due and allowed, trim the finished-job history, and ask
// to be looked at again at the next schedule time.
import type { CronJob, CronJobStatus, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../apimachinery/clock.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { EventRecorder } from '../../client/controller.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import type { ObjectStore } from '../../client/informer-types.js';
import { splitKey } from '../../client/informer-types.js';
import type { ResourceClient } from '../../client/rest.js';
import type { ReconcileResult } from '../../client/runner.js';
import { isKnownTimeZone } from '../../api/resources/batch/cron-schedule.js';
import { mostRecentScheduleTime, nextScheduleTime, parseSchedule, type Schedule } from './schedule.js';
import { formatInZone } from './timezone.js';

export type CronJobObject = CronJob & KubeObject;
export type JobObject = Job & KubeObject;

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** Woken a little after the schedule time so that the time has surely come. */
const NEXT_SCHEDULE_DELTA_MS = 100;

export interface CronJobSyncDeps {
  cronJobs: ResourceClient<CronJobObject>;
  jobs: ResourceClient<JobObject>;
  cronJobStore: ObjectStore<CronJobObject>;
  jobStore: ObjectStore<JobObject>;
  recorder: EventRecorder;
  clock: Clock;
}

function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The name of the job for a schedule time: deterministic, so a time is never started twice. */
export function jobNameFor(cronJobName: string, scheduledMs: number): string {
  return `${cronJobName}-${Math.floor(scheduledMs / 60_000)}`;
}

function finishedType(job: JobObject): 'Complete' | 'Failed' | undefined {
  const c = job.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return c?.type as 'Complete' | 'Failed' | undefined;
}

export function controllingCronJobUid(job: KubeObject): string | undefined {
  const ref = job.metadata?.ownerReferences?.find((r) => r.controller);
  return ref && ref.kind === 'CronJob' && ref.apiVersion?.startsWith('batch/') ? ref.uid : undefined;
}

export function controllingCronJobName(job: KubeObject): string | undefined {
  const ref = job.metadata?.ownerReferences?.find((r) => r.controller);
  return ref && ref.kind === 'CronJob' && ref.apiVersion?.startsWith('batch/') ? ref.name : undefined;
}

export class CronJobSync {
  constructor(private readonly d: CronJobSyncDeps) {}

  async sync(key: string): Promise<ReconcileResult> {
    const { namespace } = splitKey(key);
    const cj = this.d.cronJobStore.get(key);
    if (!cj) return;
    const now = this.d.clock.now();
    const uid = cj.metadata?.uid ?? '';
    const children = this.d.jobStore.byIndex('namespace', namespace ?? '').filter((j) => controllingCronJobUid(j) === uid);
    const status: CronJobStatus = structuredClone(cj.status ?? {});
    await this.reconcileActive(cj, status, children);

    const result = await this.schedule(cj, status, now);
    await this.writeStatus(cj, status);
    await this.cleanupHistory(cj, children.filter((j) => !(status.active ?? []).some((r) => r.uid === j.metadata?.uid)));
    return result;
  }

  /** Drops finished and vanished jobs from the active list and notes the latest success. */
  private async reconcileActive(cj: CronJobObject, status: CronJobStatus, children: JobObject[]): Promise<void> {
    let active = status.active ?? [];
    for (const job of children) {
      const found = active.some((r) => r.uid === job.metadata?.uid);
      const finished = finishedType(job);
      if (!found && !finished) {
        this.d.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${job.metadata?.name}`);
      } else if (found && finished) {
        active = active.filter((r) => r.uid !== job.metadata?.uid);
        this.d.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata?.name}, condition: ${finished}`);
        const completed = job.status?.completionTime;
        if (finished === 'Complete' && completed && (!status.lastSuccessfulTime || Date.parse(completed) > Date.parse(status.lastSuccessfulTime))) {
          status.lastSuccessfulTime = completed;
        }
      }
    }
    const kept: ObjectReference[] = [];
    for (const ref of active) {
      if (children.some((j) => j.metadata?.uid === ref.uid)) {
        kept.push(ref);
        continue;
      }
      // Not in the cache: ask the server before forgetting it.
      try {
        const job = await this.d.jobs.get(ref.namespace ?? cj.metadata?.namespace, ref.name ?? '');
        if (job.metadata?.uid === ref.uid) {
          kept.push(ref);
          continue;
        }
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      this.d.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
    }
    status.active = kept;
  }

  private async schedule(cj: CronJobObject, status: CronJobStatus, now: number): Promise<ReconcileResult> {
    const spec = cj.spec;
    if (!spec || cj.metadata?.deletionTimestamp || spec.suspend) return undefined;
    if (spec.timeZone !== undefined && !isKnownTimeZone(spec.timeZone)) {
      this.d.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(spec.timeZone)}`);
      return undefined;
    }
    let sched: Schedule;
    try {
      sched = parseSchedule(spec.schedule, spec.timeZone);
    } catch (e) {
      this.d.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${(e as Error).message}`);
      return undefined;
    }
    let earliest = Date.parse(status.lastScheduleTime ?? cj.metadata?.creationTimestamp ?? '') || now;
    const deadline = spec.startingDeadlineSeconds;
    if (deadline !== undefined) earliest = Math.max(earliest, now - deadline * 1000);
    const recent = mostRecentScheduleTime(sched, earliest, now);
    if (recent.missed > 100) {
      this.d.recorder.event(cj, 'Warning', 'TooManyMissedTimes',
        `too many missed start times: ${recent.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
    }
    const next = nextScheduleTime(sched, now);
    const requeue: ReconcileResult = next === undefined ? undefined : { requeueAfterMs: next - now + NEXT_SCHEDULE_DELTA_MS };
    const scheduled = recent.time;
    if (scheduled === undefined) return requeue;
    if (deadline !== undefined && scheduled + deadline * 1000 < now) {
      this.d.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${formatInZone(scheduled, sched.timeZone)}`);
      return requeue;
    }
    const name = jobNameFor(cj.metadata?.name ?? '', scheduled);
    const active = status.active ?? [];
    if (active.some((r) => r.name === name) || status.lastScheduleTime === formatTime(scheduled)) return requeue;
    if (spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
      // The time stays unmet, so it starts once the running job is done (if still within the deadline).
      this.d.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return requeue;
    }
    if (spec.concurrencyPolicy === 'Replace') {
      for (const ref of [...active]) {
        try {
          await this.d.jobs.delete(ref.namespace ?? cj.metadata?.namespace, ref.name ?? '', { propagationPolicy: 'Background' });
        } catch (e) {
          if (!isNotFound(e)) {
            this.d.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${(e as Error).message}`);
            throw e;
          }
        }
        this.d.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${ref.name}`);
        status.active = (status.active ?? []).filter((r) => r.uid !== ref.uid);
      }
    }
    let job: JobObject;
    try {
      job = await this.d.jobs.create(cj.metadata?.namespace, this.jobFromTemplate(cj, name, scheduled, sched.timeZone));
      this.d.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
    } catch (e) {
      if (!isAlreadyExists(e)) {
        this.d.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
        throw e;
      }
      // Created by an earlier sync whose status write was lost: adopt it if it is ours.
      job = await this.d.jobs.get(cj.metadata?.namespace, name);
      if (controllingCronJobUid(job) !== cj.metadata?.uid) return requeue;
      if (finishedType(job)) {
        status.lastScheduleTime = formatTime(scheduled);
        return requeue;
      }
    }
    if (!(status.active ?? []).some((r) => r.uid === job.metadata?.uid)) {
      (status.active ??= []).push({
        apiVersion: 'batch/v1', kind: 'Job', namespace: job.metadata?.namespace, name: job.metadata?.name,
        uid: job.metadata?.uid, resourceVersion: job.metadata?.resourceVersion,
      });
    }
    status.lastScheduleTime = formatTime(scheduled);
    return requeue;
  }

  private jobFromTemplate(cj: CronJobObject, name: string, scheduled: number, zone: string): JobObject {
    const template = structuredClone(cj.spec?.jobTemplate ?? {});
    return {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: cj.metadata?.namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        annotations: { ...(template.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: formatInZone(scheduled, zone) },
        ownerReferences: [{
          apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata?.name ?? '', uid: cj.metadata?.uid ?? '',
          controller: true, blockOwnerDeletion: true,
        }],
      },
      spec: template.spec ?? { template: {} },
    } as JobObject;
  }

  private async writeStatus(cj: CronJobObject, status: CronJobStatus): Promise<void> {
    if (status.active?.length === 0) delete status.active;
    if (JSON.stringify(status) === JSON.stringify(cj.status ?? {})) return;
    try {
      await this.d.cronJobs.updateStatus(cj.metadata?.namespace, { ...cj, status });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Deletes the oldest finished jobs beyond the history limits. */
  private async cleanupHistory(cj: CronJobObject, finishedCandidates: JobObject[]): Promise<void> {
    const started = (j: JobObject) => Date.parse(j.status?.startTime ?? j.metadata?.creationTimestamp ?? '') || 0;
    const limits: ['Complete' | 'Failed', number | undefined][] = [
      ['Complete', cj.spec?.successfulJobsHistoryLimit], ['Failed', cj.spec?.failedJobsHistoryLimit],
    ];
    for (const [type, limit] of limits) {
      if (limit === undefined) continue;
      const jobs = finishedCandidates.filter((j) => finishedType(j) === type && !j.metadata?.deletionTimestamp).sort((a, b) => started(a) - started(b));
      for (const job of jobs.slice(0, Math.max(0, jobs.length - limit))) {
        try {
          await this.d.jobs.delete(job.metadata?.namespace, job.metadata?.name ?? '', { propagationPolicy: 'Background' });
          this.d.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata?.name}`);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
    }
  }
}
