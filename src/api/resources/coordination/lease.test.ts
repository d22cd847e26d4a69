import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { leases } from './lease.js';

const k = (o: Lease) => o as unknown as KubeObject;
const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const lease = (spec: Lease['spec']): Lease => ({
  apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'node-1', namespace: 'kube-node-lease', creationTimestamp: '2024-01-01T00:00:00Z' }, spec,
});

describe('Lease', () => {
  const cases: { name: string; spec: Lease['spec']; want: string[] }[] = [
    { name: 'a held lease', spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 }, want: [] },
    { name: 'a zero duration', spec: { leaseDurationSeconds: 0 }, want: ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'] },
    { name: 'negative transitions', spec: { leaseTransitions: -1 }, want: ['spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0'] },
  ];
  for (const c of cases) it(`validates ${c.name}`, () => assert.deepEqual(messages(leases.validate!(k(lease(c.spec)))), c.want));

  it('prints HOLDER and AGE', () => {
    assert.deepEqual(leases.row!(k(lease({ holderIdentity: 'node-1' })), Date.parse('2024-01-01T00:00:10Z')), ['node-1', '10s']);
    assert.deepEqual(leases.row!(k(lease({})), Date.parse('2024-01-01T00:00:10Z')), ['', '10s']);
  });
});
