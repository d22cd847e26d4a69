import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { DEFAULT_GRACE_SECONDS, killGracePeriod, podGracePeriod } from './grace.js';

const container: Container = {
  name: 'c',
  livenessProbe: { exec: { command: ['true'] }, terminationGracePeriodSeconds: 3 },
  startupProbe: { exec: { command: ['true'] }, terminationGracePeriodSeconds: 5 },
};
const pod = (spec: Partial<Pod['spec']> = {}, meta: Pod['metadata'] = {}): Pod => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'u', ...meta },
  spec: { containers: [container], ...spec },
});

describe('killGracePeriod', () => {
  it('gives a liveness or startup failure the probe\'s terminationGracePeriodSeconds', () => {
    const p = pod({ terminationGracePeriodSeconds: 60 });
    assert.equal(killGracePeriod(p, container, 'LivenessProbe'), 3);
    assert.equal(killGracePeriod(p, container, 'StartupProbe'), 5);
  });

  it('falls back to the pod\'s grace when the probe sets none, and for other reasons', () => {
    const plain: Container = { name: 'c', livenessProbe: { exec: { command: ['true'] } } };
    const p = pod({ terminationGracePeriodSeconds: 60 });
    assert.equal(killGracePeriod(p, plain, 'LivenessProbe'), 60);
    assert.equal(killGracePeriod(p, plain, 'StartupProbe'), 60);
    assert.equal(killGracePeriod(p, container, ''), 60);
    assert.equal(killGracePeriod(p, container, 'Unknown'), 60);
    assert.equal(killGracePeriod(p, undefined, 'LivenessProbe'), 60);
    assert.equal(killGracePeriod(pod(), plain, 'LivenessProbe'), DEFAULT_GRACE_SECONDS);
  });

  it('a probe grace of 0 kills at once', () => {
    const zero: Container = { name: 'c', livenessProbe: { exec: { command: ['true'] }, terminationGracePeriodSeconds: 0 } };
    assert.equal(killGracePeriod(pod({ terminationGracePeriodSeconds: 60 }), zero, 'LivenessProbe'), 0);
  });

  it('a pod being deleted gets the deletion\'s grace whatever the reason', () => {
    const p = pod({ terminationGracePeriodSeconds: 60 }, { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 7 });
    assert.equal(killGracePeriod(p, container, 'LivenessProbe'), 7);
    assert.equal(podGracePeriod(p), 7);
    assert.equal(podGracePeriod(pod({ terminationGracePeriodSeconds: 12 })), 12);
  });
});
