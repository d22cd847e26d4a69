import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeAffinity as NodeAffinitySpec, NodeSelectorRequirement } from 'kubernetes-types/core/v1.js';
import { newNodeInfo } from '../../framework/nodeinfo.js';
import { Code } from '../../framework/status.js';
import { CycleState, type NodeScore } from '../../framework/types.js';
import { makeNode, makePod } from '../helper/testing.js';
import { ERR_REASON_CONFLICT, ERR_REASON_ENFORCED, ERR_REASON_POD, NodeAffinity } from './index.js';

const required = (...terms: { exprs?: NodeSelectorRequirement[]; fields?: NodeSelectorRequirement[] }[]): NodeAffinitySpec => ({
  requiredDuringSchedulingIgnoredDuringExecution: {
    nodeSelectorTerms: terms.map((t) => ({ ...(t.exprs ? { matchExpressions: t.exprs } : {}), ...(t.fields ? { matchFields: t.fields } : {}) })),
  },
});

test('NodeAffinity filters on nodeSelector and required node affinity', () => {
  const cases: { name: string; labels: Record<string, string>; nodeName?: string; nodeSelector?: Record<string, string>; affinity?: NodeAffinitySpec; code: Code }[] = [
    { name: 'nodeSelector matches', labels: { zone: 'a' }, nodeSelector: { zone: 'a' }, code: Code.Success },
    { name: 'nodeSelector mismatch', labels: { zone: 'b' }, nodeSelector: { zone: 'a' }, code: Code.UnschedulableAndUnresolvable },
    { name: 'In', labels: { zone: 'a' }, affinity: required({ exprs: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }), code: Code.Success },
    { name: 'NotIn', labels: { zone: 'a' }, affinity: required({ exprs: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }), code: Code.UnschedulableAndUnresolvable },
    { name: 'NotIn on missing label', labels: {}, affinity: required({ exprs: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }), code: Code.Success },
    { name: 'Exists', labels: { gpu: '' }, affinity: required({ exprs: [{ key: 'gpu', operator: 'Exists' }] }), code: Code.Success },
    { name: 'DoesNotExist', labels: { gpu: '' }, affinity: required({ exprs: [{ key: 'gpu', operator: 'DoesNotExist' }] }), code: Code.UnschedulableAndUnresolvable },
    { name: 'Gt', labels: { cores: '8' }, affinity: required({ exprs: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }), code: Code.Success },
    { name: 'Lt', labels: { cores: '8' }, affinity: required({ exprs: [{ key: 'cores', operator: 'Lt', values: ['4'] }] }), code: Code.UnschedulableAndUnresolvable },
    { name: 'terms are ORed', labels: { zone: 'b' }, affinity: required({ exprs: [{ key: 'zone', operator: 'In', values: ['a'] }] }, { exprs: [{ key: 'zone', operator: 'In', values: ['b'] }] }), code: Code.Success },
    { name: 'requirements are ANDed', labels: { zone: 'a' }, affinity: required({ exprs: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'gpu', operator: 'Exists' }] }), code: Code.UnschedulableAndUnresolvable },
    { name: 'empty term matches nothing', labels: { zone: 'a' }, affinity: required({}), code: Code.UnschedulableAndUnresolvable },
    { name: 'matchFields metadata.name', labels: {}, nodeName: 'n1', affinity: required({ fields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }), code: Code.Success },
    { name: 'matchFields other name', labels: {}, nodeName: 'n2', affinity: required({ fields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }), code: Code.UnschedulableAndUnresolvable },
    { name: 'selector and affinity both apply', labels: { zone: 'a' }, nodeSelector: { disk: 'ssd' }, affinity: required({ exprs: [{ key: 'zone', operator: 'In', values: ['a'] }] }), code: Code.UnschedulableAndUnresolvable },
  ];
  const plugin = new NodeAffinity();
  for (const c of cases) {
    const node = newNodeInfo(makeNode(c.nodeName ?? 'n1', { labels: c.labels }));
    const s = plugin.filter(new CycleState(), makePod('p', { nodeSelector: c.nodeSelector, nodeAffinity: c.affinity }), node);
    assert.equal(s.code, c.code, c.name);
    if (!s.isSuccess()) assert.deepEqual(s.reasons, [ERR_REASON_POD], c.name);
  }
});

test('NodeAffinity PreFilter narrows nodes by metadata.name and skips pods without constraints', () => {
  const name = (op: string, ...values: string[]): NodeSelectorRequirement => ({ key: 'metadata.name', operator: op, values });
  const cases: { name: string; affinity?: NodeAffinitySpec; nodeSelector?: Record<string, string>; code: Code; nodeNames?: string[] }[] = [
    { name: 'no constraints', code: Code.Skip },
    { name: 'nodeSelector only', nodeSelector: { a: 'b' }, code: Code.Success },
    { name: 'one term, one name', affinity: required({ fields: [name('In', 'n1')] }), code: Code.Success, nodeNames: ['n1'] },
    { name: 'requirements intersect', affinity: required({ fields: [name('In', 'n1', 'n2'), name('In', 'n2', 'n3')] }), code: Code.Success, nodeNames: ['n2'] },
    { name: 'terms union', affinity: required({ fields: [name('In', 'n1')] }, { fields: [name('In', 'n3')] }), code: Code.Success, nodeNames: ['n1', 'n3'] },
    { name: 'a term without names keeps all nodes', affinity: required({ fields: [name('In', 'n1')] }, { exprs: [{ key: 'z', operator: 'Exists' }] }), code: Code.Success },
    { name: 'NotIn does not narrow', affinity: required({ fields: [name('NotIn', 'n1')] }), code: Code.Success },
    { name: 'conflicting names', affinity: required({ fields: [name('In', 'n1'), name('In', 'n2')] }), code: Code.UnschedulableAndUnresolvable },
  ];
  const plugin = new NodeAffinity();
  for (const c of cases) {
    const { result, status } = plugin.preFilter(new CycleState(), makePod('p', { nodeAffinity: c.affinity, nodeSelector: c.nodeSelector }), []);
    assert.equal(status.code, c.code, c.name);
    if (status.isRejected()) assert.deepEqual(status.reasons, [ERR_REASON_CONFLICT], c.name);
    assert.deepEqual(result?.nodeNames ? [...result.nodeNames].sort() : undefined, c.nodeNames, c.name);
  }
});

test('NodeAffinity enforces addedAffinity from its arguments', () => {
  const plugin = new NodeAffinity({ addedAffinity: required({ exprs: [{ key: 'pool', operator: 'In', values: ['batch'] }] }) });
  const pod = makePod('p');
  assert.ok(plugin.preFilter(new CycleState(), pod, []).status.isSuccess());
  assert.ok(plugin.filter(new CycleState(), pod, newNodeInfo(makeNode('n1', { labels: { pool: 'batch' } }))).isSuccess());
  const s = plugin.filter(new CycleState(), pod, newNodeInfo(makeNode('n2', { labels: { pool: 'web' } })));
  assert.equal(s.code, Code.UnschedulableAndUnresolvable);
  assert.deepEqual(s.reasons, [ERR_REASON_ENFORCED]);
});

test('NodeAffinity scores preferred terms by weight, normalized to 100', () => {
  const affinity: NodeAffinitySpec = {
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 2, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
      { weight: 6, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
    ],
  };
  const cases: { name: string; affinity?: NodeAffinitySpec; added?: NodeAffinitySpec; labels: Record<string, string>[]; want?: number[] }[] = [
    { name: 'no preferences skip scoring', labels: [{}, {}] },
    { name: 'weights add up and normalize', affinity, labels: [{ zone: 'a' }, { disk: 'ssd' }, { zone: 'a', disk: 'ssd' }, {}], want: [25, 75, 100, 0] },
    { name: 'nothing matches', affinity, labels: [{}, {}], want: [0, 0] },
    {
      name: 'added preferences count too', affinity,
      added: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 8, preference: { matchExpressions: [{ key: 'pool', operator: 'Exists' }] } }] },
      labels: [{ pool: 'x' }, { zone: 'a', disk: 'ssd' }], want: [100, 100],
    },
  ];
  for (const c of cases) {
    const plugin = new NodeAffinity({ addedAffinity: c.added });
    const pod = makePod('p', { nodeAffinity: c.affinity });
    const nodes = c.labels.map((labels, i) => newNodeInfo(makeNode(`n${i}`, { labels })));
    const state = new CycleState();
    const pre = plugin.preScore(state, pod, nodes);
    if (!c.want) { assert.ok(pre.isSkip(), c.name); continue; }
    const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: plugin.score(state, pod, n).score }));
    plugin.normalizeScore(state, pod, scores);
    assert.deepEqual(scores.map((s) => s.score), c.want, c.name);
  }
  assert.equal(ERR_REASON_POD, "node(s) didn't match Pod's node affinity/selector");
});
