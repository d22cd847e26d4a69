import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../apimachinery/clock.js';
import type { ApiClient } from '../../client/rest.js';
import { cronJobController, SCHEDULED_TIMESTAMP_ANNOTATION } from './index.js';
import type { CronJobObject, JobObject } from './sync.js';
import { startControllerHarness, type ControllerHarness, type RecordedEvent } from '../../../test/support/controller-harness.js';

const NS = 'default';
const MINUTE = 60_000;

describe('cronjob controller', () => {
  let h: ControllerHarness;
  let client: ApiClient;
  let events: RecordedEvent[];
  // Each test runs the controller on a fresh fake clock set to the real time, as the server
  // stamps creationTimestamp with the real clock and earlier tests moved their clocks ahead.
  let clock: FakeClock;
  let stopController: (() => Promise<void>) | undefined;

  before(async () => {
    h = await startControllerHarness();
    ({ client, events } = h);
  });

  beforeEach(() => {
    clock = new FakeClock(Date.now());
    stopController = h.run(cronJobController, { clock });
  });

  afterEach(async () => {
    await stopController?.();
  });

  after(() => h.close());

  const cronJobs = () => client.kind<CronJobObject>('batch/v1', 'CronJob');
  const jobs = () => client.kind<JobObject>('batch/v1', 'Job');

  async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await check();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      // Nudge the fake clock so retries after write conflicts run; far too little to reach a schedule time.
      clock.advance(2);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Moves the fake clock to `at` (never backwards). */
  function advanceTo(at: number): void {
    if (at > clock.now()) clock.advance(at - clock.now());
  }

  async function create(name: string, spec: Record<string, unknown>): Promise<CronJobObject> {
    // The server stamps creationTimestamp with the real clock: keep the fake one from lagging it.
    advanceTo(Date.now());
    return cronJobs().create(NS, {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name },
      spec: {
        schedule: '*/1 * * * *',
        ...spec,
        jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } } },
      },
    } as CronJobObject);
  }

  const childrenOf = async (cj: string) => (await jobs().list(NS)).items.filter((j) => j.metadata?.ownerReferences?.[0]?.name === cj);

  async function complete(name: string, type: 'Complete' | 'Failed'): Promise<void> {
    const job = await jobs().get(NS, name);
    const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const target = type === 'Complete' ? 'SuccessCriteriaMet' : 'FailureTarget';
    const reason = type === 'Complete' ? 'CompletionsReached' : 'BackoffLimitExceeded';
    await jobs().updateStatus(NS, {
      ...job,
      status: {
        startTime: t, ...(type === 'Complete' ? { completionTime: t, succeeded: 1 } : { failed: 1 }),
        conditions: [
          { type: target, status: 'True', reason, message: 'done', lastProbeTime: t, lastTransitionTime: t },
          { type, status: 'True', reason, message: 'done', lastProbeTime: t, lastTransitionTime: t },
        ],
      },
    });
  }

  it('creates a job when the clock crosses a scheduled minute', async () => {
    const cj = await create('every-minute', {});
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await childrenOf('every-minute')).length, 0);
    const created = Date.parse(cj.metadata!.creationTimestamp!);
    const due = Math.floor(created / MINUTE) * MINUTE + MINUTE;
    advanceTo(due + 1000);
    const [job] = await until('a job', async () => { const c = await childrenOf('every-minute'); return c.length === 1 && c; });
    assert.equal(job!.metadata?.name, `every-minute-${due / MINUTE}`);
    assert.equal(job!.metadata?.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION], new Date(due).toISOString().replace('.000Z', 'Z'));
    const ref = job!.metadata?.ownerReferences?.[0];
    assert.equal(ref?.uid, cj.metadata?.uid);
    assert.equal(ref?.controller, true);
    const status = await until('status', async () => { const c = await cronJobs().get(NS, 'every-minute'); return c.status?.active?.length === 1 && c.status; });
    assert.equal(status.active?.[0]?.name, job!.metadata?.name);
    assert.equal(status.lastScheduleTime, new Date(due).toISOString().replace('.000Z', 'Z'));
    assert.ok(events.some((e) => e.name === 'every-minute' && e.reason === 'SuccessfulCreate'));
    await cronJobs().patch(NS, 'every-minute', { spec: { suspend: true } }, 'merge');
  });

  it('with Forbid, skips a scheduled time while a job is active and starts it once that job is done', async () => {
    const cj = await create('forbid', { concurrencyPolicy: 'Forbid' });
    const first = Math.floor(Date.parse(cj.metadata!.creationTimestamp!) / MINUTE) * MINUTE + MINUTE;
    advanceTo(first + 1000);
    const [job] = await until('first job', async () => { const c = await childrenOf('forbid'); return c.length === 1 && c; });
    advanceTo(first + MINUTE + 1000);
    await until('skip event', async () => events.some((e) => e.name === 'forbid' && e.reason === 'JobAlreadyActive'));
    assert.equal((await childrenOf('forbid')).length, 1);
    await complete(job!.metadata!.name!, 'Complete');
    const second = await until('the skipped time started', async () => {
      const c = await childrenOf('forbid');
      return c.find((j) => j.metadata?.name === `forbid-${(first + MINUTE) / MINUTE}`);
    });
    assert.ok(second);
    const status = await until('last success', async () => { const c = await cronJobs().get(NS, 'forbid'); return c.status?.lastSuccessfulTime ? c.status : undefined; });
    assert.equal(status.active?.length, 1);
    assert.ok(events.some((e) => e.name === 'forbid' && e.reason === 'SawCompletedJob'));
    await cronJobs().patch(NS, 'forbid', { spec: { suspend: true } }, 'merge');
  });

  it('deletes finished jobs beyond the history limits, oldest first', async () => {
    const cj = await create('history', { successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 });
    let t = Math.floor(Date.parse(cj.metadata!.creationTimestamp!) / MINUTE) * MINUTE + MINUTE;
    const names: string[] = [];
    for (const outcome of ['Complete', 'Complete', 'Failed', 'Failed', 'Complete'] as const) {
      advanceTo(t + 1000);
      const name = `history-${t / MINUTE}`;
      await until(`job ${name}`, async () => (await childrenOf('history')).some((j) => j.metadata?.name === name));
      await complete(name, outcome);
      names.push(name);
      t += MINUTE;
    }
    await until('history trimmed', async () => {
      const left = (await childrenOf('history')).map((j) => j.metadata?.name).sort();
      return JSON.stringify(left) === JSON.stringify([names[3], names[4]].sort());
    });
    assert.ok(events.some((e) => e.name === 'history' && e.reason === 'SuccessfulDelete' && e.message === `Deleted job ${names[0]}`));
    await cronJobs().patch(NS, 'history', { spec: { suspend: true } }, 'merge');
  });

  it('with Replace, deletes the running job and starts the new one', async () => {
    const cj = await create('replace', { concurrencyPolicy: 'Replace' });
    const first = Math.floor(Date.parse(cj.metadata!.creationTimestamp!) / MINUTE) * MINUTE + MINUTE;
    advanceTo(first + 1000);
    await until('first job', async () => (await childrenOf('replace')).length === 1);
    advanceTo(first + MINUTE + 1000);
    const left = await until('replaced', async () => {
      const c = await childrenOf('replace');
      return c.length === 1 && c[0]!.metadata?.name === `replace-${(first + MINUTE) / MINUTE}` && c;
    });
    assert.equal(left.length, 1);
    await cronJobs().patch(NS, 'replace', { spec: { suspend: true } }, 'merge');
  });

  it('starts jobs at the schedule time in the cronjob time zone', async () => {
    const cj = await create('zoned', { schedule: '0 * * * *', timeZone: 'Asia/Kolkata' });
    // Kolkata is UTC+5:30, so its whole hours fall on UTC half hours.
    const created = Date.parse(cj.metadata!.creationTimestamp!);
    const half = 30 * MINUTE;
    let due = Math.floor(created / (60 * MINUTE)) * 60 * MINUTE + half;
    if (due <= created) due += 60 * MINUTE;
    advanceTo(due + 1000);
    const [job] = await until('a job', async () => { const c = await childrenOf('zoned'); return c.length === 1 && c; });
    assert.equal(job!.metadata?.name, `zoned-${due / MINUTE}`);
    assert.match(job!.metadata?.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION] ?? '', /T\d\d:00:00\+05:30$/);
  });
});
