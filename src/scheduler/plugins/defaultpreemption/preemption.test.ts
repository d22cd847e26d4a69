import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../apimachinery/object.js';
import { eventually } from '../../../apiserver/testing/fixture.js';
import { resourceForKind } from '../../../client/rest.js';
import { startControllerHarness, type ControllerHarness } from '../../../../test/support/controller-harness.js';
import { schedulerController } from '../../scheduler.js';

type P = Pod & KubeObject;

function node(name: string): Node & KubeObject {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    status: { allocatable: { cpu: '1', memory: '1Gi', pods: '10' }, conditions: [{ type: 'Ready', status: 'True' }] },
  } as Node & KubeObject;
}

/** Priority comes from a PriorityClass: the API's priority admission fills spec.priority from it. */
function pod(name: string, priorityClassName: string): P {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { priorityClassName, containers: [{ name: 'c', image: 'pause', resources: { requests: { cpu: '1' } } }] },
  } as P;
}

describe('preemption by the scheduler with the default profile', () => {
  let h: ControllerHarness;
  const pods = () => h.client.kind<P>('v1', 'Pod');
  before(async () => {
    h = await startControllerHarness({ controllers: [schedulerController()], namespaces: ['pre'] });
    for (const [name, value] of [['low', 1], ['high', 1000]] as const) {
      await h.client.kind('scheduling.k8s.io/v1', 'PriorityClass').create(undefined, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value } as KubeObject);
    }
    await h.client.kind('v1', 'Node').create(undefined, node('n1'));
  });
  after(async () => { await h.close(); });

  it('evicts a lower-priority pod for a higher-priority one, which then binds there', async () => {
    await pods().create('pre', pod('low', 'low'));
    await eventually(async () => (await pods().get('pre', 'low')).spec?.nodeName === 'n1', 10_000);
    const low = await pods().get('pre', 'low');

    const high = await pods().create('pre', pod('high', 'high'));
    // The victim is marked and deleted gracefully; the preemptor is nominated to its node.
    await eventually(async () => !!(await pods().get('pre', 'low')).metadata?.deletionTimestamp, 10_000);
    const victim = await pods().get('pre', 'low');
    const cond = victim.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
    assert.equal(cond?.status, 'True');
    assert.equal(cond?.reason, 'PreemptionByScheduler');
    assert.equal(cond?.message, 'default-scheduler: preempting to accommodate a higher priority pod');
    await eventually(async () => (await pods().get('pre', 'high')).status?.nominatedNodeName === 'n1', 10_000);
    const ev = h.events.find((e) => e.name === 'low' && e.reason === 'Preempted');
    assert.equal(ev?.type, 'Normal');
    assert.equal(ev?.message, `Preempted by pod ${high.metadata?.uid} on node n1`);
    assert.equal((await pods().get('pre', 'high')).spec?.nodeName, undefined);

    // The node agent finishes the victim's termination; the preemptor then takes its place.
    await pods().delete('pre', 'low', { gracePeriodSeconds: 0, preconditions: { uid: low.metadata?.uid } });
    await eventually(async () => (await pods().get('pre', 'high')).spec?.nodeName === 'n1', 10_000);
    assert.ok(h.events.some((e) => e.name === 'high' && e.reason === 'Scheduled'));
  });

  it('leaves pods of equal or higher priority alone', async () => {
    await pods().create('pre', pod('peer', 'high'));
    await eventually(() => h.events.some((e) => e.name === 'peer' && e.reason === 'FailedScheduling'), 10_000);
    const ev = h.events.find((e) => e.name === 'peer' && e.reason === 'FailedScheduling')!;
    assert.equal(ev.message, '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
    const high = await pods().get('pre', 'high');
    assert.equal(high.metadata?.deletionTimestamp, undefined);
  });
});

describe('preemption and PodDisruptionBudgets', () => {
  let h: ControllerHarness;
  const pods = () => h.client.kind<P>('v1', 'Pod');
  before(async () => {
    h = await startControllerHarness({ controllers: [schedulerController()], namespaces: ['pdb'] });
    for (const [name, value] of [['low', 1], ['high', 1000]] as const) {
      await h.client.kind('scheduling.k8s.io/v1', 'PriorityClass').create(undefined, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value } as KubeObject);
    }
  });
  after(async () => { await h.close(); });

  it('preempts on the node whose victim no budget protects', async () => {
    // No disruption controller runs here: the budget's status keeps disruptionsAllowed at 0.
    await h.client.kind('policy/v1', 'PodDisruptionBudget').create('pdb', {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
    } as KubeObject);
    const budgets = h.informers.informer(resourceForKind('policy/v1', 'PodDisruptionBudget'));
    await eventually(() => budgets.store.list().length === 1, 10_000);
    for (const n of ['n1', 'n2']) await h.client.kind('v1', 'Node').create(undefined, node(n));
    const web = pod('web', 'low');
    web.metadata!.labels = { app: 'web' };
    await pods().create('pdb', web);
    await pods().create('pdb', pod('batch', 'low'));
    await eventually(async () => (await pods().list('pdb')).items.filter((p) => p.spec?.nodeName).length === 2, 10_000);
    const batchNode = (await pods().get('pdb', 'batch')).spec?.nodeName;

    await pods().create('pdb', pod('urgent', 'high'));
    await eventually(async () => (await pods().get('pdb', 'urgent')).status?.nominatedNodeName !== undefined, 10_000);
    assert.equal((await pods().get('pdb', 'urgent')).status?.nominatedNodeName, batchNode);
    assert.ok((await pods().get('pdb', 'batch')).metadata?.deletionTimestamp);
    assert.equal((await pods().get('pdb', 'web')).metadata?.deletionTimestamp, undefined);
  });
});
