import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isOursToDelete, ownedDirectory, type Pv } from './volume.js';

const pv = (path: string, extra: Partial<{ phase: string; policy: string; node: string; by: string }> = {}): Pv => ({
  apiVersion: 'v1', kind: 'PersistentVolume',
  metadata: { name: 'pvc-1', annotations: { 'pv.kubernetes.io/provisioned-by': extra.by ?? 'kite.io/local-path' } },
  spec: {
    hostPath: { path }, persistentVolumeReclaimPolicy: extra.policy ?? 'Delete',
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [extra.node ?? 'n1'] }] }] } },
  },
  status: { phase: extra.phase ?? 'Released' },
});

describe('local-path volumes', () => {
  it('owns only its own directories directly under the storage dir', () => {
    assert.equal(ownedDirectory(pv('/data/storage/pvc-1_ns_c'), '/data/storage'), '/data/storage/pvc-1_ns_c');
    assert.equal(ownedDirectory(pv('/data/storage/../etc'), '/data/storage'), undefined);
    assert.equal(ownedDirectory(pv('/data/storage'), '/data/storage'), undefined);
    assert.equal(ownedDirectory(pv('/data/storage/pvc-2_ns_c'), '/data/storage'), undefined);
    assert.equal(ownedDirectory(pv('/data/storage/pvc-1_ns_c/sub'), '/data/storage'), undefined);
    assert.equal(ownedDirectory(pv('/elsewhere/pvc-1_ns_c'), '/data/storage'), undefined);
  });

  it('deletes only released volumes of its own, on its node, with policy Delete', () => {
    assert.equal(isOursToDelete(pv('/x'), 'n1'), true);
    assert.equal(isOursToDelete(pv('/x'), 'n2'), false);
    assert.equal(isOursToDelete(pv('/x', { phase: 'Bound' }), 'n1'), false);
    assert.equal(isOursToDelete(pv('/x', { policy: 'Retain' }), 'n1'), false);
    assert.equal(isOursToDelete(pv('/x', { by: 'example.com/disk' }), 'n1'), false);
  });
});
