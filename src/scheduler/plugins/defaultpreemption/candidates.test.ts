import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { newNodeInfo } from '../../framework/nodeinfo.js';
import { Code, Status } from '../../framework/status.js';
import { CycleState } from '../../framework/types.js';
import { makeNode, makePod } from '../helper/testing.js';
import {
  calculateNumCandidates, dryRunPreemption, earliestStartOfHighestPriority, nodesWherePreemptionMightHelp, pickOneNodeForPreemption,
  type Candidate,
} from './candidates.js';
import { setup } from './testing.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

function victim(name: string, priority: number, start?: string): Pod {
  const p = makePod(name, { priority });
  return start ? { ...p, status: { startTime: start } } : p;
}

const cand = (name: string, pods: Pod[], numPDBViolations = 0): Candidate => ({ name, victims: { pods, numPDBViolations } });

test('calculateNumCandidates takes a share of the nodes, at least the absolute, at most all', () => {
  const cases: { nodes: number; pct: number; abs: number; want: number }[] = [
    { nodes: 10, pct: 10, abs: 100, want: 10 },
    { nodes: 1000, pct: 10, abs: 100, want: 100 },
    { nodes: 5000, pct: 10, abs: 100, want: 500 },
    { nodes: 50, pct: 40, abs: 1, want: 20 },
    { nodes: 3, pct: 0, abs: 1, want: 1 },
  ];
  for (const c of cases) assert.equal(calculateNumCandidates(c.nodes, c.pct, c.abs), c.want, JSON.stringify(c));
});

test('nodesWherePreemptionMightHelp keeps only Unschedulable nodes', () => {
  const nodes = ['a', 'b', 'c', 'd'].map((n) => newNodeInfo(makeNode(n)));
  const filtered = new Map([
    ['a', Status.unschedulable('Insufficient cpu')],
    ['b', Status.unresolvable("node(s) didn't match Pod's node affinity/selector")],
    ['c', Status.unschedulable('Too many pods')],
  ]);
  assert.deepEqual(nodesWherePreemptionMightHelp(nodes, filtered).map((n) => n.name), ['a', 'c']);
});

test('pickOneNodeForPreemption applies Kubernetes’ criteria in order', () => {
  const cases: { name: string; candidates: Candidate[]; want: string }[] = [
    { name: 'fewest budget violations', candidates: [cand('a', [victim('x', 1)], 1), cand('b', [victim('y', 9)], 0)], want: 'b' },
    { name: 'lowest highest-victim priority', candidates: [cand('a', [victim('x', 5)]), cand('b', [victim('y', 3), victim('z', 2)])], want: 'b' },
    { name: 'smallest priority sum', candidates: [cand('a', [victim('x', 5), victim('y', 4)]), cand('b', [victim('z', 5), victim('w', 1)])], want: 'b' },
    {
      name: 'negative priorities: fewer victims win the sum',
      candidates: [cand('a', [victim('x', -5), victim('y', -5)]), cand('b', [victim('z', -5)])], want: 'b',
    },
    { name: 'fewest victims', candidates: [cand('a', [victim('x', 0), victim('y', 0)]), cand('b', [victim('z', 0), victim('v', 0)]), cand('c', [victim('w', 0)])], want: 'c' },
    {
      name: 'latest start of the highest-priority victims',
      candidates: [cand('a', [victim('x', 3, '2020-01-01T00:00:00Z')]), cand('b', [victim('y', 3, '2025-01-01T00:00:00Z')])], want: 'b',
    },
    { name: 'first on a full tie', candidates: [cand('a', [victim('x', 3)]), cand('b', [victim('y', 3)])], want: 'a' },
    { name: 'single candidate', candidates: [cand('only', [victim('x', 3)], 4)], want: 'only' },
  ];
  for (const c of cases) assert.equal(pickOneNodeForPreemption(c.candidates, NOW)?.name, c.want, c.name);
  assert.equal(pickOneNodeForPreemption([], NOW), undefined);
});

test('earliestStartOfHighestPriority looks only at the highest-priority victims', () => {
  const pods = [victim('a', 5, '2024-01-01T00:00:00Z'), victim('b', 5, '2023-01-01T00:00:00Z'), victim('c', 1, '2000-01-01T00:00:00Z')];
  assert.equal(earliestStartOfHighestPriority(pods, NOW), Date.parse('2023-01-01T00:00:00Z'));
  assert.equal(earliestStartOfHighestPriority([], NOW), undefined);
});

test('dryRunPreemption starts at the offset and stops once enough candidates are found', () => {
  // Every node is full with one low-priority pod; n4 holds only a pod of the preemptor's priority.
  const names = ['n0', 'n1', 'n2', 'n3', 'n4'];
  const nodes = names.map((n) => newNodeInfo(
    makeNode(n, { allocatable: { cpu: '1', memory: '1Gi', pods: '10' } }),
    [makePod(`p-${n}`, { node: n, priority: n === 'n4' ? 10 : 1, requests: [{ cpu: '1' }] })],
  ));
  const pod = makePod('preemptor', { priority: 10, requests: [{ cpu: '1' }] });
  const cases: { name: string; offset: number; num: number; candidates: string[]; statuses: Record<string, Code> }[] = [
    { name: 'all nodes', offset: 0, num: 5, candidates: ['n0', 'n1', 'n2', 'n3'], statuses: { n4: Code.UnschedulableAndUnresolvable } },
    { name: 'two from offset 3, wrapping', offset: 3, num: 2, candidates: ['n3', 'n0'], statuses: { n4: Code.UnschedulableAndUnresolvable } },
    { name: 'one from offset 1', offset: 1, num: 1, candidates: ['n1'], statuses: {} },
  ];
  for (const c of cases) {
    const { fwk } = setup();
    const state = new CycleState();
    fwk.runPreFilter(state, pod, nodes);
    const r = dryRunPreemption({ runner: fwk, state, pod, potentialNodes: nodes, pdbs: [], offset: c.offset, numCandidates: c.num, now: NOW });
    assert.deepEqual(r.candidates.map((x) => x.name), c.candidates, c.name);
    assert.deepEqual(Object.fromEntries([...r.statuses].map(([k, v]) => [k, v.code])), c.statuses, c.name);
    assert.deepEqual(r.errors, [], c.name);
    // The snapshot's nodes are left as they were.
    for (const n of nodes) assert.equal(n.pods.length, 1, c.name);
  }
});
