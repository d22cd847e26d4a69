import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { poddisruptionbudgets } from './poddisruptionbudget.js';

const k = (o: PodDisruptionBudget) => o as unknown as KubeObject;
const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const pdb = (spec: PodDisruptionBudgetSpec, status?: PodDisruptionBudgetStatus): PodDisruptionBudget => ({
  apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z' },
  spec, ...(status ? { status } : {}),
});
const sel = { matchLabels: { app: 'web' } };

describe('PodDisruptionBudget', () => {
  const cases: { name: string; spec: PodDisruptionBudgetSpec; want: string[] }[] = [
    { name: 'minAvailable as a number', spec: { minAvailable: 2, selector: sel }, want: [] },
    { name: 'maxUnavailable as a percent', spec: { maxUnavailable: '25%', selector: sel }, want: [] },
    { name: 'neither bound and an empty selector', spec: { selector: {} }, want: [] },
    { name: 'no selector at all', spec: { minAvailable: 1 }, want: [] },
    {
      name: 'both bounds', spec: { minAvailable: 1, maxUnavailable: 1 },
      want: ['spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:intstr.IntOrString{Type:0, IntVal:1, StrVal:""}, Selector:nil, MaxUnavailable:intstr.IntOrString{Type:0, IntVal:1, StrVal:""}, UnhealthyPodEvictionPolicy:nil}: minAvailable and maxUnavailable cannot be both set'],
    },
    {
      name: 'a negative minAvailable', spec: { minAvailable: -1 },
      want: ['spec.minAvailable: Invalid value: -1: must be greater than or equal to 0'],
    },
    {
      name: 'a percent above 100', spec: { maxUnavailable: '150%' },
      want: ['spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%'],
    },
    {
      name: 'a string that is not a percent', spec: { minAvailable: 'half' },
      want: ["spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"half\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"],
    },
    {
      name: 'a bad selector operator', spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Near' }] } },
      want: ['spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator'],
    },
    {
      name: 'an unknown eviction policy', spec: { minAvailable: 1, unhealthyPodEvictionPolicy: 'Sometimes' },
      want: ['spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"'],
    },
    { name: 'AlwaysAllow', spec: { minAvailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' }, want: [] },
  ];
  for (const c of cases) it(`validates ${c.name}`, () => assert.deepEqual(messages(poddisruptionbudgets.validate!(k(pdb(c.spec)))), c.want));

  it('checks status counts and conditions on update', () => {
    const old = pdb({ minAvailable: 1 });
    const next = pdb({ minAvailable: 1 }, {
      disruptionsAllowed: -1, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0,
      conditions: [{ type: 'DisruptionAllowed', status: 'Maybe', reason: '', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' }],
    });
    assert.deepEqual(messages(poddisruptionbudgets.validateUpdate!(k(next), k(old))), [
      'status.conditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
      'status.conditions[0].reason: Required value: must be set',
      'status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });

  it('lets the spec change on update', () => {
    assert.deepEqual(poddisruptionbudgets.validateUpdate!(k(pdb({ minAvailable: 2 })), k(pdb({ maxUnavailable: 1 }))), []);
  });

  const rows: { name: string; obj: PodDisruptionBudget; want: unknown[] }[] = [
    { name: 'minAvailable', obj: pdb({ minAvailable: 2 }, { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 }), want: ['2', 'N/A', 1, '2d'] },
    { name: 'maxUnavailable', obj: pdb({ maxUnavailable: '10%' }), want: ['N/A', '10%', 0, '2d'] },
  ];
  for (const r of rows) {
    it(`prints MIN AVAILABLE, MAX UNAVAILABLE, ALLOWED DISRUPTIONS, AGE with ${r.name}`, () =>
      assert.deepEqual(poddisruptionbudgets.row!(k(r.obj), Date.parse('2024-01-03T00:00:00Z')), r.want));
  }

  it('is namespaced with the pdb short name and a status subresource', () => {
    assert.deepEqual([poddisruptionbudgets.namespaced, poddisruptionbudgets.shortNames, poddisruptionbudgets.hasStatus],
      [true, ['pdb'], true]);
    assert.deepEqual(poddisruptionbudgets.subresources?.map((s) => s.name), ['status']);
  });
});
