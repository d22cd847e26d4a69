import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import { FakeClock } from '../../apimachinery/clock.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { isNotFound } from '../../client/errors.js';
import type { ApiClient } from '../../client/rest.js';
import { timeLeft, ttlAfterFinishedController } from './index.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.js';

type JobObject = Job & KubeObject;
const NS = 'default';

describe('ttl-after-finished controller', () => {
  let h: ControllerHarness;
  let client: ApiClient;
  const clock = new FakeClock(Date.parse('2030-01-01T00:00:00Z'));

  before(async () => {
    h = await startControllerHarness({ controllers: [ttlAfterFinishedController], clock });
    client = h.client;
  });

  after(() => h.close());

  const jobs = () => client.kind<JobObject>('batch/v1', 'Job');
  const exists = async (name: string) => {
    try {
      await jobs().get(NS, name);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  };
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

  async function finishedJob(name: string, ttl: number | undefined, type: 'Complete' | 'Failed'): Promise<void> {
    const job = await jobs().create(NS, {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
      spec: {
        ...(ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl }),
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } },
      },
    } as JobObject);
    const t = iso(clock.now());
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

  async function until(what: string, check: () => Promise<boolean>): Promise<void> {
    const end = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('deletes finished jobs once their TTL has passed, and no sooner', async () => {
    await finishedJob('done', 60, 'Complete');
    await finishedJob('broken', 30, 'Failed');
    await finishedJob('kept', undefined, 'Complete');
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(await exists('done'));
    assert.ok(await exists('broken'));
    clock.advance(30_000);
    await until('failed job deleted', async () => !(await exists('broken')));
    assert.ok(await exists('done'));
    clock.advance(30_000);
    await until('complete job deleted', async () => !(await exists('done')));
    assert.ok(await exists('kept'));
  });

  it('leaves unfinished jobs alone', async () => {
    const job = await jobs().create(NS, {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'running' },
      spec: { ttlSecondsAfterFinished: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } },
    } as JobObject);
    assert.equal(timeLeft(job, clock.now()), undefined);
    clock.advance(3_600_000);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(await exists('running'));
  });
});
