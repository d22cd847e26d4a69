import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../apimachinery/clock.js';
import type { ApiClient } from '../../client/rest.js';
import { jobController } from './index.js';
import type { JobObject, PodObject } from './pods.js';
import { startControllerHarness, type ControllerHarness, type RecordedEvent } from '../../../test/support/controller-harness.js';

const NS = 'default';

describe('job controller', () => {
  let h: ControllerHarness;
  let client: ApiClient;
  let events: RecordedEvent[];
  const clock = new FakeClock(Date.now());

  before(async () => {
    h = await startControllerHarness({ controllers: [jobController], clock });
    ({ client, events } = h);
  });

  after(() => h.close());

  const jobs = () => client.kind<JobObject>('batch/v1', 'Job');
  const pods = () => client.kind<PodObject>('v1', 'Pod');

  /** Polls, nudging the fake clock a little each round so queue retries run; never jumps past backoffs. */
  async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await check();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify((await jobs().list(NS)).items.map((j) => [j.metadata?.name, j.status]))} ${JSON.stringify((await pods().list(NS)).items.map((p) => [p.metadata?.name, p.status?.phase, p.metadata?.finalizers, p.metadata?.deletionTimestamp]))}`);
      clock.advance(10);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async function podsOf(job: string): Promise<PodObject[]> {
    const list = await pods().list(NS, { labelSelector: `batch.kubernetes.io/job-name=${job}` });
    return list.items;
  }

  async function finish(pod: PodObject, phase: 'Succeeded' | 'Failed'): Promise<void> {
    const fresh = await pods().get(NS, pod.metadata!.name!);
    await pods().updateStatus(NS, { ...fresh, status: { ...fresh.status, phase } });
  }

  const condition = (job: JobObject, type: string) => job.status?.conditions?.find((c) => c.type === type && c.status === 'True');

  function makeJob(name: string, spec: Record<string, unknown>): JobObject {
    return {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
      spec: {
        ...spec,
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } },
      },
    } as JobObject;
  }

  it('runs parallelism pods at a time until the completions are reached, then completes', async () => {
    const job = await jobs().create(NS, makeJob('three', { completions: 3, parallelism: 2 }));
    const first = await until('two pods', async () => { const p = await podsOf('three'); return p.length === 2 && p; });
    for (const p of first) {
      assert.equal(p.metadata?.labels?.['batch.kubernetes.io/controller-uid'], job.metadata?.uid);
      assert.equal(p.metadata?.labels?.['batch.kubernetes.io/job-name'], 'three');
      assert.deepEqual(p.metadata?.finalizers, ['batch.kubernetes.io/job-tracking']);
      const ref = p.metadata?.ownerReferences?.[0];
      assert.equal(ref?.uid, job.metadata?.uid);
      assert.equal(ref?.controller, true);
    }
    await until('status active 2', async () => (await jobs().get(NS, 'three')).status?.active === 2);
    for (const p of first) await finish(p, 'Succeeded');
    const third = await until('a third pod', async () => {
      const p = (await podsOf('three')).filter((x) => x.status?.phase !== 'Succeeded');
      return p.length === 1 && p[0];
    });
    // Only one more: two completions are in, one remains.
    assert.equal((await podsOf('three')).length, 3);
    await finish(third, 'Succeeded');
    const done = await until('complete', async () => { const j = await jobs().get(NS, 'three'); return condition(j, 'Complete') && j; });
    assert.ok(condition(done, 'SuccessCriteriaMet'));
    assert.equal(done.status?.succeeded, 3);
    assert.equal(done.status?.failed ?? 0, 0);
    assert.equal(done.status?.active, 0);
    assert.ok(done.status?.completionTime);
    assert.ok(done.status?.startTime);
    assert.deepEqual(done.status?.uncountedTerminatedPods, {});
    for (const p of await podsOf('three')) assert.deepEqual(p.metadata?.finalizers ?? [], []);
    assert.equal(events.filter((e) => e.name === 'three' && e.reason === 'SuccessfulCreate').length, 3);
    assert.ok(events.some((e) => e.name === 'three' && e.reason === 'Completed'));
  });

  it('retries failed pods after a backoff and fails the job past the backoff limit', async () => {
    await jobs().create(NS, makeJob('flaky', { backoffLimit: 1 }));
    const first = await until('a pod', async () => { const p = await podsOf('flaky'); return p.length === 1 && p[0]; });
    await finish(first, 'Failed');
    await until('one failure counted', async () => (await jobs().get(NS, 'flaky')).status?.failed === 1);
    // The replacement waits out the 10s pod failure backoff.
    assert.equal((await podsOf('flaky')).length, 1);
    clock.advance(10_000);
    const second = await until('a replacement', async () => {
      const p = (await podsOf('flaky')).filter((x) => x.metadata?.uid !== first.metadata?.uid);
      return p.length === 1 && p[0];
    });
    await finish(second, 'Failed');
    const failed = await until('failed', async () => { const j = await jobs().get(NS, 'flaky'); return condition(j, 'Failed') && j; });
    assert.equal(condition(failed, 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.equal(condition(failed, 'FailureTarget')?.reason, 'BackoffLimitExceeded');
    assert.equal(failed.status?.failed, 2);
    assert.equal(failed.status?.completionTime, undefined);
    assert.ok(events.some((e) => e.name === 'flaky' && e.reason === 'BackoffLimitExceeded' && e.type === 'Warning'));
  });

  it('gives each pod of an indexed job its own index and completes once every index succeeded', async () => {
    await jobs().create(NS, makeJob('indexed', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    const all = await until('three pods', async () => { const p = await podsOf('indexed'); return p.length === 3 && p; });
    const byIndex = new Map(all.map((p) => [p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'], p]));
    assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2']);
    for (const [ix, p] of byIndex) {
      assert.equal(p.metadata?.labels?.['batch.kubernetes.io/job-completion-index'], ix);
      assert.equal(p.spec?.hostname, `indexed-${ix}`);
      assert.ok(p.metadata?.name?.startsWith(`indexed-${ix}-`));
      const env = p.spec?.containers[0]?.env?.find((e) => e.name === 'JOB_COMPLETION_INDEX');
      assert.equal(env?.valueFrom?.fieldRef?.fieldPath, "metadata.annotations['batch.kubernetes.io/job-completion-index']");
    }
    await finish(byIndex.get('1')!, 'Succeeded');
    await until('index 1 completed', async () => (await jobs().get(NS, 'indexed')).status?.completedIndexes === '1');
    await finish(byIndex.get('0')!, 'Succeeded');
    await finish(byIndex.get('2')!, 'Succeeded');
    const done = await until('complete', async () => { const j = await jobs().get(NS, 'indexed'); return condition(j, 'Complete') && j; });
    assert.equal(done.status?.completedIndexes, '0-2');
    assert.equal(done.status?.succeeded, 3);
  });

  it('fails a job that runs past its active deadline and deletes its pods', async () => {
    await jobs().create(NS, makeJob('slow', { activeDeadlineSeconds: 30, parallelism: 2, completions: 4 }));
    await until('two pods', async () => (await podsOf('slow')).length === 2);
    clock.advance(31_000);
    const failed = await until('failed', async () => { const j = await jobs().get(NS, 'slow'); return condition(j, 'Failed') && j; });
    assert.equal(condition(failed, 'Failed')?.reason, 'DeadlineExceeded');
    await until('pods gone', async () => (await podsOf('slow')).length === 0);
    assert.equal(failed.status?.active, 0);
  });

  it('suspends a job without pods and starts them on resume', async () => {
    await jobs().create(NS, makeJob('later', { suspend: true, parallelism: 2, completions: 2 }));
    const suspended = await until('suspended', async () => { const j = await jobs().get(NS, 'later'); return condition(j, 'Suspended') && j; });
    assert.equal(condition(suspended, 'Suspended')?.reason, 'JobSuspended');
    assert.equal((await podsOf('later')).length, 0);
    await jobs().patch(NS, 'later', { spec: { suspend: false } }, 'merge');
    await until('two pods', async () => (await podsOf('later')).length === 2);
    const resumed = await until('resumed', async () => {
      const j = await jobs().get(NS, 'later');
      return j.status?.conditions?.find((c) => c.type === 'Suspended' && c.status === 'False' && c.reason === 'JobResumed') && j;
    });
    assert.ok(resumed.status?.startTime);
    // Suspending again deletes the active pods, which do not count as failures.
    await jobs().patch(NS, 'later', { spec: { suspend: true } }, 'merge');
    await until('pods gone', async () => (await podsOf('later')).length === 0);
    const again = await until('suspended again', async () => { const j = await jobs().get(NS, 'later'); return condition(j, 'Suspended') && j; });
    assert.equal(again.status?.failed ?? 0, 0);
    assert.equal(again.status?.active, 0);
  });
});
