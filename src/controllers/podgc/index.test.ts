import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../apimachinery/clock.js';
import { eventually } from '../../apiserver/testing/fixture.js';
import { isNotFound } from '../../client/errors.js';
import { ApiClient, resourceForKind } from '../../client/rest.js';
import { GC_PERIOD_MS, podGCController, TAINT_OUT_OF_SERVICE, terminatedPodsToDelete } from './index.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = any;

describe('pod garbage collector', () => {
  let h: ControllerHarness;
  let client: ApiClient;
  const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));

  before(async () => {
    h = await startControllerHarness({ controllers: [podGCController], clock, options: { terminatedPodGCThreshold: 3 } });
    client = h.client;
  });

  after(() => h.close());

  const nodes = () => client.kind<Obj>('v1', 'Node');
  const pods = () => client.kind<Obj>('v1', 'Pod');

  async function addPod(ns: string, name: string, node: string, phase = 'Running'): Promise<void> {
    await pods().create(ns, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] },
    });
    const p = await pods().get(ns, name);
    p.status = { ...p.status, phase };
    await pods().updateStatus(ns, p);
  }

  async function exists(ns: string, name: string): Promise<boolean> {
    try {
      await pods().get(ns, name);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async function names(ns: string): Promise<string[]> {
    return (await pods().list(ns)).items.map((p) => p.metadata.name).sort();
  }

  /** Waits until the controller's pod cache agrees, so the sweep the test triggers sees the change. */
  async function cached(check: (pods: Obj[]) => boolean): Promise<void> {
    const store = h.informers.informer<Obj>(resourceForKind('v1', 'Pod')).store;
    await eventually(() => check(store.list()));
  }

  async function namespace(name: string): Promise<void> {
    await h.namespace(name);
  }

  it('force-deletes the pods of a deleted node, terminating ones included', async () => {
    const ns = 'orphans';
    await namespace(ns);
    await nodes().create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'doomed' } });
    await nodes().create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'keep' } });
    await addPod(ns, 'running', 'doomed');
    await addPod(ns, 'stopping', 'doomed');
    await pods().delete(ns, 'stopping'); // graceful: waits for a kubelet that will never come
    assert.ok((await pods().get(ns, 'stopping')).metadata.deletionTimestamp);
    await addPod(ns, 'safe', 'keep');

    await nodes().delete(undefined, 'doomed');
    await eventually(async () => (await names(ns)).join() === 'safe');
  });

  it('force-deletes terminating pods on an out-of-service node that is not ready', async () => {
    const ns = 'out-of-service';
    await namespace(ns);
    await nodes().create(undefined, {
      apiVersion: 'v1', kind: 'Node', metadata: { name: 'broken' },
      spec: { taints: [{ key: TAINT_OUT_OF_SERVICE, value: 'nodeshutdown', effect: 'NoExecute' }] },
    });
    await addPod(ns, 'stuck', 'broken');
    await addPod(ns, 'running', 'broken');
    await pods().delete(ns, 'stuck');
    await cached((all) => all.some((p) => p.metadata.name === 'stuck' && p.metadata.deletionTimestamp));
    clock.advance(GC_PERIOD_MS);
    await eventually(async () => !(await exists(ns, 'stuck')));
    assert.ok(await exists(ns, 'running'));
  });

  it('keeps only the newest finished pods beyond the threshold, sweeping every 20 seconds', async () => {
    const ns = 'finished';
    await namespace(ns);
    await nodes().create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker' } });
    for (let i = 1; i <= 5; i++) await addPod(ns, `done-${i}`, 'worker', i % 2 ? 'Succeeded' : 'Failed');
    await addPod(ns, 'busy', 'worker');
    await cached((all) => all.filter((p) => p.metadata.namespace === ns && p.status?.phase !== 'Pending').length === 6);
    clock.advance(GC_PERIOD_MS);
    await eventually(async () => (await names(ns)).join() === 'busy,done-3,done-4,done-5');
  });
});

describe('terminatedPodsToDelete', () => {
  const pod = (name: string, created: string, phase: string, reason?: string): Obj => ({
    metadata: { namespace: 'd', name, creationTimestamp: created }, status: { phase, ...(reason ? { reason } : {}) },
  });
  it('picks evicted pods first, then the oldest, and nothing at or under the threshold', () => {
    const pods = [
      pod('new', '2026-01-03T00:00:00Z', 'Succeeded'),
      pod('old', '2026-01-01T00:00:00Z', 'Failed'),
      pod('evicted', '2026-01-04T00:00:00Z', 'Failed', 'Evicted'),
      pod('running', '2026-01-01T00:00:00Z', 'Running'),
    ];
    assert.deepEqual(terminatedPodsToDelete(pods, 1).map((p) => p.metadata?.name), ['evicted', 'old']);
    assert.deepEqual(terminatedPodsToDelete(pods, 3), []);
    assert.deepEqual(terminatedPodsToDelete(pods, 0), []);
  });
});
