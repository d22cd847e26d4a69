import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../apimachinery/object.js';
import { eventually } from '../apiserver/testing/fixture.js';
import { startControllerHarness, type ControllerHarness } from '../../test/support/controller-harness.js';
import type { BindPlugin, FilterPlugin, PluginRegistry } from './framework/interface.js';
import type { SchedulerProfile } from './framework/profile.js';
import { Status } from './framework/status.js';
import { schedulerController } from './scheduler.js';

const REJECTED = 'node(s) rejected by the test';

function registry(h: () => ControllerHarness): PluginRegistry {
  const filter: FilterPlugin = {
    name: 'PassFilter',
    filter: (_s, pod) => (pod.metadata?.labels?.reject ? Status.unschedulable(REJECTED) : Status.success()),
  };
  const binder: BindPlugin = {
    name: 'ApiBinder',
    bind: async (_s, pod, node) => {
      const name = pod.metadata!.name!;
      await h().client.kind('v1', 'Pod').subresource('POST', pod.metadata?.namespace, name, 'binding', {
        apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node },
      });
      return Status.success();
    },
  };
  return { PassFilter: () => filter, ApiBinder: () => binder };
}

const profile: SchedulerProfile = { schedulerName: 'default-scheduler', plugins: { filter: { enabled: [{ name: 'PassFilter' }] }, bind: { enabled: [{ name: 'ApiBinder' }] } } };

function node(name: string): Node & KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } } as Node & KubeObject;
}

function pod(name: string, labels: Record<string, string> = {}, schedulerName?: string): Pod & KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'pause' }], ...(schedulerName ? { schedulerName } : {}) },
  } as Pod & KubeObject;
}

describe('scheduler against the API server', () => {
  let h: ControllerHarness;
  before(async () => {
    h = await startControllerHarness({ controllers: [schedulerController([profile], registry(() => h))], namespaces: ['sched'] });
    for (const n of ['n1', 'n2', 'n3']) await h.client.kind('v1', 'Node').create(undefined, node(n));
  });
  after(async () => { await h.close(); });

  const pods = (h0: ControllerHarness) => h0.client.kind<Pod & KubeObject>('v1', 'Pod');

  it('schedules 20 pods onto the 3 nodes', async () => {
    for (let i = 0; i < 20; i++) await pods(h).create('sched', pod(`p${i}`));
    await eventually(async () => (await pods(h).list('sched')).items.filter((p) => p.spec?.nodeName).length === 20, 10_000);
    const nodes = new Set((await pods(h).list('sched')).items.map((p) => p.spec?.nodeName));
    for (const n of nodes) assert.ok(['n1', 'n2', 'n3'].includes(n!));
    assert.ok(h.events.filter((e) => e.reason === 'Scheduled').length >= 20);
  });

  it('records why a pod fits nowhere', async () => {
    await pods(h).create('sched', pod('nowhere', { reject: 'yes' }));
    await eventually(async () => {
      const p = await pods(h).get('sched', 'nowhere');
      return (p.status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.status === 'False');
    }, 10_000);
    const p = await pods(h).get('sched', 'nowhere');
    const cond = p.status!.conditions!.find((c) => c.type === 'PodScheduled')!;
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, `0/3 nodes are available: 3 ${REJECTED}.`);
    const ev = h.events.find((e) => e.name === 'nowhere' && e.reason === 'FailedScheduling');
    assert.equal(ev?.type, 'Warning');
    assert.equal(ev?.message, `0/3 nodes are available: 3 ${REJECTED}.`);
    assert.equal(p.spec?.nodeName, undefined);
  });

  it('leaves pods of other schedulers alone', async () => {
    await pods(h).create('sched', pod('other', {}, 'other-scheduler'));
    await pods(h).create('sched', pod('mine'));
    await eventually(async () => !!(await pods(h).get('sched', 'mine')).spec?.nodeName, 10_000);
    const other = await pods(h).get('sched', 'other');
    assert.equal(other.spec?.nodeName, undefined);
    assert.ok(!(other.status?.conditions ?? []).some((c) => c.type === 'PodScheduled'));
  });
});
