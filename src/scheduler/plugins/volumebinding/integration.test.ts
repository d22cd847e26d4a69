import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../apimachinery/object.js';
import { eventually } from '../../../apiserver/testing/fixture.js';
import { startControllerHarness, type ControllerHarness } from '../../../../test/support/controller-harness.js';
import { schedulerController } from '../../scheduler.js';
import { defaultProfile, defaultRegistry } from '../registry.js';
import { ERR_REASON_BIND_CONFLICT, newVolumeBinding } from './index.js';
import { makeClaim, makeClass, makeVolume, podWithClaims } from './testing.js';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER } from './volumes.js';

type Obj<T> = T & KubeObject;
const NS = 'vb';

function node(name: string): Obj<Node> {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } },
  } as Obj<Node>;
}

/** A fixture object as the API takes it: in the test namespace, without the fixture's uid and version. */
function forApi<T extends PersistentVolumeClaim | Pod | PersistentVolume>(o: T, namespaced = true): Obj<T> {
  const { uid: _u, resourceVersion: _r, ...meta } = o.metadata!;
  return { ...o, metadata: { ...meta, ...(namespaced ? { namespace: NS } : {}) } } as Obj<T>;
}

describe('VolumeBinding in the scheduler against the API server', () => {
  let h: ControllerHarness;
  const registry = { ...defaultRegistry(), VolumeBinding: newVolumeBinding };
  const pvs = () => h.client.kind<Obj<PersistentVolume>>('v1', 'PersistentVolume');
  const pvcs = () => h.client.kind<Obj<PersistentVolumeClaim>>('v1', 'PersistentVolumeClaim');
  const pods = () => h.client.kind<Obj<Pod>>('v1', 'Pod');

  /** Creates a PV and marks it Available, as the PV controller does with a new volume. */
  async function availableVolume(pv: PersistentVolume): Promise<void> {
    const created = await pvs().create(undefined, forApi(pv, false));
    await pvs().updateStatus(undefined, { ...created, status: { phase: 'Available' } });
  }

  before(async () => {
    h = await startControllerHarness({ controllers: [schedulerController([defaultProfile(registry)], registry)], namespaces: [NS] });
    for (const n of ['n1', 'n2', 'n3']) await h.client.kind('v1', 'Node').create(undefined, node(n));
    await h.client.kind('storage.k8s.io/v1', 'StorageClass').create(undefined, makeClass('local') as unknown as KubeObject);
    await availableVolume(makeVolume('local-n2', { className: 'local', capacity: '5Gi', hosts: ['n2'] }));
  });
  after(async () => { await h.close(); });

  it('binds a WaitForFirstConsumer claim to the local volume and the pod to its node', async () => {
    await pvcs().create(NS, forApi(makeClaim('data', { className: 'local', request: '1Gi' })));
    await pods().create(NS, forApi(podWithClaims('web', ['data'])));
    await eventually(async () => !!(await pods().get(NS, 'web')).spec?.nodeName, 10_000);
    assert.equal((await pods().get(NS, 'web')).spec?.nodeName, 'n2');

    const pv = await pvs().get(undefined, 'local-n2');
    const pvc = await pvcs().get(NS, 'data');
    assert.equal(pv.status?.phase, 'Bound');
    assert.deepEqual([pv.spec?.claimRef?.namespace, pv.spec?.claimRef?.name, pv.spec?.claimRef?.uid], [NS, 'data', pvc.metadata?.uid]);
    assert.equal(pv.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER], 'yes');
    assert.equal(pvc.status?.phase, 'Bound');
    assert.equal(pvc.spec?.volumeName, 'local-n2');
    assert.equal(pvc.status?.capacity?.storage, '5Gi');
    assert.deepEqual(pvc.status?.accessModes, ['ReadWriteOnce']);
    assert.ok(pvc.metadata?.annotations?.[ANN_BIND_COMPLETED] !== undefined);
    assert.equal(pvc.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER], 'yes');
  });

  it('leaves a second claim pending when no volume is left for it', async () => {
    await pvcs().create(NS, forApi(makeClaim('more', { className: 'local', request: '1Gi' })));
    await pods().create(NS, forApi(podWithClaims('late', ['more'])));
    await eventually(async () => {
      const p = await pods().get(NS, 'late');
      return (p.status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.status === 'False');
    }, 10_000);
    const p = await pods().get(NS, 'late');
    const cond = p.status!.conditions!.find((c) => c.type === 'PodScheduled')!;
    // Evicting pods cannot free a volume, so the preemption part says so too.
    assert.equal(cond.message, `0/3 nodes are available: 3 ${ERR_REASON_BIND_CONFLICT}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.`);
    assert.equal(p.spec?.nodeName, undefined);
    assert.equal((await pvcs().get(NS, 'more')).status?.phase, 'Pending');
  });

  it('retries a pod rejected for a missing claim as soon as the claim and a volume appear', async () => {
    await pods().create(NS, forApi(podWithClaims('early', ['later'])));
    await eventually(async () => {
      const p = await pods().get(NS, 'early');
      return (p.status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.status === 'False');
    }, 10_000);
    // Without claim and volume events the pod would wait for the 5-minute flush of unschedulable pods.
    // A class of its own, so the claim still pending from the test before cannot take the volume.
    await h.client.kind('storage.k8s.io/v1', 'StorageClass').create(undefined, makeClass('local-late') as unknown as KubeObject);
    await availableVolume(makeVolume('local-n3', { className: 'local-late', capacity: '5Gi', hosts: ['n3'] }));
    await pvcs().create(NS, forApi(makeClaim('later', { className: 'local-late', request: '1Gi' })));
    await eventually(async () => !!(await pods().get(NS, 'early')).spec?.nodeName, 20_000);
    assert.equal((await pods().get(NS, 'early')).spec?.nodeName, 'n3');
  });
});
