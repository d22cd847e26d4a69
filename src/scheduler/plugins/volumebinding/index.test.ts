import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { newNodeInfo } from '../../framework/nodeinfo.js';
import { Code } from '../../framework/status.js';
import { CycleState } from '../../framework/types.js';
import { makeNode, snapshotHandle } from '../helper/testing.js';
import {
  ERR_REASON_BIND_CONFLICT, ERR_REASON_NODE_CONFLICT, ERR_REASON_PV_NOT_EXIST, ERR_REASON_UNBOUND_IMMEDIATE, NAME, VolumeBinding, newVolumeBinding, staticListers,
} from './index.js';
import { makeClaim, makeClass, makeVolume, podWithClaims } from './testing.js';
import { ANN_SELECTED_NODE } from './volumes.js';

const wffc = makeClass('local');
const immediate = makeClass('fast', { mode: 'Immediate', provisioner: 'example.com/fast' });
const dynamic = makeClass('dyn', { provisioner: 'example.com/csi', zones: ['a'] });
const noMode: StorageClass = { ...makeClass('nomode'), volumeBindingMode: undefined };
const classes = [wffc, immediate, dynamic, noMode];

test('VolumeBinding PreFilter sorts claims and rejects what no node can fix', () => {
  const cases: { name: string; pod: Pod; claims?: PersistentVolumeClaim[]; code: Code; reason?: string }[] = [
    { name: 'no volumes: skip', pod: podWithClaims('p', []), code: Code.Skip },
    { name: 'missing claim', pod: podWithClaims('p', ['data']), code: Code.UnschedulableAndUnresolvable, reason: 'persistentvolumeclaim "data" not found' },
    { name: 'claim being deleted', pod: podWithClaims('p', ['data']), claims: [makeClaim('data', { className: 'local', deleting: true })], code: Code.UnschedulableAndUnresolvable, reason: 'persistentvolumeclaim "data" is being deleted' },
    { name: 'lost claim', pod: podWithClaims('p', ['data']), claims: [makeClaim('data', { volumeName: 'gone', phase: 'Lost' })], code: Code.UnschedulableAndUnresolvable, reason: 'persistentvolumeclaim "data" bound to non-existent persistentvolume "gone"' },
    { name: 'unbound without class is immediate', pod: podWithClaims('p', ['data']), claims: [makeClaim('data')], code: Code.UnschedulableAndUnresolvable, reason: ERR_REASON_UNBOUND_IMMEDIATE },
    { name: 'unbound Immediate class', pod: podWithClaims('p', ['data']), claims: [makeClaim('data', { className: 'fast' })], code: Code.UnschedulableAndUnresolvable, reason: ERR_REASON_UNBOUND_IMMEDIATE },
    { name: 'unknown class counts as Immediate', pod: podWithClaims('p', ['data']), claims: [makeClaim('data', { className: 'nope' })], code: Code.UnschedulableAndUnresolvable, reason: ERR_REASON_UNBOUND_IMMEDIATE },
    { name: 'pre-bound by name waits for the PV controller', pod: podWithClaims('p', ['data']), claims: [makeClaim('data', { className: 'local', volumeName: 'pv1' })], code: Code.UnschedulableAndUnresolvable, reason: ERR_REASON_UNBOUND_IMMEDIATE },
    { name: 'class without binding mode', pod: podWithClaims('p', ['data']), claims: [makeClaim('data', { className: 'nomode' })], code: Code.Error, reason: 'VolumeBindingMode not set for StorageClass "nomode"' },
    { name: 'unbound WaitForFirstConsumer', pod: podWithClaims('p', ['data']), claims: [makeClaim('data', { className: 'local' })], code: Code.Success },
    { name: 'bound claim', pod: podWithClaims('p', ['data']), claims: [makeClaim('data', { boundTo: 'pv1' })], code: Code.Success },
    { name: 'ephemeral claim not created yet', pod: podWithClaims('p', [], ['scratch']), code: Code.UnschedulableAndUnresolvable, reason: 'waiting for ephemeral volume controller to create the persistentvolumeclaim "p-scratch"' },
    { name: 'ephemeral claim of another owner', pod: podWithClaims('p', [], ['scratch']), claims: [makeClaim('p-scratch', { className: 'local', ownerPodUid: 'someone' })], code: Code.UnschedulableAndUnresolvable, reason: 'PVC default/p-scratch was not created for pod default/p (pod is not owner)' },
    { name: 'ephemeral claim owned by the pod', pod: podWithClaims('p', [], ['scratch']), claims: [makeClaim('p-scratch', { className: 'local', ownerPodUid: 'uid-p' })], code: Code.Success },
  ];
  for (const c of cases) {
    const pl = new VolumeBinding(staticListers({ claims: c.claims, classes }));
    const { status } = pl.preFilter(new CycleState(), c.pod, []);
    assert.equal(status.code, c.code, c.name);
    if (c.reason) assert.deepEqual(status.reasons, [c.reason], c.name);
  }
});

test('VolumeBinding Filter checks volume node affinity, available volumes and provisioning', () => {
  const n1 = makeNode('n1', { labels: { 'topology.kubernetes.io/zone': 'a' } });
  const n2 = makeNode('n2', { labels: { 'topology.kubernetes.io/zone': 'b' } });
  const cases: { name: string; claims: PersistentVolumeClaim[]; volumes?: PersistentVolume[]; ok: string[]; reasons?: string[]; code?: Code; bindsTo?: string }[] = [
    { name: 'bound volume pinned to n1', claims: [makeClaim('data', { boundTo: 'pv1' })], volumes: [makeVolume('pv1', { hosts: ['n1'], claim: 'data' })], ok: ['n1'], reasons: [ERR_REASON_NODE_CONFLICT] },
    { name: 'bound volume without affinity', claims: [makeClaim('data', { boundTo: 'pv1' })], volumes: [makeVolume('pv1', { claim: 'data' })], ok: ['n1', 'n2'] },
    { name: 'bound to a missing volume', claims: [makeClaim('data', { boundTo: 'gone' })], ok: [], reasons: [ERR_REASON_PV_NOT_EXIST] },
    { name: 'local volume on n2 only', claims: [makeClaim('data', { className: 'local' })], volumes: [makeVolume('pv2', { className: 'local', hosts: ['n2'] })], ok: ['n2'], reasons: [ERR_REASON_BIND_CONFLICT], bindsTo: 'pv2' },
    { name: 'too small', claims: [makeClaim('data', { className: 'local', request: '2Gi' })], volumes: [makeVolume('pv1', { className: 'local', capacity: '1Gi' })], ok: [], reasons: [ERR_REASON_BIND_CONFLICT] },
    { name: 'other class', claims: [makeClaim('data', { className: 'local' })], volumes: [makeVolume('pv1', { className: 'other' })], ok: [], reasons: [ERR_REASON_BIND_CONFLICT] },
    { name: 'access modes not offered', claims: [makeClaim('data', { className: 'local', accessModes: ['ReadWriteMany'] })], volumes: [makeVolume('pv1', { className: 'local' })], ok: [], reasons: [ERR_REASON_BIND_CONFLICT] },
    { name: 'volume mode mismatch', claims: [makeClaim('data', { className: 'local', volumeMode: 'Block' })], volumes: [makeVolume('pv1', { className: 'local' })], ok: [], reasons: [ERR_REASON_BIND_CONFLICT] },
    { name: 'selector mismatch', claims: [makeClaim('data', { className: 'local', selector: { matchLabels: { tier: 'ssd' } } })], volumes: [makeVolume('pv1', { className: 'local', labels: { tier: 'hdd' } })], ok: [], reasons: [ERR_REASON_BIND_CONFLICT] },
    { name: 'claimed by another claim', claims: [makeClaim('data', { className: 'local' })], volumes: [makeVolume('pv1', { className: 'local', claim: 'other', phase: 'Available' })], ok: [], reasons: [ERR_REASON_BIND_CONFLICT] },
    { name: 'not Available', claims: [makeClaim('data', { className: 'local' })], volumes: [makeVolume('pv1', { className: 'local', phase: 'Released' })], ok: [], reasons: [ERR_REASON_BIND_CONFLICT] },
    { name: 'smallest fit wins', claims: [makeClaim('data', { className: 'local', request: '1Gi' })], volumes: [makeVolume('big', { className: 'local', capacity: '10Gi' }), makeVolume('small', { className: 'local', capacity: '2Gi' })], ok: ['n1', 'n2'], bindsTo: 'small' },
    { name: 'two claims take two volumes', claims: [makeClaim('a', { className: 'local' }), makeClaim('b', { className: 'local' })], volumes: [makeVolume('pv1', { className: 'local', hosts: ['n1', 'n2'] }), makeVolume('pv2', { className: 'local', hosts: ['n1'] })], ok: ['n1'], reasons: [ERR_REASON_BIND_CONFLICT] },
    { name: 'dynamic provisioning in the allowed zone', claims: [makeClaim('data', { className: 'dyn' })], ok: ['n1'], reasons: [ERR_REASON_BIND_CONFLICT] },
    { name: 'provisioning started for n1', claims: [makeClaim('data', { className: 'dyn', annotations: { [ANN_SELECTED_NODE]: 'n1' } })], ok: ['n1'], reasons: [ERR_REASON_BIND_CONFLICT] },
    { name: 'no-provisioner class without volumes', claims: [makeClaim('data', { className: 'local' })], ok: [], reasons: [ERR_REASON_BIND_CONFLICT] },
  ];
  for (const c of cases) {
    const pl = new VolumeBinding(staticListers({ claims: c.claims, volumes: c.volumes, classes }));
    const pod = podWithClaims('p', c.claims.map((x) => x.metadata!.name!));
    const state = new CycleState();
    assert.equal(pl.preFilter(state, pod, []).status.code, Code.Success, c.name);
    for (const node of [n1, n2]) {
      const s = pl.filter(state, pod, newNodeInfo(node));
      const ok = c.ok.includes(node.metadata!.name!);
      assert.equal(s.code, ok ? Code.Success : (c.code ?? Code.UnschedulableAndUnresolvable), `${c.name} on ${node.metadata!.name}`);
      if (!ok && c.reasons) assert.deepEqual(s.reasons, c.reasons, `${c.name} on ${node.metadata!.name}`);
    }
    if (c.bindsTo) {
      assert.equal(pl.reserve(state, pod, c.ok[0]!).code, Code.Success, c.name);
      assert.equal(pl.cache.volume(c.bindsTo)?.spec?.claimRef?.name, 'data', c.name);
    }
  }
});

test('VolumeBinding Reserve sets a volume aside from other pods until Unreserve', () => {
  const node = newNodeInfo(makeNode('n1'));
  const claims = [makeClaim('a', { className: 'local' }), makeClaim('b', { className: 'local' })];
  const pl = new VolumeBinding(staticListers({ claims, volumes: [makeVolume('pv1', { className: 'local' })], classes }));
  const first = podWithClaims('p1', ['a']);
  const second = podWithClaims('p2', ['b']);
  const s1 = new CycleState();
  pl.preFilter(s1, first, []);
  assert.ok(pl.filter(s1, first, node).isSuccess());
  assert.ok(pl.reserve(s1, first, 'n1').isSuccess());
  const pv = pl.cache.volume('pv1')!;
  assert.deepEqual([pv.spec?.claimRef?.name, pv.spec?.claimRef?.uid, pv.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller']], ['a', 'uid-a', 'yes']);

  const s2 = new CycleState();
  pl.preFilter(s2, second, []);
  assert.deepEqual(pl.filter(s2, second, node).reasons, [ERR_REASON_BIND_CONFLICT]);

  pl.unreserve(s1, first, 'n1');
  const s3 = new CycleState();
  pl.preFilter(s3, second, []);
  assert.ok(pl.filter(s3, second, node).isSuccess());
});

test('VolumeBinding Reserve marks claims to provision with the node', () => {
  const node = newNodeInfo(makeNode('n1', { labels: { 'topology.kubernetes.io/zone': 'a' } }));
  const pl = new VolumeBinding(staticListers({ claims: [makeClaim('data', { className: 'dyn' })], classes }));
  const pod = podWithClaims('p', ['data']);
  const state = new CycleState();
  pl.preFilter(state, pod, []);
  assert.ok(pl.filter(state, pod, node).isSuccess());
  assert.ok(pl.reserve(state, pod, 'n1').isSuccess());
  assert.equal(pl.cache.claim('default', 'data')?.metadata?.annotations?.[ANN_SELECTED_NODE], 'n1');
  pl.unreserve(state, pod, 'n1');
  assert.equal(pl.cache.claim('default', 'data')?.metadata?.annotations?.[ANN_SELECTED_NODE], undefined);
});

test('VolumeBinding with all claims bound has nothing to bind', async () => {
  const node = newNodeInfo(makeNode('n1'));
  const pl = new VolumeBinding(staticListers({ claims: [makeClaim('data', { boundTo: 'pv1' })], volumes: [makeVolume('pv1', { claim: 'data' })] }));
  const pod = podWithClaims('p', ['data']);
  const state = new CycleState();
  pl.preFilter(state, pod, []);
  assert.ok(pl.filter(state, pod, node).isSuccess());
  assert.ok(pl.reserve(state, pod, 'n1').isSuccess());
  assert.ok((await pl.preBind(state, pod, 'n1')).isSuccess());
});

test('VolumeBinding without informers finds no claims and registers its events', () => {
  const pl = newVolumeBinding(undefined, snapshotHandle([])) as VolumeBinding;
  assert.equal(pl.name, NAME);
  const { status } = pl.preFilter(new CycleState(), podWithClaims('p', ['data']), []);
  assert.deepEqual([status.code, status.reasons], [Code.UnschedulableAndUnresolvable, ['persistentvolumeclaim "data" not found']]);
  const events = pl.eventsToRegister().map((e) => `${e.resource}/${e.action}`);
  for (const e of ['PersistentVolumeClaim/Add', 'PersistentVolumeClaim/Update', 'PersistentVolume/Add', 'PersistentVolume/Update', 'StorageClass/Add', 'StorageClass/Update', 'Node/Add', 'Node/UpdateNodeLabel']) {
    assert.ok(events.includes(e), e);
  }
  assert.throws(() => new VolumeBinding(staticListers(), { bindTimeoutSeconds: -1 }));
});
