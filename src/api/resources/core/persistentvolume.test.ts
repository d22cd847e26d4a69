import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { T0, iso } from './fixtures.js';
import { persistentVolumeClaimResource as pvcType, persistentVolumeResource as pvType } from './persistentvolume.js';

const makePV = (): PersistentVolume => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1', creationTimestamp: iso(T0) },
  spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'], hostPath: { path: '/data' }, storageClassName: 'local' },
});
const makePVC = (): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default', creationTimestamp: iso(T0) },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
});

describe('persistent volume', () => {
  it('defaults, validates and prints', () => {
    const pv = makePV();
    pvType.setDefaults!(pv as never);
    assert.equal(pv.spec!.persistentVolumeReclaimPolicy, 'Retain');
    assert.equal(pv.spec!.volumeMode, 'Filesystem');
    assert.equal(pv.status!.phase, 'Pending');
    assert.deepEqual(pvType.validate!(pv as never), []);
    assert.deepEqual(pvType.row!(pv as never, T0 + 60_000), [
      '10Gi', 'RWO,RWX', 'Retain', 'Pending', '', 'local', '<unset>', '', '60s', 'Filesystem',
    ]);
  });

  it('requires capacity, access modes and a source', () => {
    const pv: PersistentVolume = { metadata: { name: 'pv1' }, spec: {} };
    assert.deepEqual(pvType.validate!(pv as never).map((e) => `${e.field}: ${e.message}`), [
      'spec.accessModes: Required value', 'spec.capacity: Required value', 'spec: Required value: must specify a volume type',
    ]);
  });

  it('keeps the volume source immutable', () => {
    const old = makePV();
    const next = makePV();
    next.spec!.hostPath!.path = '/other';
    assert.deepEqual(pvType.validateUpdate!(next as never, old as never).map((e) => e.field), ['spec.persistentvolumesource']);
  });
});

describe('persistent volume claim', () => {
  it('defaults and prints an unbound claim', () => {
    const pvc = makePVC();
    pvcType.setDefaults!(pvc as never);
    assert.equal(pvc.spec!.volumeMode, 'Filesystem');
    assert.deepEqual(pvcType.validate!(pvc as never), []);
    assert.deepEqual(pvcType.row!(pvc as never, T0 + 60_000), ['Pending', '', '', '', '', '<unset>', '60s', 'Filesystem']);
  });

  it('requires a positive storage request and access modes', () => {
    const pvc = makePVC();
    pvc.spec!.accessModes = [];
    pvc.spec!.resources!.requests = { storage: '0' };
    assert.deepEqual(pvcType.validate!(pvc as never).map((e) => `${e.field}: ${e.message}`), [
      'spec.accessModes: Required value: at least 1 access mode is required',
      'spec.resources[storage]: Invalid value: "0": must be greater than zero',
    ]);
  });

  it('allows binding and bound resizing but no other spec change', () => {
    const old = makePVC();
    const bound = structuredClone(old);
    bound.spec!.volumeName = 'pv1';
    assert.deepEqual(pvcType.validateUpdate!(bound as never, old as never), []);
    const changed = structuredClone(old);
    changed.spec!.accessModes = ['ReadWriteMany'];
    assert.deepEqual(pvcType.validateUpdate!(changed as never, old as never).map((e) => e.message),
      ['Forbidden: spec is immutable after creation except resources.requests for bound claims']);
  });
});
