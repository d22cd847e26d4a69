import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../../apimachinery/clock.js';
import { makeNode } from '../helper/testing.js';
import { staticListers } from './cache.js';
import { checkBindings, waitForBindings } from './prebind.js';
import { makeClaim, makeVolume, podWithClaims } from './testing.js';
import { ANN_SELECTED_NODE } from './volumes.js';

const pod = podWithClaims('p', ['data']);
const nodes = [makeNode('n1'), makeNode('n2')];
const withRv = <T extends PersistentVolume | PersistentVolumeClaim>(o: T, rv: string): T => ({ ...o, metadata: { ...o.metadata, resourceVersion: rv } });

test('checkBindings waits for full binding and reports undone ones', () => {
  const written = { staticBindings: [{ pv: withRv(makeVolume('pv1', { claim: 'data', claimUid: 'uid-data', hosts: ['n1'] }), '5'), pvc: makeClaim('data') }], dynamicProvisions: [] };
  const selected = withRv(makeClaim('dyn', { annotations: { [ANN_SELECTED_NODE]: 'n1' } }), '7');
  const dynamic = { staticBindings: [], dynamicProvisions: [selected] };
  const cases: { name: string; claims: PersistentVolumeClaim[]; volumes: PersistentVolume[]; written: typeof written | typeof dynamic; want: boolean | string }[] = [
    { name: 'bound', claims: [makeClaim('data', { boundTo: 'pv1' })], volumes: [withRv(makeVolume('pv1', { claim: 'data', claimUid: 'uid-data', hosts: ['n1'] }), '6')], written, want: true },
    { name: 'informer behind the write', claims: [makeClaim('data', { boundTo: 'pv1' })], volumes: [withRv(makeVolume('pv1'), '4')], written, want: false },
    { name: 'claim not bound yet', claims: [makeClaim('data', { volumeName: 'pv1' })], volumes: [withRv(makeVolume('pv1', { claim: 'data', claimUid: 'uid-data' }), '5')], written, want: false },
    { name: 'claimRef reset', claims: [makeClaim('data')], volumes: [withRv(makeVolume('pv1'), '6')], written, want: 'ClaimRef got reset for pv "pv1"' },
    { name: 'provisioning pending', claims: [withRv(selected, '7')], volumes: [], written: dynamic, want: false },
    { name: 'provisioning gave up', claims: [withRv(makeClaim('dyn', { annotations: { other: 'x' } }), '8')], volumes: [], written: dynamic, want: 'provisioning failed for PVC "dyn"' },
    { name: 'provisioned and bound', claims: [withRv(makeClaim('dyn', { boundTo: 'pvx', annotations: { [ANN_SELECTED_NODE]: 'n1' } }), '9')], volumes: [makeVolume('pvx', { claim: 'dyn' })], written: dynamic, want: true },
  ];
  for (const c of cases) {
    const r = checkBindings(staticListers({ claims: c.claims, volumes: c.volumes, nodes }), pod, 'n1', c.written);
    if (typeof c.want === 'string') assert.equal(r instanceof Error ? r.message : r, c.want, c.name);
    else assert.equal(r, c.want, c.name);
  }
});

test('waitForBindings polls until done and gives up at the deadline', async () => {
  const clock = new FakeClock(0);
  let done = false;
  const ok = waitForBindings(clock, 10_000, () => done);
  clock.advance(1000);
  done = true;
  clock.advance(1000);
  await ok;

  const late = waitForBindings(clock, 5000, () => false);
  clock.advance(6000);
  await assert.rejects(late, /binding volumes: context deadline exceeded/);

  await assert.rejects(waitForBindings(clock, 5000, () => new Error('pod does not exist any more')), /binding volumes: pod does not exist any more/);
});
