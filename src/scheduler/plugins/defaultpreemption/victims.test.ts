import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { newNodeInfo } from '../../framework/nodeinfo.js';
import { Code } from '../../framework/status.js';
import { CycleState } from '../../framework/types.js';
import { makeNode, makePod } from '../helper/testing.js';
import { ERR_NO_VICTIMS, moreImportantPod, selectVictimsOnNode } from './victims.js';
import { pdb, setup } from './testing.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

/** A pod on n1 asking `cpu` cores, with a priority, optional labels and start time. */
function running(name: string, cpu: number, priority: number, o: { labels?: Record<string, string>; start?: string } = {}): Pod {
  const p = makePod(name, { node: 'n1', priority, requests: [{ cpu: String(cpu) }] });
  if (o.labels) p.metadata!.labels = o.labels;
  return o.start ? { ...p, status: { startTime: o.start } } : p;
}

const preemptor = (cpu: number, priority = 10) => makePod('preemptor', { priority, requests: [{ cpu: String(cpu) }] });

test('selectVictimsOnNode evicts the fewest and least important pods', () => {
  const cases: {
    name: string; pods: Pod[]; pod: Pod; pdbs?: PodDisruptionBudget[];
    victims?: string[]; violations?: number; code?: Code; reason?: string;
  }[] = [
    {
      name: 'higher-priority victim reprieved, lower evicted',
      pods: [running('low', 1, 1), running('mid', 2, 5), running('top', 1, 20)], pod: preemptor(1),
      victims: ['low'], violations: 0,
    },
    {
      name: 'greedy: the more important pod goes when putting it back leaves too little room',
      pods: [running('low', 1, 1), running('mid', 2, 5), running('top', 1, 20)], pod: preemptor(2),
      victims: ['mid'], violations: 0,
    },
    {
      name: 'both evicted when needed, most important first',
      pods: [running('low', 1, 1), running('mid', 2, 5), running('top', 1, 20)], pod: preemptor(3),
      victims: ['mid', 'low'], violations: 0,
    },
    {
      name: 'equal priority: the longer-running pod is reprieved first',
      pods: [running('new', 1, 1, { start: '2026-05-01T00:00:00Z' }), running('old', 1, 1, { start: '2020-01-01T00:00:00Z' }), running('top', 2, 20)],
      pod: preemptor(1), victims: ['new'], violations: 0,
    },
    {
      name: 'no lower-priority pods',
      pods: [running('top', 4, 20)], pod: preemptor(1),
      code: Code.UnschedulableAndUnresolvable, reason: ERR_NO_VICTIMS,
    },
    {
      name: 'equal priority is no victim',
      pods: [running('same', 4, 10)], pod: preemptor(1),
      code: Code.UnschedulableAndUnresolvable, reason: ERR_NO_VICTIMS,
    },
    {
      name: 'does not fit even with every victim gone',
      pods: [running('low', 1, 1), running('top', 2, 20)], pod: preemptor(3),
      code: Code.Unschedulable, reason: 'Insufficient cpu',
    },
    {
      name: 'a budget-protected pod is reprieved before a more important one',
      pods: [running('mid', 2, 5), running('web', 2, 1, { labels: { app: 'web' } })], pod: preemptor(2),
      pdbs: [pdb('web', { app: 'web' }, 0)], victims: ['mid'], violations: 0,
    },
    {
      name: 'without the budget the less important pod goes',
      pods: [running('mid', 2, 5), running('web', 2, 1, { labels: { app: 'web' } })], pod: preemptor(2),
      victims: ['web'], violations: 0,
    },
    {
      name: 'evicting a protected pod counts a violation; victims stay sorted by importance',
      pods: [running('web', 1, 1, { labels: { app: 'web' } }), running('mid', 1, 5), running('top', 2, 20)], pod: preemptor(2),
      pdbs: [pdb('web', { app: 'web' }, 0)], victims: ['mid', 'web'], violations: 1,
    },
    {
      name: 'a budget with room left allows the eviction',
      pods: [running('web', 2, 1, { labels: { app: 'web' } }), running('top', 2, 20)], pod: preemptor(2),
      pdbs: [pdb('web', { app: 'web' }, 1)], victims: ['web'], violations: 0,
    },
  ];
  for (const c of cases) {
    const { fwk } = setup();
    const info = newNodeInfo(makeNode('n1', { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } }), c.pods);
    const state = new CycleState();
    assert.ok(fwk.runPreFilter(state, c.pod, [info]).status.isSuccess(), c.name);
    const copy = info.clone();
    const r = selectVictimsOnNode(fwk, state.clone(), c.pod, copy, c.pdbs ?? [], NOW);
    if (c.victims) {
      assert.ok(r.status.isSuccess(), `${c.name}: ${r.status.message()}`);
      assert.deepEqual(r.victims?.pods.map((p) => p.metadata?.name), c.victims, c.name);
      assert.equal(r.victims?.numPDBViolations, c.violations, c.name);
      // The copy holds what stays; the node itself is untouched.
      assert.deepEqual(copy.pods.map((p) => p.metadata?.name).sort(), c.pods.map((p) => p.metadata?.name).filter((n) => !c.victims!.includes(n!)).sort(), c.name);
      assert.equal(info.pods.length, c.pods.length, c.name);
    } else {
      assert.equal(r.status.code, c.code, c.name);
      assert.deepEqual(r.status.reasons, [c.reason], c.name);
    }
  }
});

test('moreImportantPod orders by priority, then by start time', () => {
  const at = (name: string, priority: number, start?: string) => {
    const p = makePod(name, { priority });
    return start ? { ...p, status: { startTime: start } } : p;
  };
  const cases: { name: string; a: Pod; b: Pod; want: boolean }[] = [
    { name: 'higher priority', a: at('a', 5), b: at('b', 1), want: true },
    { name: 'lower priority', a: at('a', 1), b: at('b', 5), want: false },
    { name: 'no priority counts as 0', a: makePod('a'), b: at('b', -1), want: true },
    { name: 'earlier start', a: at('a', 1, '2020-01-01T00:00:00Z'), b: at('b', 1, '2021-01-01T00:00:00Z'), want: true },
    { name: 'not started counts as now', a: at('a', 1), b: at('b', 1, '2021-01-01T00:00:00Z'), want: false },
  ];
  for (const c of cases) assert.equal(moreImportantPod(c.a, c.b, NOW), c.want, c.name);
});
