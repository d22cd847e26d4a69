import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { Code } from '../../framework/status.js';
import { CycleState, type NodeInfo } from '../../framework/types.js';
import { PodTopologySpread, REASON_CONSTRAINTS_NOT_MATCH, REASON_NODE_LABEL_NOT_MATCH } from './index.js';
import { constraint, HOST, lister, node, pod, pods, snapshot, ZONE } from './testing.js';

const SKEW = REASON_CONSTRAINTS_NOT_MATCH;
const NOLABEL = REASON_NODE_LABEL_NOT_MATCH;
const foo = { app: 'foo' };

/** Each node's filter result: '' when it fits, else the reason. */
function filterAll(incoming: Pod, infos: NodeInfo[]): Record<string, string> {
  const pl = new PodTopologySpread({}, () => lister(infos));
  const state = new CycleState();
  const pre = pl.preFilter(state, incoming, infos);
  assert.ok(pre.status.isSuccess(), pre.status.message());
  return Object.fromEntries(infos.map((ni) => [ni.name, pl.filter(state, incoming, ni).message()]));
}

// Two zones of two nodes each.
const fourNodes = [
  node('n1', { [ZONE]: 'z1', disk: 'ssd' }),
  node('n2', { [ZONE]: 'z1', disk: 'ssd' }),
  node('n3', { [ZONE]: 'z2', disk: 'ssd' }),
  node('n4', { [ZONE]: 'z2', disk: 'ssd' }),
];
const zoneSpread = (maxSkew: number, extra = {}) => ({ topologySpreadConstraints: [constraint(ZONE, maxSkew, foo, extra)] });

describe('PodTopologySpread filter', () => {
  const cases: { name: string; nodes?: Node[]; pods: Pod[]; incoming: Pod; want: Record<string, string> }[] = [
    {
      name: 'maxSkew 1 across 2 zones with 3 pods sends the 4th to the emptier zone',
      pods: [...pods('a', 'n1', 1, foo), ...pods('b', 'n2', 1, foo), ...pods('c', 'n3', 1, foo)],
      incoming: pod('p', { labels: foo, spec: zoneSpread(1) }),
      want: { n1: SKEW, n2: SKEW, n3: '', n4: '' },
    },
    {
      name: 'maxSkew 2 tolerates the imbalance',
      pods: [...pods('a', 'n1', 1, foo), ...pods('b', 'n2', 1, foo), ...pods('c', 'n3', 1, foo)],
      incoming: pod('p', { labels: foo, spec: zoneSpread(2) }),
      want: { n1: '', n2: '', n3: '', n4: '' },
    },
    {
      name: 'spreading by hostname counts each node as a domain',
      pods: [...pods('a', 'n1', 2, foo), ...pods('b', 'n2', 1, foo), ...pods('c', 'n3', 1, foo)],
      incoming: pod('p', { labels: foo, spec: { topologySpreadConstraints: [constraint(HOST, 1, foo)] } }),
      want: { n1: SKEW, n2: SKEW, n3: SKEW, n4: '' },
    },
    {
      name: 'a node without the topology label is unresolvable',
      nodes: [node('n1', { [ZONE]: 'z1' }), node('n2')],
      pods: [],
      incoming: pod('p', { labels: foo, spec: zoneSpread(1) }),
      want: { n1: '', n2: NOLABEL },
    },
    {
      name: 'minDomains above the domain count makes the global minimum 0',
      pods: [...pods('a', 'n1', 1, foo), ...pods('b', 'n3', 1, foo)],
      incoming: pod('p', { labels: foo, spec: zoneSpread(1, { minDomains: 3 }) }),
      want: { n1: SKEW, n2: SKEW, n3: SKEW, n4: SKEW },
    },
    {
      name: 'minDomains met leaves the global minimum alone',
      pods: [...pods('a', 'n1', 1, foo), ...pods('b', 'n3', 1, foo)],
      incoming: pod('p', { labels: foo, spec: zoneSpread(1, { minDomains: 2 }) }),
      want: { n1: '', n2: '', n3: '', n4: '' },
    },
    {
      name: 'a pod not matching its own selector adds no skew',
      pods: [...pods('a', 'n1', 1, foo)],
      incoming: pod('p', { labels: { app: 'bar' }, spec: zoneSpread(1) }),
      want: { n1: '', n2: '', n3: '', n4: '' },
    },
    {
      name: 'pods of other namespaces and terminating pods do not count',
      pods: [
        pod('other-ns', { ns: 'other', node: 'n1', labels: foo }),
        { ...pod('gone', { node: 'n2', labels: foo }), metadata: { ...pod('gone').metadata, labels: foo, deletionTimestamp: '2026-01-01T00:00:00Z' } },
        ...pods('c', 'n3', 1, foo),
      ],
      incoming: pod('p', { labels: foo, spec: zoneSpread(1) }),
      want: { n1: '', n2: '', n3: SKEW, n4: SKEW },
    },
    {
      name: 'nodeAffinityPolicy Honor (default) leaves out domains the pod cannot use',
      nodes: [...fourNodes, node('n5', { [ZONE]: 'z3' })],
      pods: [...pods('a', 'n1', 1, foo), ...pods('b', 'n3', 1, foo)],
      incoming: pod('p', { labels: foo, spec: { ...zoneSpread(1), nodeSelector: { disk: 'ssd' } } }),
      want: { n1: '', n2: '', n3: '', n4: '', n5: '' },
    },
    {
      name: 'nodeAffinityPolicy Ignore counts them',
      nodes: [...fourNodes, node('n5', { [ZONE]: 'z3' })],
      pods: [...pods('a', 'n1', 1, foo), ...pods('b', 'n3', 1, foo)],
      incoming: pod('p', { labels: foo, spec: { ...zoneSpread(1, { nodeAffinityPolicy: 'Ignore' }), nodeSelector: { disk: 'ssd' } } }),
      want: { n1: SKEW, n2: SKEW, n3: SKEW, n4: SKEW, n5: '' },
    },
    {
      name: 'nodeTaintsPolicy Ignore (default) counts tainted domains',
      nodes: [...fourNodes, node('n5', { [ZONE]: 'z3' }, { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] })],
      pods: [...pods('a', 'n1', 1, foo), ...pods('b', 'n3', 1, foo)],
      incoming: pod('p', { labels: foo, spec: zoneSpread(1) }),
      want: { n1: SKEW, n2: SKEW, n3: SKEW, n4: SKEW, n5: '' },
    },
    {
      name: 'nodeTaintsPolicy Honor leaves out domains with untolerated taints',
      nodes: [...fourNodes, node('n5', { [ZONE]: 'z3' }, { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] })],
      pods: [...pods('a', 'n1', 1, foo), ...pods('b', 'n3', 1, foo)],
      incoming: pod('p', { labels: foo, spec: zoneSpread(1, { nodeTaintsPolicy: 'Honor' }) }),
      want: { n1: '', n2: '', n3: '', n4: '', n5: '' },
    },
    {
      name: 'nodeTaintsPolicy Honor keeps domains whose taints the pod tolerates',
      nodes: [...fourNodes, node('n5', { [ZONE]: 'z3' }, { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] })],
      pods: [...pods('a', 'n1', 1, foo), ...pods('b', 'n3', 1, foo)],
      incoming: pod('p', {
        labels: foo,
        spec: { ...zoneSpread(1, { nodeTaintsPolicy: 'Honor' }), tolerations: [{ key: 'dedicated', operator: 'Exists' }] },
      }),
      want: { n1: SKEW, n2: SKEW, n3: SKEW, n4: SKEW, n5: '' },
    },
    {
      name: 'matchLabelKeys counts only pods with the same value of the key',
      pods: [...pods('old', 'n1', 2, { app: 'foo', hash: 'v1' }), ...pods('new', 'n3', 1, { app: 'foo', hash: 'v2' })],
      incoming: pod('p', { labels: { app: 'foo', hash: 'v2' }, spec: zoneSpread(1, { matchLabelKeys: ['hash'] }) }),
      want: { n1: '', n2: '', n3: SKEW, n4: SKEW },
    },
    {
      name: 'every constraint must hold',
      pods: [...pods('a', 'n1', 1, foo), ...pods('b', 'n3', 1, foo), ...pods('c', 'n4', 1, foo)],
      incoming: pod('p', { labels: foo, spec: { topologySpreadConstraints: [constraint(ZONE, 1, foo), constraint(HOST, 1, foo)] } }),
      want: { n1: SKEW, n2: '', n3: SKEW, n4: SKEW },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(filterAll(c.incoming, snapshot(c.nodes ?? fourNodes, c.pods)), c.want);
    });
  }

  it('a missing label is unresolvable and a skew violation unschedulable', () => {
    const infos = snapshot([node('n1', { [ZONE]: 'z1' }), node('n2', { [ZONE]: 'z2' }), node('n3')], pods('a', 'n1', 1, foo));
    const pl = new PodTopologySpread({}, () => lister(infos));
    const incoming = pod('p', { labels: foo, spec: zoneSpread(0) });
    const st = new CycleState();
    pl.preFilter(st, incoming, infos);
    assert.equal(pl.filter(st, incoming, infos[0]!).code, Code.Unschedulable);
    assert.equal(pl.filter(st, incoming, infos[2]!).code, Code.UnschedulableAndUnresolvable);
  });

  it('skips pods with only ScheduleAnyway constraints', () => {
    const infos = snapshot(fourNodes, []);
    const pl = new PodTopologySpread({}, () => lister(infos));
    const incoming = pod('p', { labels: foo, spec: zoneSpread(1, { whenUnsatisfiable: 'ScheduleAnyway' }) });
    assert.ok(pl.preFilter(new CycleState(), incoming, infos).status.isSkip());
    assert.ok(pl.preFilter(new CycleState(), pod('plain'), infos).status.isSkip());
  });

  it('addPod and removePod update a cloned state without touching the original', () => {
    const victims = pods('a', 'n1', 1, foo);
    const infos = snapshot(fourNodes, victims);
    const pl = new PodTopologySpread({}, () => lister(infos));
    const incoming = pod('p', { labels: foo, spec: zoneSpread(1) });
    const st = new CycleState();
    pl.preFilter(st, incoming, infos);
    assert.equal(pl.filter(st, incoming, infos[0]!).message(), SKEW);
    const what = st.clone();
    pl.removePod(what, incoming, victims[0]!, infos[0]!);
    assert.equal(pl.filter(what, incoming, infos[0]!).message(), '');
    assert.equal(pl.filter(st, incoming, infos[0]!).message(), SKEW);
    pl.addPod(what, incoming, pod('x', { labels: foo }), infos[1]!);
    assert.equal(pl.filter(what, incoming, infos[0]!).message(), SKEW);
    pl.addPod(what, incoming, pod('other', { labels: { app: 'bar' } }), infos[2]!);
    assert.equal(pl.filter(what, incoming, infos[2]!).message(), '');
  });

  it('reports an invalid selector as an error', () => {
    const infos = snapshot(fourNodes, []);
    const pl = new PodTopologySpread({}, () => lister(infos));
    const bad = pod('p', { spec: { topologySpreadConstraints: [{ topologyKey: ZONE, maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } }] } });
    assert.equal(pl.preFilter(new CycleState(), bad, infos).status.code, Code.Error);
  });
});
