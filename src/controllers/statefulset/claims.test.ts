import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { retentionOwnerRefs } from './claims.js';
import type { PersistentVolumeClaim, Pod, StatefulSet } from './types.js';

function set(whenDeleted: string, whenScaled: string, replicas = 2): StatefulSet {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'set-uid' },
    spec: { replicas, persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled } },
  } as unknown as StatefulSet;
}
const pod = (ordinal: number): Pod => ({ metadata: { name: `web-${ordinal}`, uid: `pod-${ordinal}` } } as Pod);
const claim = (refs: { uid: string }[] = []): PersistentVolumeClaim =>
  ({ metadata: { name: 'data-web-1', ownerReferences: refs } } as unknown as PersistentVolumeClaim);
const uids = (refs: { uid?: string }[]) => refs.map((r) => r.uid).sort();

describe('claim retention owner references', () => {
  it('Retain/Retain leaves claims unowned by the set and its pods', () => {
    assert.deepEqual(uids(retentionOwnerRefs(set('Retain', 'Retain'), pod(1), claim([{ uid: 'set-uid' }, { uid: 'other' }]))), ['other']);
  });
  it('whenDeleted Delete makes the set an owner', () => {
    assert.deepEqual(uids(retentionOwnerRefs(set('Delete', 'Retain'), pod(1), claim())), ['set-uid']);
  });
  it('whenScaled Delete makes a scaled-away pod the owner, and only then', () => {
    assert.deepEqual(uids(retentionOwnerRefs(set('Retain', 'Delete', 1), pod(1), claim())), ['pod-1']);
    assert.deepEqual(uids(retentionOwnerRefs(set('Retain', 'Delete', 2), pod(1), claim([{ uid: 'pod-1' }]))), []);
  });
  it('Delete/Delete moves ownership from the set to the pod on scale-down', () => {
    assert.deepEqual(uids(retentionOwnerRefs(set('Delete', 'Delete', 2), pod(1), claim())), ['set-uid']);
    assert.deepEqual(uids(retentionOwnerRefs(set('Delete', 'Delete', 1), pod(1), claim([{ uid: 'set-uid' }]))), ['pod-1']);
  });
});
