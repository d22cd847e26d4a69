import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newNodeInfo } from '../../framework/nodeinfo.js';
import { CycleState } from '../../framework/types.js';
import { makeNode, makePod } from '../helper/testing.js';
import { BALANCED_ALLOCATION_NAME, NodeResourcesBalancedAllocation, type BalancedAllocationArgs } from './index.js';

test('NodeResourcesBalancedAllocation scores 100 × (1 − std of the usage fractions)', () => {
  const gpuArgs: BalancedAllocationArgs = { resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }, { name: 'example.com/gpu', weight: 1 }] };
  const cases: { name: string; args?: BalancedAllocationArgs; allocatable?: Record<string, string>; existing?: Record<string, string>[]; requests?: Record<string, string>; want: number }[] = [
    { name: 'equal fractions', requests: { cpu: '1', memory: '2Gi' }, want: 100 },
    { name: 'half vs quarter', requests: { cpu: '2', memory: '2Gi' }, want: 87 },
    { name: 'existing pods count', existing: [{ cpu: '1' }], requests: { cpu: '1', memory: '2Gi' }, want: 87 },
    { name: 'no requests: actual (zero) requests are used', want: 100 },
    { name: 'fractions cap at 1', requests: { cpu: '8', memory: '2Gi' }, want: 62 },
    { name: 'three resources use the population std', args: gpuArgs, allocatable: { cpu: '4', memory: '8Gi', pods: '110', 'example.com/gpu': '4' }, requests: { cpu: '1', memory: '2Gi', 'example.com/gpu': '2' }, want: 88 },
    { name: 'a resource the node lacks is left out', args: gpuArgs, requests: { cpu: '2', memory: '2Gi' }, want: 87 },
  ];
  for (const c of cases) {
    const plugin = new NodeResourcesBalancedAllocation(c.args);
    const pods = (c.existing ?? []).map((r, i) => makePod(`e${i}`, { requests: [r] }));
    const node = newNodeInfo(makeNode('n', { allocatable: c.allocatable ?? { cpu: '4', memory: '8Gi', pods: '110' } }), pods);
    const pod = makePod('p', { requests: c.requests ? [c.requests] : [] });
    const state = new CycleState();
    assert.ok(plugin.preScore(state, pod, [node]).isSuccess());
    assert.equal(plugin.score(state, pod, node).score, c.want, c.name);
  }
  assert.equal(BALANCED_ALLOCATION_NAME, 'NodeResourcesBalancedAllocation');
});
