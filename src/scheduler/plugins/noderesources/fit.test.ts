import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newNodeInfo } from '../../framework/nodeinfo.js';
import { Code } from '../../framework/status.js';
import { CycleState } from '../../framework/types.js';
import { makeNode, makePod } from '../helper/testing.js';
import {
  NodeResourcesFit, REASON_INSUFFICIENT_CPU, REASON_INSUFFICIENT_EPHEMERAL_STORAGE, REASON_INSUFFICIENT_MEMORY,
  REASON_TOO_MANY_PODS, type NodeResourcesFitArgs,
} from './index.js';

const NODE = { cpu: '4', memory: '8Gi', pods: '110' };

test('NodeResourcesFit Filter reports every resource the node lacks', () => {
  const cases: { name: string; allocatable?: Record<string, string>; existing?: Record<string, string>[]; requests?: Record<string, string>; code: Code; reasons: string[] }[] = [
    { name: 'fits an empty node', requests: { cpu: '1', memory: '1Gi' }, code: Code.Success, reasons: [] },
    { name: 'exactly fills the node', requests: { cpu: '4', memory: '8Gi' }, code: Code.Success, reasons: [] },
    { name: 'too much cpu', requests: { cpu: '5' }, code: Code.Unschedulable, reasons: [REASON_INSUFFICIENT_CPU] },
    { name: 'existing pods count', existing: [{ cpu: '2', memory: '7Gi' }], requests: { cpu: '3', memory: '512Mi' }, code: Code.Unschedulable, reasons: [REASON_INSUFFICIENT_CPU] },
    { name: 'cpu and memory', requests: { cpu: '5', memory: '9Gi' }, code: Code.Unschedulable, reasons: [REASON_INSUFFICIENT_CPU, REASON_INSUFFICIENT_MEMORY] },
    { name: 'ephemeral storage', requests: { 'ephemeral-storage': '1Gi' }, code: Code.Unschedulable, reasons: [REASON_INSUFFICIENT_EPHEMERAL_STORAGE] },
    { name: 'extended resource missing', requests: { 'example.com/gpu': '1' }, code: Code.Unschedulable, reasons: ['Insufficient example.com/gpu'] },
    { name: 'extended resource present', allocatable: { ...NODE, 'example.com/gpu': '2' }, requests: { 'example.com/gpu': '2' }, code: Code.Success, reasons: [] },
    { name: 'pod slots full', allocatable: { ...NODE, pods: '1' }, existing: [{}], requests: { cpu: '100m' }, code: Code.Unschedulable, reasons: [REASON_TOO_MANY_PODS] },
    { name: 'pod slots full, no requests', allocatable: { ...NODE, pods: '1' }, existing: [{}], code: Code.Unschedulable, reasons: [REASON_TOO_MANY_PODS] },
    { name: 'no requests fit a full node', existing: [{ cpu: '4', memory: '8Gi' }], code: Code.Success, reasons: [] },
  ];
  const plugin = new NodeResourcesFit();
  for (const c of cases) {
    const pods = (c.existing ?? []).map((r, i) => makePod(`e${i}`, { requests: [r] }));
    const node = newNodeInfo(makeNode('n', { allocatable: c.allocatable ?? NODE }), pods);
    const pod = makePod('p', { requests: c.requests ? [c.requests] : [] });
    const state = new CycleState();
    assert.ok(plugin.preFilter(state, pod, [node]).status.isSuccess());
    const s = plugin.filter(state, pod, node);
    assert.equal(s.code, c.code, c.name);
    assert.deepEqual(s.reasons, c.reasons, c.name);
  }
  assert.deepEqual(
    [REASON_INSUFFICIENT_CPU, REASON_INSUFFICIENT_MEMORY, REASON_INSUFFICIENT_EPHEMERAL_STORAGE, REASON_TOO_MANY_PODS],
    ['Insufficient cpu', 'Insufficient memory', 'Insufficient ephemeral-storage', 'Too many pods'],
  );
});

test('NodeResourcesFit scores by its strategy over non-zero requests', () => {
  const most: NodeResourcesFitArgs = { scoringStrategy: { type: 'MostAllocated' } };
  const pack: NodeResourcesFitArgs = { scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape: [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }] } } };
  const spread: NodeResourcesFitArgs = { scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape: [{ utilization: 0, score: 10 }, { utilization: 100, score: 0 }] } } };
  const cases: { name: string; args?: NodeResourcesFitArgs; existing?: Record<string, string>[]; requests?: Record<string, string>; want: number }[] = [
    { name: 'least: quarter used', requests: { cpu: '1', memory: '2Gi' }, want: 75 },
    { name: 'least: no requests use 100m/200Mi', want: 97 },
    { name: 'least: existing pods count', existing: [{ cpu: '2', memory: '4Gi' }], requests: { cpu: '1', memory: '2Gi' }, want: 25 },
    { name: 'least: over capacity scores 0 for that resource', requests: { cpu: '5', memory: '2Gi' }, want: 37 },
    {
      name: 'least: weights', args: { scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'cpu', weight: 3 }, { name: 'memory', weight: 1 }] } },
      // The existing pod's missing memory request counts as 200Mi: memory scores 72, not 75.
      existing: [{ cpu: '2' }], requests: { cpu: '1', memory: '2Gi' }, want: 36,
    },
    { name: 'most: quarter used', args: most, requests: { cpu: '1', memory: '2Gi' }, want: 25 },
    { name: 'most: over capacity counts as full', args: most, requests: { cpu: '5', memory: '2Gi' }, want: 62 },
    { name: 'ratio: bin packing', args: pack, requests: { cpu: '1', memory: '2Gi' }, want: 25 },
    { name: 'ratio: spreading', args: spread, requests: { cpu: '1', memory: '2Gi' }, want: 75 },
    { name: 'ratio: rounds the weighted mean', args: pack, requests: { cpu: '1', memory: '4Gi' }, want: 38 },
    {
      name: 'ratio: interpolates between points',
      args: { scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape: [{ utilization: 20, score: 2 }, { utilization: 60, score: 10 }] } } },
      // cpu at 40% → 60, memory at 39% → 58.
      requests: { cpu: '1600m', memory: '3200Mi' }, want: 59,
    },
  ];
  for (const c of cases) {
    const plugin = new NodeResourcesFit(c.args);
    const pods = (c.existing ?? []).map((r, i) => makePod(`e${i}`, { requests: [r] }));
    const node = newNodeInfo(makeNode('n', { allocatable: NODE }), pods);
    const pod = makePod('p', { requests: c.requests ? [c.requests] : [] });
    const state = new CycleState();
    assert.ok(plugin.preScore(state, pod, [node]).isSuccess());
    assert.equal(plugin.score(state, pod, node).score, c.want, c.name);
  }
});

test('NodeResourcesFit rejects an unknown strategy or an empty shape', () => {
  assert.throws(() => new NodeResourcesFit({ scoringStrategy: { type: 'Nope' as never } }));
  assert.throws(() => new NodeResourcesFit({ scoringStrategy: { type: 'RequestedToCapacityRatio' } }));
});

test('NodeResourcesFit re-queues on pod deletion and node capacity changes', () => {
  const events = new NodeResourcesFit().eventsToRegister();
  for (const e of [{ resource: 'Pod', action: 'Delete' }, { resource: 'Node', action: 'Add' }, { resource: 'Node', action: 'UpdateNodeAllocatable' }]) {
    assert.ok(events.some((x) => x.resource === e.resource && x.action === e.action), JSON.stringify(e));
  }
});
