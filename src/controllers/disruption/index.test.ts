import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../apimachinery/clock.js';
import { eventually } from '../../apiserver/testing/fixture.js';
import { isConflict } from '../../client/errors.js';
import { resourceForKind } from '../../client/rest.js';
import { DELETION_TIMEOUT_MS, disruptionController } from './index.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = any;

const START = Date.parse('2026-03-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('disruption controller', () => {
  let h: ControllerHarness<FakeClock>;
  const clock = new FakeClock(START);

  before(async () => {
    h = await startControllerHarness({ controllers: [disruptionController], clock });
  });
  after(() => h.close());

  const pods = () => h.client.kind<Obj>('v1', 'Pod');
  const budgets = () => h.client.kind<Obj>('policy/v1', 'PodDisruptionBudget');
  const status = async (ns: string, name: string) => (await budgets().get(ns, name)).status ?? {};
  const condition = (s: Obj) => s.conditions?.find((c: Obj) => c.type === 'DisruptionAllowed');

  async function owner(ns: string, apiVersion: string, kind: string, name: string, spec: Obj): Promise<Obj> {
    return h.client.kind<Obj>(apiVersion, kind).create(ns, { apiVersion, kind, metadata: { name }, spec });
  }

  const podSpec = (app: string) => ({
    selector: { matchLabels: { app } },
    template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  });

  /** A pod labelled `app`, Ready unless told otherwise, optionally controlled by `by`. */
  async function addPod(ns: string, name: string, app: string, opts: { ready?: boolean; by?: Obj } = {}): Promise<void> {
    const by = opts.by;
    await pods().create(ns, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        name, labels: { app },
        ...(by ? { ownerReferences: [{ apiVersion: by.apiVersion, kind: by.kind, name: by.metadata.name, uid: by.metadata.uid, controller: true }] } : {}),
      },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    await setReady(ns, name, opts.ready ?? true);
  }

  async function setReady(ns: string, name: string, ready: boolean): Promise<void> {
    const p = await pods().get(ns, name);
    p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: iso(Date.now()) }] };
    await pods().updateStatus(ns, p);
  }

  async function budget(ns: string, name: string, app: string, spec: Obj): Promise<Obj> {
    return budgets().create(ns, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec: { selector: { matchLabels: { app } }, ...spec } });
  }

  it('counts matching pods for an integer minAvailable and follows readiness', async () => {
    const ns = 'min-int';
    await h.namespace(ns);
    await addPod(ns, 'a', 'web');
    await addPod(ns, 'b', 'web');
    await addPod(ns, 'c', 'web', { ready: false });
    await addPod(ns, 'other', 'db');
    const created = await budget(ns, 'web', 'web', { minAvailable: 1 });

    await eventually(async () => (await status(ns, 'web')).disruptionsAllowed === 1);
    const s = await status(ns, 'web');
    assert.deepEqual([s.expectedPods, s.currentHealthy, s.desiredHealthy, s.observedGeneration], [3, 2, 1, created.metadata.generation]);
    assert.deepEqual([condition(s).status, condition(s).reason], ['True', 'SufficientPods']);

    await setReady(ns, 'a', false);
    await eventually(async () => condition(await status(ns, 'web'))?.reason === 'InsufficientPods');
    assert.deepEqual([(await status(ns, 'web')).currentHealthy, (await status(ns, 'web')).disruptionsAllowed], [1, 0]);

    await pods().delete(ns, 'b');
    await eventually(async () => (await status(ns, 'web')).expectedPods === 2);
    assert.equal((await status(ns, 'web')).currentHealthy, 0);
  });

  it('takes the scale of ReplicaSets, Deployments and StatefulSets for maxUnavailable and percentages', async () => {
    const ns = 'by-scale';
    await h.namespace(ns);
    const rs = await owner(ns, 'apps/v1', 'ReplicaSet', 'rs', { replicas: 4, ...podSpec('rs') });
    await addPod(ns, 'rs-1', 'rs', { by: rs });
    await addPod(ns, 'rs-2', 'rs', { by: rs });
    await budget(ns, 'rs', 'rs', { maxUnavailable: '30%' });
    // 4 expected, 30% of 4 rounds up to 2 unavailable: 2 must stay healthy, 2 are.
    await eventually(async () => (await status(ns, 'rs')).expectedPods === 4);
    assert.deepEqual([(await status(ns, 'rs')).desiredHealthy, (await status(ns, 'rs')).disruptionsAllowed], [2, 0]);

    const deploy = await owner(ns, 'apps/v1', 'Deployment', 'web', { replicas: 3, ...podSpec('web') });
    const owned = await owner(ns, 'apps/v1', 'ReplicaSet', 'web-abc', { replicas: 2, ...podSpec('web') });
    owned.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: deploy.metadata.uid, controller: true }];
    const webRs = await h.client.kind<Obj>('apps/v1', 'ReplicaSet').update(ns, owned);
    await addPod(ns, 'web-1', 'web', { by: webRs });
    await addPod(ns, 'web-2', 'web', { by: webRs });
    await budget(ns, 'web', 'web', { minAvailable: '50%' });
    await eventually(async () => (await status(ns, 'web')).expectedPods === 3);
    assert.deepEqual([(await status(ns, 'web')).desiredHealthy, (await status(ns, 'web')).disruptionsAllowed], [2, 0]);

    const sts = await owner(ns, 'apps/v1', 'StatefulSet', 'db', { replicas: 2, serviceName: 'db', ...podSpec('db') });
    await addPod(ns, 'db-0', 'db', { by: sts });
    await addPod(ns, 'db-1', 'db', { by: sts });
    await budget(ns, 'db', 'db', { maxUnavailable: 1 });
    await eventually(async () => (await status(ns, 'db')).disruptionsAllowed === 1);
    assert.deepEqual([(await status(ns, 'db')).expectedPods, (await status(ns, 'db')).desiredHealthy], [2, 1]);
  });

  it('warns about unmanaged pods and fails safe on controllers without a scale', async () => {
    const ns = 'unscaled';
    await h.namespace(ns);
    await addPod(ns, 'bare', 'bare');
    await budget(ns, 'bare', 'bare', { maxUnavailable: 1 });
    await eventually(() => h.events.some((e) => e.namespace === ns && e.name === 'bare' && e.reason === 'UnmanagedPods'));

    const job = await owner(ns, 'batch/v1', 'Job', 'once', {
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
    });
    await addPod(ns, 'once-1', 'job', { by: job });
    await budget(ns, 'job', 'job', { maxUnavailable: 1 });
    await eventually(async () => condition(await status(ns, 'job'))?.reason === 'SyncFailed');
    const s = await status(ns, 'job');
    assert.equal(s.disruptionsAllowed, 0);
    assert.equal(condition(s).status, 'False');
    assert.match(condition(s).message, /jobs\.batch does not implement the scale subresource/);
    assert.ok(h.events.some((e) => e.name === 'job' && e.reason === 'CalculateExpectedPodCountFailed'));
  });

  it('keeps evicted pods out of the healthy count for two minutes, and drops entries of deleted pods', async () => {
    const ns = 'evictions';
    await h.namespace(ns);
    for (const name of ['a', 'b', 'c']) await addPod(ns, name, 'app');
    await budget(ns, 'app', 'app', { minAvailable: 1 });
    await eventually(async () => (await status(ns, 'app')).disruptionsAllowed === 2);

    // What the eviction subresource records before deleting: the pod and when it was evicted.
    const evictedAt = iso(clock.now());
    for (;;) {
      const pdb = await budgets().get(ns, 'app');
      pdb.status = { ...pdb.status, disruptionsAllowed: 1, disruptedPods: { a: evictedAt, gone: evictedAt } };
      try {
        await budgets().updateStatus(ns, pdb);
        break;
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
    await eventually(async () => {
      const s = await status(ns, 'app');
      return s.currentHealthy === 2 && s.disruptedPods?.a === evictedAt && s.disruptedPods?.gone === undefined;
    });

    // The pod was never deleted: its entry expires and it counts again.
    const store = h.informers.informer<Obj>(resourceForKind('policy/v1', 'PodDisruptionBudget')).store;
    await eventually(() => store.get(`${ns}/app`)?.status?.currentHealthy === 2);
    clock.advance(DELETION_TIMEOUT_MS);
    await eventually(async () => {
      // Moving on a second a poll also fires a recheck timer registered just after the jump.
      clock.advance(1000);
      const s = await status(ns, 'app');
      return s.currentHealthy === 3 && s.disruptedPods === undefined && s.disruptionsAllowed === 2;
    });
    assert.ok(h.events.some((e) => e.namespace === ns && e.name === 'a' && e.reason === 'NotDeleted'));
  });

  it('resets a DisruptionTarget condition that no deletion followed within two minutes', async () => {
    const ns = 'stale';
    await h.namespace(ns);
    await addPod(ns, 'kept', 'kept');
    const p = await pods().get(ns, 'kept');
    p.status.conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: iso(clock.now()) });
    await pods().updateStatus(ns, p);
    const target = async () => (await pods().get(ns, 'kept')).status.conditions.find((c: Obj) => c.type === 'DisruptionTarget');
    const store = h.informers.informer<Obj>(resourceForKind('v1', 'Pod')).store;
    await eventually(() => !!store.get(`${ns}/kept`)?.status?.conditions?.some((c: Obj) => c.type === 'DisruptionTarget'));
    assert.equal((await target()).status, 'True');

    clock.advance(60_000);
    await eventually(async () => {
      clock.advance(1000);
      return (await target()).status === 'False';
    });
    assert.equal((await pods().get(ns, 'kept')).status.conditions.find((c: Obj) => c.type === 'Ready').status, 'True');
  });
});
