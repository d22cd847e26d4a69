// batch/v1 CronJob.
import type { FieldError } from '../../../apimachinery/status.js';
import type { CronJob, CronJobSpec, JobTemplateSpec } from 'kubernetes-types/batch/v1.js';
import { AGE_COLUMN, templateColumns } from '../shared/columns.js';
import { age, boolPtrCell, containerCells, selectorCell, since } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import { statusSubresource } from '../shared/subresources.js';
import { goLabelSelector } from '../shared/go-values.js';
import { invalid, nonNegative, notSupported, required } from '../shared/field-errors.js';
import { isSet } from '../shared/is-set.js';
import { isKnownTimeZone, parseCronSchedule } from './cron-schedule.js';
import { setJobTemplateDefaults, validateJobSpecFields } from './job.js';

/** The cronjob controller appends an 11-character suffix to job names, which stay DNS labels. */
const MAX_CRONJOB_NAME_LENGTH = 52;
const TZ_COMPONENT = /^[A-Za-z.\-_0-9+]{1,14}$/;

export function setCronJobDefaults(cj: CronJob): void {
  const spec = (cj.spec ??= {} as CronJobSpec);
  spec.concurrencyPolicy ||= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  // Only the pod template inside the job template is defaulted, not the job spec itself.
  setJobTemplateDefaults(spec.jobTemplate?.spec?.template);
}

function validateSchedule(schedule: string, allowTZ: boolean, timeZone: string | undefined): FieldError[] {
  const errs: FieldError[] = [];
  try {
    parseCronSchedule(schedule);
  } catch (e) {
    errs.push(invalid('spec.schedule', schedule, (e as Error).message));
  }
  if (allowTZ && schedule.includes('TZ') && isSet(timeZone)) {
    errs.push(invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  } else if (!allowTZ && schedule.includes('TZ')) {
    errs.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  return errs;
}

export function validateTimeZone(tz: string | undefined, path: string): FieldError[] {
  if (!isSet(tz)) return [];
  if (tz === '') return [invalid(path, tz, 'timeZone must be nil or non-empty string')];
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !TZ_COMPONENT.test(part)) {
      return [invalid(path, tz, `unknown time zone ${tz}`)];
    }
  }
  const errs: FieldError[] = [];
  if (tz.toLowerCase() === 'local') {
    errs.push(invalid(path, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
  }
  if (!isKnownTimeZone(tz)) errs.push(invalid(path, tz, `unknown time zone ${tz}`));
  return errs;
}

function validateJobTemplate(t: JobTemplateSpec | undefined, path: string): FieldError[] {
  const spec = t?.spec;
  if (!spec) return [required(`${path}.spec.template`)];
  const errs = validateJobSpecFields(spec, `${path}.spec`);
  if (spec.selector) errs.push(invalid(`${path}.spec.selector`, goLabelSelector(spec.selector), '`selector` will be auto-generated'));
  if (spec.manualSelector === true) errs.push(notSupported(`${path}.spec.manualSelector`, true, ['nil', 'false']));
  return errs;
}

function validateCronJobSpec(spec: CronJobSpec, oldSpec: CronJobSpec | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec.schedule) errs.push(required('spec.schedule'));
  else errs.push(...validateSchedule(spec.schedule, (oldSpec?.schedule ?? '').includes('TZ'), spec.timeZone));
  if (isSet(spec.startingDeadlineSeconds)) errs.push(...nonNegative('spec.startingDeadlineSeconds', spec.startingDeadlineSeconds));
  if (!oldSpec || oldSpec.timeZone !== spec.timeZone) errs.push(...validateTimeZone(spec.timeZone, 'spec.timeZone'));
  const policy = spec.concurrencyPolicy ?? '';
  if (policy === '') errs.push(required('spec.concurrencyPolicy'));
  else if (!['Allow', 'Forbid', 'Replace'].includes(policy)) {
    errs.push(notSupported('spec.concurrencyPolicy', policy, ['Allow', 'Forbid', 'Replace']));
  }
  errs.push(...validateJobTemplate(spec.jobTemplate, 'spec.jobTemplate'));
  if (isSet(spec.successfulJobsHistoryLimit)) errs.push(...nonNegative('spec.successfulJobsHistoryLimit', spec.successfulJobsHistoryLimit));
  if (isSet(spec.failedJobsHistoryLimit)) errs.push(...nonNegative('spec.failedJobsHistoryLimit', spec.failedJobsHistoryLimit));
  return errs;
}

export function validateCronJob(cj: CronJob): FieldError[] {
  const errs = validateCronJobSpec(cj.spec ?? ({} as CronJobSpec), undefined);
  const name = cj.metadata?.name ?? '';
  if (name.length > MAX_CRONJOB_NAME_LENGTH) {
    errs.push(invalid('metadata.name', name, `must be no more than ${MAX_CRONJOB_NAME_LENGTH} characters`));
  }
  return errs;
}

/** On update the 52-character name limit is not applied, so older cronjobs stay editable. */
export function validateCronJobUpdate(cj: CronJob, old: CronJob): FieldError[] {
  return validateCronJobSpec(cj.spec ?? ({} as CronJobSpec), old.spec ?? ({} as CronJobSpec));
}

export function cronJobRow(cj: CronJob, now: number): unknown[] {
  const spec = cj.spec;
  const last = cj.status?.lastScheduleTime ? since(cj.status.lastScheduleTime, now) : '<none>';
  const [names, images] = containerCells(spec?.jobTemplate?.spec?.template?.spec?.containers);
  return [spec?.schedule ?? '', spec?.timeZone ?? '<none>', boolPtrCell(spec?.suspend), cj.status?.active?.length ?? 0,
    last, age(cj, now), names, images, selectorCell(spec?.jobTemplate?.spec?.selector)];
}

export const cronjobs = defineResource<CronJob>({
  group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', singular: 'cronjob',
  namespaced: true, shortNames: ['cj'], categories: ['all'],
  subresources: [statusSubresource('CronJob')],
  schema: 'io.k8s.api.batch.v1.CronJob',
  hasStatus: true, tracksGeneration: true,
  setDefaults: setCronJobDefaults,
  validate: validateCronJob,
  validateUpdate: validateCronJobUpdate,
  columns: [
    { name: 'Schedule', type: 'string', priority: 0, description: 'The schedule in Cron format.' },
    { name: 'Timezone', type: 'string', priority: 0, description: 'The time zone name for the given schedule.' },
    { name: 'Suspend', type: 'boolean', priority: 0, description: 'Whether the controller suspends subsequent executions.' },
    { name: 'Active', type: 'integer', priority: 0, description: 'Jobs currently running.' },
    { name: 'Last Schedule', type: 'string', priority: 0, description: 'When the job was last successfully scheduled.' },
    AGE_COLUMN,
    ...templateColumns(true),
  ],
  row: cronJobRow,
});
