import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { makePod } from '../helper/testing.js';
import { filterPodsWithPDBViolation } from './pdb.js';
import { pdb } from './testing.js';

function labeled(name: string, labels: Record<string, string>, namespace = 'default'): Pod {
  const p = makePod(name);
  p.metadata = { ...p.metadata, labels, namespace };
  return p;
}

test('filterPodsWithPDBViolation counts each budget down over the pods in order', () => {
  const web = (n: string) => labeled(n, { app: 'web' });
  const cases: { name: string; pods: Pod[]; pdbs: PodDisruptionBudget[]; violating: string[] }[] = [
    { name: 'no budgets', pods: [web('a'), web('b')], pdbs: [], violating: [] },
    { name: 'budget allows none', pods: [web('a'), web('b')], pdbs: [pdb('p', { app: 'web' }, 0)], violating: ['a', 'b'] },
    { name: 'budget allows one: the first is allowed', pods: [web('a'), web('b'), web('c')], pdbs: [pdb('p', { app: 'web' }, 1)], violating: ['b', 'c'] },
    { name: 'selector does not match', pods: [labeled('a', { app: 'db' })], pdbs: [pdb('p', { app: 'web' }, 0)], violating: [] },
    { name: 'other namespace', pods: [labeled('a', { app: 'web' }, 'other')], pdbs: [pdb('p', { app: 'web' }, 0)], violating: [] },
    { name: 'pod without labels matches no budget', pods: [makePod('a')], pdbs: [{ ...pdb('p', {}, 0), spec: { selector: {} } }], violating: [] },
    { name: 'empty selector matches nothing', pods: [web('a')], pdbs: [{ ...pdb('p', {}, 0), spec: { selector: {} } }], violating: [] },
    { name: 'missing selector matches nothing', pods: [web('a')], pdbs: [{ ...pdb('p', {}, 0), spec: {} }], violating: [] },
    { name: 'already disrupted pods do not count', pods: [web('a'), web('b')], pdbs: [pdb('p', { app: 'web' }, 1, { disruptedPods: ['a'] })], violating: [] },
    {
      name: 'one violated budget of two is enough',
      pods: [labeled('a', { app: 'web', tier: 'x' })],
      pdbs: [pdb('p1', { app: 'web' }, 5), pdb('p2', { tier: 'x' }, 0)],
      violating: ['a'],
    },
    {
      name: 'invalid selector matches nothing',
      pods: [web('a')],
      pdbs: [{ ...pdb('p', {}, 0), spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Bogus' }] } } }],
      violating: [],
    },
  ];
  for (const c of cases) {
    const r = filterPodsWithPDBViolation(c.pods, c.pdbs);
    assert.deepEqual(r.violating.map((p) => p.metadata?.name), c.violating, c.name);
    const rest = c.pods.map((p) => p.metadata?.name).filter((n) => !c.violating.includes(n!));
    assert.deepEqual(r.nonViolating.map((p) => p.metadata?.name), rest, c.name);
  }
});
