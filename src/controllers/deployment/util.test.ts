import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeHash, equalIgnoreHash } from './hash.js';
import type { Deployment, ReplicaSet } from './types.js';
import { maxSurge, maxUnavailable, newRSNewReplicas, proportion, resolveFenceposts, setNewReplicaSetAnnotations } from './util.js';

const dep = (replicas: number, maxSurgeV: number | string, maxUnavailableV: number | string, annotations: Record<string, string> = {}): Deployment => ({
  metadata: { name: 'web', annotations },
  spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: maxSurgeV, maxUnavailable: maxUnavailableV } } },
});
const rs = (replicas: number, annotations: Record<string, string> = {}): ReplicaSet => ({ metadata: { name: 'x', annotations }, spec: { replicas } });

describe('deployment fenceposts', () => {
  it('round surge up and unavailability down', () => {
    assert.deepEqual(resolveFenceposts(dep(10, '25%', '25%')), { surge: 3, unavailable: 2 });
    assert.deepEqual(resolveFenceposts(dep(1, '25%', '25%')), { surge: 1, unavailable: 0 });
  });
  it('make unavailability 1 when both are zero, and cap it at replicas', () => {
    assert.deepEqual(resolveFenceposts(dep(3, 0, 0)), { surge: 0, unavailable: 1 });
    assert.equal(maxUnavailable(dep(2, 0, 5)), 2);
    assert.equal(maxSurge({ spec: { replicas: 3, strategy: { type: 'Recreate' } } }), 0);
  });
  it('give a new set at most the surge budget', () => {
    const d = dep(3, 1, 0);
    const n = rs(0);
    assert.equal(newRSNewReplicas(d, [rs(3), n], n), 1);
    assert.equal(newRSNewReplicas(d, [rs(3), rs(1)], rs(1)), 1);
  });
  it('share a size change by each set\'s share of max-replicas', () => {
    const d = dep(15, 3, 2);
    assert.equal(proportion(rs(8, { 'deployment.kubernetes.io/max-replicas': '13' }), d, 5, 0), 3);
    assert.equal(proportion(rs(5, { 'deployment.kubernetes.io/max-replicas': '13' }), d, 5, 3), 2);
  });
});

describe('replica set annotations', () => {
  it('copy the deployment\'s annotations but not its revision, and move the revision up', () => {
    const d = dep(3, 1, 0, { 'kubernetes.io/change-cause': 'v2', 'deployment.kubernetes.io/revision': '9', 'kubectl.kubernetes.io/last-applied-configuration': '{}' });
    const set = rs(3, { 'deployment.kubernetes.io/revision': '1' });
    assert.ok(setNewReplicaSetAnnotations(d, set, 3, true));
    assert.deepEqual(set.metadata?.annotations, {
      'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1', 'kubernetes.io/change-cause': 'v2',
    });
    assert.ok(!setNewReplicaSetAnnotations(d, set, 3, true));
  });
});

describe('pod-template-hash', () => {
  it('is stable, short, from the safe alphabet, and changes with the template or collision count', () => {
    const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    const h = computeHash(t);
    assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.equal(computeHash(structuredClone(t)), h);
    assert.notEqual(computeHash({ ...t, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } }), h);
    assert.notEqual(computeHash(t, 1), h);
  });
  it('is ignored when comparing templates, as are empty fields', () => {
    const a = { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } }, spec: { containers: [{ name: 'c' }], volumes: [] } };
    const b = { metadata: { labels: { app: 'web' }, annotations: {} }, spec: { containers: [{ name: 'c' }] } };
    assert.ok(equalIgnoreHash(a, b));
    assert.ok(!equalIgnoreHash(a, { metadata: { labels: { app: 'other' } }, spec: { containers: [{ name: 'c' }] } }));
  });
});
