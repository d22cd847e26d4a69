import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { CronJob } from 'kubernetes-types/batch/v1.js';
import { cronjobs, setCronJobDefaults, validateCronJob, validateCronJobUpdate } from './cronjob.js';
import { parseCronSchedule } from './cron-schedule.js';
import { iso, makeCronJob, T0 } from './fixtures.js';

const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const defaulted = (cj: CronJob): CronJob => {
  setCronJobDefaults(cj);
  return cj;
};

describe('CronJob defaults', () => {
  it('sets policy, suspend and history limits but leaves the job spec alone', () => {
    const cj = defaulted(makeCronJob('hello', '*/5 * * * *'));
    const { concurrencyPolicy, suspend, successfulJobsHistoryLimit, failedJobsHistoryLimit } = cj.spec!;
    assert.deepEqual({ concurrencyPolicy, suspend, successfulJobsHistoryLimit, failedJobsHistoryLimit },
      { concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    assert.equal(cj.spec!.jobTemplate.spec!.backoffLimit, undefined);
    assert.equal(cj.spec!.jobTemplate.spec!.template.spec!.terminationGracePeriodSeconds, 30);
  });
});

describe('cron schedule parsing', () => {
  const good = ['*/5 * * * *', '0 0 * * 0', '15 3 1-10/2 jan,Jun MON-fri', '@hourly', '@every 1h30m', '0 12 ? * *'];
  for (const s of good) it(`accepts ${s}`, () => assert.doesNotThrow(() => parseCronSchedule(s)));

  const bad: [string, string][] = [
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['@every 5x', 'failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"'],
    ['', 'empty spec string'],
  ];
  for (const [spec, msg] of bad) it(`rejects ${JSON.stringify(spec)}`, () => assert.throws(() => parseCronSchedule(spec), { message: msg }));

  it('expands steps and names', () => {
    const s = parseCronSchedule('*/20 9-17 * feb mon,wed');
    assert.deepEqual([[...s.minutes], [...s.months], [...s.daysOfWeek]], [[0, 20, 40], [2], [1, 3]]);
    assert.equal(s.hours.size, 9);
  });
});

describe('CronJob validation', () => {
  it('accepts a defaulted cronjob', () => assert.deepEqual(validateCronJob(defaulted(makeCronJob('hello', '*/1 * * * *'))), []));

  const cases: { name: string; cj: () => CronJob; want: string[] }[] = [
    {
      name: 'a schedule with four fields',
      cj: () => makeCronJob('hello', '* * * *'),
      want: ['spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]'],
    },
    { name: 'a missing schedule', cj: () => makeCronJob('hello', ''), want: ['spec.schedule: Required value'] },
    {
      name: 'TZ in the schedule',
      cj: () => makeCronJob('hello', 'TZ=UTC 0 * * * *'),
      want: ['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
    },
    {
      name: 'an unknown time zone',
      cj: () => { const c = makeCronJob('hello', '0 * * * *'); c.spec!.timeZone = 'Mars/Olympus'; return c; },
      want: ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus'],
    },
    {
      name: 'a job template with a selector',
      cj: () => { const c = makeCronJob('hello', '0 * * * *'); c.spec!.jobTemplate.spec!.selector = { matchLabels: { a: 'b' } }; return c; },
      want: ['spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated'],
    },
    {
      name: 'a job template that restarts Always',
      cj: () => { const c = makeCronJob('hello', '0 * * * *'); c.spec!.jobTemplate.spec!.template.spec!.restartPolicy = 'Always'; return c; },
      want: ['spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
    },
    {
      name: 'a name over 52 characters',
      cj: () => makeCronJob('a'.repeat(53), '0 * * * *'),
      want: [`metadata.name: Invalid value: "${'a'.repeat(53)}": must be no more than 52 characters`],
    },
  ];
  for (const c of cases) it(`rejects ${c.name}`, () => assert.deepEqual(messages(validateCronJob(defaulted(c.cj()))), c.want));

  it('accepts a valid time zone', () => {
    const cj = defaulted(makeCronJob('hello', '0 * * * *'));
    cj.spec!.timeZone = 'Europe/Paris';
    assert.deepEqual(validateCronJob(cj), []);
  });

  it('keeps a TZ schedule an old cronjob already had', () => {
    const old = defaulted(makeCronJob('hello', 'TZ=UTC 0 * * * *'));
    assert.deepEqual(validateCronJobUpdate(structuredClone(old), old), []);
  });
});

describe('CronJob printing', () => {
  it('shows schedule, time zone, suspend, active and last schedule', () => {
    const cj = defaulted(makeCronJob('hello', '*/5 * * * *'));
    (cj as { status?: unknown }).status = { active: [{ name: 'hello-1' }], lastScheduleTime: iso(T0 + 60_000) };
    const row = cronjobs.row!(cj as unknown as KubeObject, T0 + 3 * 60_000);
    assert.deepEqual(row, ['*/5 * * * *', '<none>', 'False', 1, '2m', '3m', 'pi', 'perl:5.34', '<none>']);
    assert.equal(row.length, cronjobs.columns!.length);
  });

  it('shows <none> before the first schedule and the time zone when set', () => {
    const cj = defaulted(makeCronJob('hello', '@daily'));
    cj.spec!.timeZone = 'Etc/UTC';
    cj.spec!.suspend = true;
    assert.deepEqual(cronjobs.row!(cj as unknown as KubeObject, T0).slice(0, 5), ['@daily', 'Etc/UTC', 'True', 0, '<none>']);
  });
});
