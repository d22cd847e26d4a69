import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { CycleState, type NodeScore } from '../../framework/types.js';
import { PodTopologySpread, defaultSelector, type PodTopologySpreadArgs } from './index.js';
import { constraint, HOST, lister, node, pod, pods, snapshot, ZONE } from './testing.js';

const foo = { app: 'foo' };
const soft = (key: string, maxSkew: number) => constraint(key, maxSkew, foo, { whenUnsatisfiable: 'ScheduleAnyway' });

/** Normalized scores by node name over the `filtered` nodes (all when omitted), or 'skip'. */
function scoreAll(incoming: Pod, nodes: Node[], existing: Pod[], args: PodTopologySpreadArgs = {}, filtered?: string[]): Record<string, number> | 'skip' {
  const infos = snapshot(nodes, existing);
  const candidates = filtered ? infos.filter((i) => filtered.includes(i.name)) : infos;
  const pl = new PodTopologySpread(args, () => lister(infos));
  const state = new CycleState();
  const st = pl.preScore(state, incoming, candidates);
  if (st.isSkip()) return 'skip';
  assert.ok(st.isSuccess(), st.message());
  const scores: NodeScore[] = candidates.map((ni) => ({ name: ni.name, score: pl.score(state, incoming, ni).score }));
  assert.ok(pl.normalizeScore(state, incoming, scores).isSuccess());
  return Object.fromEntries(scores.map((s) => [s.name, s.score]));
}

const threeHosts = [node('n1', { [ZONE]: 'z1' }), node('n2', { [ZONE]: 'z1' }), node('n3', { [ZONE]: 'z2' })];

// A ReplicaSet-owned pod, for the system default constraints' selector.
const rs: ReplicaSet = { metadata: { name: 'web-abc', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } }, template: {} } };
const owned = (name: string, nodeName?: string): Pod => {
  const p = pod(name, { labels: { app: 'web' }, node: nodeName });
  p.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-uid', controller: true }];
  return p;
};
const workloads = () => ({ replicaSets: [rs] });

describe('PodTopologySpread score', () => {
  const cases: { name: string; nodes?: Node[]; pods: Pod[]; incoming: Pod; args?: PodTopologySpreadArgs; filtered?: string[]; want: Record<string, number> | 'skip' }[] = [
    {
      name: 'skips pods without soft constraints and no defaults',
      pods: [],
      incoming: pod('p', { labels: foo }),
      want: 'skip',
    },
    {
      name: 'by hostname, fewer matching pods score higher',
      pods: [...pods('a', 'n1', 2, foo), ...pods('b', 'n2', 1, foo)],
      incoming: pod('p', { labels: foo, spec: { topologySpreadConstraints: [soft(HOST, 1)] } }),
      want: { n1: 0, n2: 33, n3: 100 },
    },
    {
      name: 'by zone, nodes share their zone count',
      pods: [...pods('a', 'n1', 2, foo), ...pods('b', 'n2', 1, foo), ...pods('c', 'n3', 1, foo)],
      incoming: pod('p', { labels: foo, spec: { topologySpreadConstraints: [soft(ZONE, 1)] } }),
      want: { n1: 25, n2: 25, n3: 100 },
    },
    {
      name: 'no matching pods anywhere scores every node the maximum',
      pods: [...pods('a', 'n1', 2, { app: 'bar' })],
      incoming: pod('p', { labels: foo, spec: { topologySpreadConstraints: [soft(ZONE, 1)] } }),
      want: { n1: 100, n2: 100, n3: 100 },
    },
    {
      name: 'a node without the topology label scores 0',
      nodes: [...threeHosts, node('n4')],
      pods: [...pods('a', 'n1', 1, foo)],
      incoming: pod('p', { labels: foo, spec: { topologySpreadConstraints: [soft(ZONE, 1)] } }),
      want: { n1: 0, n2: 0, n3: 100, n4: 0 },
    },
    {
      name: 'pods on nodes filtered out still count toward their zone',
      pods: [...pods('a', 'n1', 3, foo)],
      incoming: pod('p', { labels: foo, spec: { topologySpreadConstraints: [soft(ZONE, 1)] } }),
      filtered: ['n2', 'n3'],
      want: { n2: 0, n3: 100 },
    },
    {
      name: 'system defaults spread a ReplicaSet pods by hostname and zone',
      pods: [owned('w1', 'n1'), owned('w2', 'n1'), owned('w3', 'n2')],
      incoming: owned('w4'),
      args: { workloads },
      // Raw 13, 12, 6: (maxSkew - 1) offsets compress the spread, as in Kubernetes.
      want: { n1: 46, n2: 53, n3: 100 },
    },
    {
      name: 'system defaults do nothing without a workload lookup',
      pods: [owned('w1', 'n1')],
      incoming: owned('w2'),
      want: 'skip',
    },
    {
      name: 'List defaulting applies the configured constraints',
      pods: [owned('w1', 'n1'), owned('w2', 'n2')],
      incoming: owned('w3'),
      args: { defaultingType: 'List', defaultConstraints: [{ topologyKey: ZONE, maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' }], workloads },
      want: { n1: 0, n2: 0, n3: 100 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(scoreAll(c.incoming, c.nodes ?? threeHosts, c.pods, c.args, c.filtered), c.want);
    });
  }
});

describe('defaultSelector', () => {
  const cases: { name: string; pod: Pod; want: string }[] = [
    { name: 'is empty for a pod nothing selects', pod: pod('p', { labels: { app: 'web' } }), want: '' },
    { name: 'takes the controlling ReplicaSet selector', pod: owned('w'), want: 'app=web' },
  ];
  const services: Service[] = [
    { metadata: { name: 'web' }, spec: { selector: { app: 'web' } } },
    { metadata: { name: 'other' }, spec: { selector: { app: 'other' } } },
    { metadata: { name: 'headless' }, spec: {} },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(defaultSelector(c.pod, { replicaSets: [rs] }).toString(), c.want));
  }
  it('merges the selectors of Services selecting the pod', () => {
    const p = pod('p', { labels: { app: 'web', tier: 'front' } });
    services.push({ metadata: { name: 'front' }, spec: { selector: { tier: 'front' } } });
    assert.equal(defaultSelector(p, { services }).toString(), 'app=web,tier=front');
  });
});
