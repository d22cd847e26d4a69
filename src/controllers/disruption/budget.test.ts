import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetSpec } from 'kubernetes-types/policy/v1.js';
import {
  DELETION_TIMEOUT_MS, countHealthy, disruptedPodMap, disruptionsAllowed, expectedCounts, failSafeStatus,
  needsControllerScale, nextStatus, scaledValue, setCondition,
} from './budget.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pod(name: string, opts: { ready?: boolean; deleting?: boolean } = {}): Pod {
  return {
    metadata: { name, namespace: 'ns', ...(opts.deleting ? { deletionTimestamp: iso(NOW - 1000) } : {}) },
    status: { conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

describe('scaledValue', () => {
  const cases: { value: number | string; total: number; up: boolean; want: number | 'throws' }[] = [
    { value: 3, total: 10, up: true, want: 3 },
    { value: '50%', total: 5, up: true, want: 3 },
    { value: '50%', total: 5, up: false, want: 2 },
    { value: '0%', total: 7, up: true, want: 0 },
    { value: '100%', total: 7, up: true, want: 7 },
    { value: '34%', total: 3, up: true, want: 2 },
    { value: '5', total: 10, up: true, want: 'throws' },
    { value: 'x%', total: 10, up: true, want: 'throws' },
  ];
  for (const c of cases) {
    it(`scales ${JSON.stringify(c.value)} of ${c.total} rounding ${c.up ? 'up' : 'down'}`, () => {
      if (c.want === 'throws') assert.throws(() => scaledValue(c.value, c.total, c.up), /invalid value for IntOrString/);
      else assert.equal(scaledValue(c.value, c.total, c.up), c.want);
    });
  }
});

describe('expectedCounts', () => {
  const cases: { name: string; spec: PodDisruptionBudgetSpec; pods: number; scale: number; needsScale: boolean; want: [number, number] }[] = [
    { name: 'integer minAvailable counts the matching pods', spec: { minAvailable: 2 }, pods: 4, scale: 9, needsScale: false, want: [4, 2] },
    { name: 'percentage minAvailable rounds up over the scale', spec: { minAvailable: '50%' }, pods: 2, scale: 5, needsScale: true, want: [5, 3] },
    { name: 'integer maxUnavailable subtracts from the scale', spec: { maxUnavailable: 1 }, pods: 2, scale: 3, needsScale: true, want: [3, 2] },
    { name: 'percentage maxUnavailable rounds up', spec: { maxUnavailable: '30%' }, pods: 5, scale: 5, needsScale: true, want: [5, 3] },
    { name: 'desiredHealthy never goes below zero', spec: { maxUnavailable: 5 }, pods: 2, scale: 2, needsScale: true, want: [2, 0] },
    { name: 'maxUnavailable wins over minAvailable', spec: { maxUnavailable: 0, minAvailable: 1 }, pods: 3, scale: 3, needsScale: true, want: [3, 3] },
    { name: 'neither field expects nothing', spec: {}, pods: 3, scale: 3, needsScale: false, want: [0, 0] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(needsControllerScale(c.spec), c.needsScale);
      const got = expectedCounts(c.spec, c.pods, c.scale);
      assert.deepEqual([got.expectedPods, got.desiredHealthy], c.want);
    });
  }
});

describe('disruptedPodMap and countHealthy', () => {
  const recent = iso(NOW - 30_000);
  const old = iso(NOW - DELETION_TIMEOUT_MS - 1000);
  const pods = [pod('a'), pod('b'), pod('c', { deleting: true }), pod('d'), pod('e', { ready: false })];
  const previous = { a: recent, c: recent, d: old, gone: recent };

  it('keeps recent entries of live pods, drops deleted, terminating and expired ones', () => {
    const got = disruptedPodMap(pods, previous, NOW);
    assert.deepEqual(got.kept, { a: recent });
    assert.deepEqual(got.expired, ['d']);
    assert.equal(got.recheckAt, Date.parse(recent) + DELETION_TIMEOUT_MS);
  });

  it('has nothing to recheck without a previous map', () => {
    assert.deepEqual(disruptedPodMap(pods, undefined, NOW), { kept: {}, expired: [] });
  });

  const healthCases: { name: string; disrupted: Record<string, string>; want: number }[] = [
    { name: 'counts ready pods that are not terminating', disrupted: {}, want: 3 },
    { name: 'leaves out recently disrupted pods', disrupted: { a: recent }, want: 2 },
    { name: 'counts pods whose disruption expired', disrupted: { a: old }, want: 3 },
  ];
  for (const c of healthCases) it(c.name, () => assert.equal(countHealthy(pods, c.disrupted, NOW), c.want));
});

describe('nextStatus', () => {
  const pdb = (status?: PodDisruptionBudget['status'], generation = 2): PodDisruptionBudget => ({
    metadata: { name: 'b', namespace: 'ns', generation }, spec: { minAvailable: 1 }, ...(status ? { status } : {}),
  });
  const counts = { expectedPods: 3, desiredHealthy: 1, currentHealthy: 3, disruptedPods: {} };

  const allowedCases: { currentHealthy: number; desiredHealthy: number; expectedPods: number; want: number }[] = [
    { currentHealthy: 3, desiredHealthy: 1, expectedPods: 3, want: 2 },
    { currentHealthy: 1, desiredHealthy: 2, expectedPods: 3, want: 0 },
    { currentHealthy: 3, desiredHealthy: 1, expectedPods: 0, want: 0 },
  ];
  for (const c of allowedCases) {
    it(`allows ${c.want} with ${c.currentHealthy} healthy of ${c.desiredHealthy} desired and ${c.expectedPods} expected`, () => {
      assert.equal(disruptionsAllowed(c), c.want);
    });
  }

  it('writes counts, observedGeneration and DisruptionAllowed=True/SufficientPods', () => {
    const s = nextStatus(pdb(), counts, NOW)!;
    assert.equal(s.disruptionsAllowed, 2);
    assert.equal(s.observedGeneration, 2);
    assert.deepEqual(s.conditions, [{
      type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 2, lastTransitionTime: iso(NOW),
    }]);
  });

  it('says InsufficientPods when nothing may be disrupted', () => {
    const s = nextStatus(pdb(), { ...counts, currentHealthy: 1 }, NOW)!;
    assert.equal(s.conditions?.[0]?.status, 'False');
    assert.equal(s.conditions?.[0]?.reason, 'InsufficientPods');
  });

  it('writes nothing when the status is current, and again when the generation moved', () => {
    const current = nextStatus(pdb(), counts, NOW)!;
    assert.equal(nextStatus(pdb(current), counts, NOW + 5000), undefined);
    const moved = nextStatus(pdb(current, 3), counts, NOW + 5000)!;
    assert.equal(moved.observedGeneration, 3);
    assert.equal(moved.conditions?.[0]?.lastTransitionTime, iso(NOW), 'same status keeps its transition time');
  });

  it('fails safe: zero disruptions and SyncFailed with the error', () => {
    const current = nextStatus(pdb(), counts, NOW)!;
    const s = failSafeStatus(pdb(current), 'found no controllers for pod "x"', NOW + 1000);
    assert.equal(s.disruptionsAllowed, 0);
    assert.equal(s.currentHealthy, 3);
    assert.deepEqual(s.conditions?.map((c) => [c.status, c.reason, c.message, c.lastTransitionTime]),
      [['False', 'SyncFailed', 'found no controllers for pod "x"', iso(NOW + 1000)]]);
  });

  it('setCondition leaves other condition types alone', () => {
    const got = setCondition([{ type: 'Other', status: 'True', reason: 'R', message: '', lastTransitionTime: 'x' }],
      { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '' }, NOW);
    assert.deepEqual(got.map((c) => c.type), ['Other', 'DisruptionAllowed']);
  });
});
