import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { newNodeInfo } from '../../framework/nodeinfo.js';
import { Code } from '../../framework/status.js';
import { CycleState, type NodeScore } from '../../framework/types.js';
import { makeNode, makePod } from '../helper/testing.js';
import { errReasonUntoleratedTaint, TaintToleration } from './index.js';

test('TaintToleration filters on untolerated NoSchedule and NoExecute taints', () => {
  const cases: { name: string; taints: Taint[]; tolerations?: Toleration[]; code: Code; reason?: string }[] = [
    { name: 'no taints', taints: [], code: Code.Success },
    { name: 'untolerated NoSchedule', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], code: Code.UnschedulableAndUnresolvable, reason: 'node(s) had untolerated taint {dedicated: gpu}' },
    { name: 'untolerated NoExecute without value', taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }], code: Code.UnschedulableAndUnresolvable, reason: 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }' },
    { name: 'PreferNoSchedule does not filter', taints: [{ key: 'a', value: 'b', effect: 'PreferNoSchedule' }], code: Code.Success },
    { name: 'Equal toleration', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }], code: Code.Success },
    { name: 'default operator is Equal', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], tolerations: [{ key: 'dedicated', value: 'gpu' }], code: Code.Success },
    { name: 'Equal with other value', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], tolerations: [{ key: 'dedicated', value: 'cpu' }], code: Code.UnschedulableAndUnresolvable, reason: 'node(s) had untolerated taint {dedicated: gpu}' },
    { name: 'Exists on key', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }], tolerations: [{ key: 'dedicated', operator: 'Exists' }], code: Code.Success },
    { name: 'first untolerated is reported', taints: [{ key: 'a', value: '1', effect: 'NoSchedule' }, { key: 'b', value: '2', effect: 'NoSchedule' }], tolerations: [{ key: 'a', operator: 'Exists' }], code: Code.UnschedulableAndUnresolvable, reason: 'node(s) had untolerated taint {b: 2}' },
  ];
  const plugin = new TaintToleration();
  for (const c of cases) {
    const s = plugin.filter(new CycleState(), makePod('p', { tolerations: c.tolerations }), newNodeInfo(makeNode('n', { taints: c.taints })));
    assert.equal(s.code, c.code, c.name);
    if (c.reason) assert.deepEqual(s.reasons, [c.reason], c.name);
  }
  assert.equal(errReasonUntoleratedTaint({ key: 'k', value: 'v', effect: 'NoSchedule' }), 'node(s) had untolerated taint {k: v}');
});

test('TaintToleration scores fewer intolerable PreferNoSchedule taints higher', () => {
  const prefer = (key: string): Taint => ({ key, value: 'x', effect: 'PreferNoSchedule' });
  const cases: { name: string; tolerations?: Toleration[]; nodes: Taint[][]; want: number[] }[] = [
    { name: 'no taints anywhere', nodes: [[], []], want: [100, 100] },
    { name: 'one vs none', nodes: [[prefer('a')], []], want: [0, 100] },
    { name: 'two vs one vs none', nodes: [[prefer('a'), prefer('b')], [prefer('a')], []], want: [0, 50, 100] },
    { name: 'tolerated taints do not count', tolerations: [{ key: 'a', operator: 'Exists', effect: 'PreferNoSchedule' }], nodes: [[prefer('a')], [prefer('b')]], want: [100, 0] },
    { name: 'NoSchedule tolerations do not tolerate PreferNoSchedule', tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoSchedule' }], nodes: [[prefer('a')], []], want: [0, 100] },
    { name: 'NoSchedule taints are not scored', nodes: [[{ key: 'a', effect: 'NoSchedule' }], []], want: [100, 100] },
  ];
  const plugin = new TaintToleration();
  for (const c of cases) {
    const pod = makePod('p', { tolerations: c.tolerations });
    const nodes = c.nodes.map((taints, i) => newNodeInfo(makeNode(`n${i}`, { taints })));
    const state = new CycleState();
    assert.ok(plugin.preScore(state, pod, nodes).isSuccess());
    const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: plugin.score(state, pod, n).score }));
    plugin.normalizeScore(state, pod, scores);
    assert.deepEqual(scores.map((s) => s.score), c.want, c.name);
  }
});
