import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { expectedScale, type ScaleFinder } from './scale.js';

function pod(name: string, owner?: { kind: string; uid: string }): Pod {
  return {
    metadata: {
      name, namespace: 'ns',
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.uid, uid: owner.uid, controller: true }] } : {}),
    },
  };
}

/** Knows ReplicaSets rs-1 (3 replicas) and rs-2 (2), and rs-9 as belonging to Deployment d (5). */
const finder: ScaleFinder = async (ref) => {
  if (ref.kind !== 'ReplicaSet') return undefined;
  if (ref.uid === 'rs-9') return { uid: 'd', scale: 5 };
  return ({ 'rs-1': { uid: 'rs-1', scale: 3 }, 'rs-2': { uid: 'rs-2', scale: 2 } } as Record<string, { uid: string; scale: number }>)[ref.uid];
};

describe('expectedScale', () => {
  const cases: { name: string; pods: Pod[]; want: { scale: number; unmanaged: string[] } | RegExp }[] = [
    { name: 'counts each controller once', pods: [pod('a', { kind: 'ReplicaSet', uid: 'rs-1' }), pod('b', { kind: 'ReplicaSet', uid: 'rs-1' })], want: { scale: 3, unmanaged: [] } },
    { name: 'adds up several controllers', pods: [pod('a', { kind: 'ReplicaSet', uid: 'rs-1' }), pod('b', { kind: 'ReplicaSet', uid: 'rs-2' })], want: { scale: 5, unmanaged: [] } },
    { name: 'counts a Deployment through its ReplicaSet', pods: [pod('a', { kind: 'ReplicaSet', uid: 'rs-9' })], want: { scale: 5, unmanaged: [] } },
    { name: 'reports pods without a controller', pods: [pod('a', { kind: 'ReplicaSet', uid: 'rs-2' }), pod('bare')], want: { scale: 2, unmanaged: ['bare'] } },
    { name: 'fails on a controller no finder knows', pods: [pod('j', { kind: 'Job', uid: 'job-1' })], want: /found no controllers for pod "j"/ },
    { name: 'is zero for no pods', pods: [], want: { scale: 0, unmanaged: [] } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      if (c.want instanceof RegExp) await assert.rejects(expectedScale(c.pods, [finder]), c.want);
      else assert.deepEqual(await expectedScale(c.pods, [finder]), c.want);
    });
  }
});
