import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../apimachinery/clock.js';
import { formatMicroTime, formatTime } from '../../apimachinery/duration.js';
import type { ApiClient } from '../../client/rest.js';
import { evictionTime, nodeLifecycleController, TAINT_NOT_READY, TAINT_UNREACHABLE } from './index.js';
import { startControllerHarness, type ControllerHarness, type RecordedEvent } from '../../../test/support/controller-harness.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = any;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('node lifecycle controller', () => {
  let h: ControllerHarness;
  let client: ApiClient;
  let events: RecordedEvent[];
  const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));

  before(async () => {
    // Informers watch on real time (the harness default); the controller's own decisions run on the fake clock.
    h = await startControllerHarness({
      controllers: [nodeLifecycleController], clock, namespaces: ['kube-node-lease'],
      options: { nodeMonitorGracePeriodSeconds: 40, defaultTolerationSeconds: 30 },
    });
    ({ client, events } = h);
  });

  after(() => h.close());

  const nodes = () => client.kind<Obj>('v1', 'Node');
  const pods = () => client.kind<Obj>('v1', 'Pod');
  const leases = () => client.kind<Obj>('coordination.k8s.io/v1', 'Lease');

  /** What a kubelet does: post Ready=True with a fresh heartbeat and renew the node's lease. */
  async function heartbeat(name: string): Promise<void> {
    const now = formatTime(clock.now());
    const node = await nodes().get(undefined, name);
    const prev = (node.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
    node.status = {
      ...node.status,
      conditions: [{
        type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status',
        lastHeartbeatTime: now, lastTransitionTime: prev?.status === 'True' ? prev.lastTransitionTime : now,
      }],
    };
    await nodes().updateStatus(undefined, node);
    const lease = await leases().get('kube-node-lease', name);
    lease.spec.renewTime = formatMicroTime(clock.now());
    await leases().update('kube-node-lease', lease);
  }

  async function addNode(name: string): Promise<void> {
    await nodes().create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name } });
    await leases().create('kube-node-lease', {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: formatMicroTime(clock.now()) },
    });
    await heartbeat(name);
  }

  async function addPod(name: string, node: string, tolerations?: Obj[]): Promise<void> {
    await pods().create('default', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'nginx' }], ...(tolerations ? { tolerations } : {}) },
    });
    const p = await pods().get('default', name);
    p.status = { ...p.status, phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] };
    await pods().updateStatus('default', p);
  }

  const terminating = async (name: string) => !!(await pods().get('default', name)).metadata.deletionTimestamp;
  const readyOf = (node: Obj) => node.status.conditions.find((c: Obj) => c.type === 'Ready');

  /** Moves the fake clock a second at a time, the healthy node heartbeating, until `check` holds. */
  async function advanceUntil(check: () => Promise<boolean>, maxSeconds: number, healthy: string[] = []): Promise<number> {
    for (let i = 0; i <= maxSeconds; i++) {
      if (await check()) return i;
      clock.advance(1000);
      for (const n of healthy) await heartbeat(n);
      await sleep(15);
    }
    throw new Error(`condition not met within ${maxSeconds} simulated seconds`);
  }

  it('marks a silent node Unknown and unreachable, then evicts its pods as their tolerations allow', async () => {
    await addNode('silent');
    await addNode('healthy');
    await addPod('default-toleration', 'silent');
    await addPod('short-toleration', 'silent', [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }]);
    await addPod('forever', 'silent', [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }]);
    await addPod('elsewhere', 'healthy');

    // The silent node's kubelet never reports again.
    await advanceUntil(async () => readyOf(await nodes().get(undefined, 'silent')).status === 'Unknown', 120, ['healthy']);
    const node = await nodes().get(undefined, 'silent');
    const ready = readyOf(node);
    assert.equal(ready.reason, 'NodeStatusUnknown');
    assert.equal(ready.message, 'Kubelet stopped posting node status.');
    for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      assert.equal(node.status.conditions.find((c: Obj) => c.type === type)?.status, 'Unknown', type);
    }
    await advanceUntil(async () => ((await nodes().get(undefined, 'silent')).spec?.taints ?? []).length >= 2, 5, ['healthy']);
    const taints = (await nodes().get(undefined, 'silent')).spec?.taints;
    const noExecute = taints.find((t: Obj) => t.key === TAINT_UNREACHABLE && t.effect === 'NoExecute');
    assert.ok(noExecute?.timeAdded, 'unreachable NoExecute taint with timeAdded');
    assert.ok(taints.some((t: Obj) => t.key === TAINT_UNREACHABLE && t.effect === 'NoSchedule'));
    const healthy = await nodes().get(undefined, 'healthy');
    assert.equal(readyOf(healthy).status, 'True');
    assert.equal((healthy.spec?.taints ?? []).length, 0);

    // Pods of the silent node are marked not ready.
    await advanceUntil(async () => {
      const p = await pods().get('default', 'forever');
      return p.status.conditions.find((c: Obj) => c.type === 'Ready')?.status === 'False';
    }, 5, ['healthy']);

    // The 5-second toleration runs out first; the default (30 s) one later; the unbounded one never.
    await advanceUntil(() => terminating('short-toleration'), 20, ['healthy']);
    assert.equal(await terminating('default-toleration'), false);
    await advanceUntil(() => terminating('default-toleration'), 40, ['healthy']);
    await advanceUntil(async () => false, 60, ['healthy']).catch(() => undefined);
    assert.equal(await terminating('forever'), false);
    assert.equal(await terminating('elsewhere'), false);
    assert.ok(events.some((e) => e.reason === 'TaintManagerEviction' && e.message === 'Marking for deletion Pod default/short-toleration'));

    // The kubelet comes back: the taints go.
    await heartbeat('silent');
    await advanceUntil(async () => ((await nodes().get(undefined, 'silent')).spec?.taints ?? []).length === 0, 10, ['healthy', 'silent']);
    assert.equal(readyOf(await nodes().get(undefined, 'silent')).status, 'True');
  });

  it('evicts at once a pod that does not tolerate a NoExecute taint, and taints a not-ready node', async () => {
    await addNode('dedicated');
    await addPod('intruder', 'dedicated');
    await addPod('welcome', 'dedicated', [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoExecute' }]);
    const n = await nodes().get(undefined, 'dedicated');
    n.spec = { ...n.spec, taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] };
    await nodes().update(undefined, n);
    await advanceUntil(() => terminating('intruder'), 5, ['dedicated']);
    assert.equal(await terminating('welcome'), false);

    // The kubelet reports Ready=False: the not-ready taint replaces nothing else.
    const node = await nodes().get(undefined, 'dedicated');
    node.status.conditions = [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', lastHeartbeatTime: formatTime(clock.now()), lastTransitionTime: formatTime(clock.now()) }];
    await nodes().updateStatus(undefined, node);
    await advanceUntil(async () => ((await nodes().get(undefined, 'dedicated')).spec?.taints ?? []).some((t: Obj) => t.key === TAINT_NOT_READY && t.effect === 'NoExecute'), 5);
    const taints = (await nodes().get(undefined, 'dedicated')).spec?.taints;
    assert.ok(taints.some((t: Obj) => t.key === 'dedicated'));
    assert.ok(!taints.some((t: Obj) => t.key === TAINT_UNREACHABLE));
  });
});

describe('evictionTime', () => {
  const unreachable = { key: TAINT_UNREACHABLE, effect: 'NoExecute' };
  const start = () => 1000;
  it('takes the smallest tolerationSeconds among matching tolerations, and the default without any', () => {
    const pod = { spec: { tolerations: [
      { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
      { operator: 'Exists', tolerationSeconds: 10 },
    ] } };
    assert.deepEqual(evictionTime(pod as never, [unreachable], 300, start), { at: 11_000 });
    assert.deepEqual(evictionTime({ spec: {} } as never, [unreachable], 300, start), { at: 301_000 });
    assert.deepEqual(evictionTime({ spec: {} } as never, [{ key: 'x', effect: 'NoExecute' }], 300, start), { at: -Infinity });
    assert.deepEqual(evictionTime({ spec: { tolerations: [{ key: TAINT_UNREACHABLE, operator: 'Exists' }] } } as never, [unreachable], 300, start), { at: undefined });
  });
});
