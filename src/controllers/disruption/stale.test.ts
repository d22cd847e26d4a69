import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { STALE_POD_DISRUPTION_TIMEOUT_MS, staleDisruptionWait, withDisruptionCleared } from './stale.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pod(opts: { status?: string; reason?: string; since?: number; phase?: string; deleting?: boolean } = {}): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns', ...(opts.deleting ? { deletionTimestamp: iso(NOW) } : {}) },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [
        { type: 'Ready', status: 'True' },
        ...(opts.status ? [{ type: 'DisruptionTarget', status: opts.status, reason: opts.reason ?? 'EvictionByEvictionAPI', lastTransitionTime: iso(opts.since ?? NOW) }] : []),
      ],
    },
  };
}

describe('staleDisruptionWait', () => {
  const cases: { name: string; pod: Pod; want: number | undefined }[] = [
    { name: 'no condition: nothing to clear', pod: pod(), want: undefined },
    { name: 'a False condition stays', pod: pod({ status: 'False' }), want: undefined },
    { name: 'a fresh condition waits out the timeout', pod: pod({ status: 'True', since: NOW - 30_000 }), want: STALE_POD_DISRUPTION_TIMEOUT_MS - 30_000 },
    { name: 'an old condition is stale now', pod: pod({ status: 'True', since: NOW - STALE_POD_DISRUPTION_TIMEOUT_MS - 1 }), want: 0 },
    { name: 'a terminating pod keeps it', pod: pod({ status: 'True', since: 0, deleting: true }), want: undefined },
    { name: 'a finished pod keeps it', pod: pod({ status: 'True', since: 0, phase: 'Failed' }), want: undefined },
    { name: "the kubelet's condition never goes stale", pod: pod({ status: 'True', since: 0, reason: 'TerminationByKubelet' }), want: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.equal(staleDisruptionWait(c.pod, NOW), c.want));
});

describe('withDisruptionCleared', () => {
  it('resets only the DisruptionTarget condition to False as of now', () => {
    const got = withDisruptionCleared(pod({ status: 'True', since: 0 }), NOW);
    assert.deepEqual(got.status?.conditions, [
      { type: 'Ready', status: 'True' },
      { type: 'DisruptionTarget', status: 'False', lastTransitionTime: iso(NOW) },
    ]);
  });
});
