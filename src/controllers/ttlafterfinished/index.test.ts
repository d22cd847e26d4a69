import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import { FakeClock, realClock } from '../../apimachinery/clock.js';
import { silentLogger } from '../../apimachinery/log.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { startTestServer, type TestServer } from '../../apiserver/testing/fixture.js';
import { defaultControllerOptions, type ControllerContext } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import { createInformerFactory, type SharedInformerFactory } from '../../client/informers.js';
import { ApiClient } from '../../client/rest.js';
import { inProcessTransport } from '../../client/transport.js';
import { timeLeft, ttlAfterFinishedController } from './index.js';

type JobObject = Job & KubeObject;
const NS = 'default';

describe('ttl-after-finished controller', () => {
  let s: TestServer;
  let client: ApiClient;
  let informers: SharedInformerFactory;
  const clock = new FakeClock(Date.parse('2030-01-01T00:00:00Z'));
  const abort = new AbortController();
  let running: Promise<void>;

  before(async () => {
    s = await startTestServer();
    client = new ApiClient(inProcessTransport(() => s.server.connectInProcess({ name: 'system:kube-controller-manager', groups: ['system:masters'] })));
    informers = createInformerFactory(client, { clock: realClock });
    const ctx: ControllerContext = {
      client, informers, clock, logger: silentLogger, recorder: () => ({ event() {} }), options: { ...defaultControllerOptions },
    };
    running = ttlAfterFinishedController.run(ctx, abort.signal);
    informers.start(abort.signal);
  });

  after(async () => {
    abort.abort();
    await running;
    await informers.stopped();
    client.close();
    await s.close();
  });

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
