import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { Code } from '../../framework/status.js';
import { CycleState, type NodeInfo } from '../../framework/types.js';
import { affinity, antiAffinity, HOST, lister, node, pod, snapshot, term, ZONE } from './testing.js';
import {
  InterPodAffinity,
  REASON_AFFINITY_RULES_NOT_MATCH,
  REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
  REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,
  type InterPodAffinityArgs,
} from './index.js';

/** Each node's filter result: '' when it fits, else the reason. */
function filterAll(incoming: Pod, infos: NodeInfo[], args: InterPodAffinityArgs = {}): Record<string, string> {
  const pl = new InterPodAffinity(args, () => lister(infos));
  const state = new CycleState();
  const pre = pl.preFilter(state, incoming, infos);
  assert.ok(pre.status.isSuccess() || pre.status.isSkip(), pre.status.message());
  const out: Record<string, string> = {};
  for (const ni of infos) out[ni.name] = pl.filter(state, incoming, ni).message();
  return out;
}

const zoneNodes = [node('n1', { [ZONE]: 'a' }), node('n2', { [ZONE]: 'a' }), node('n3', { [ZONE]: 'b' })];

describe('InterPodAffinity filter', () => {
  const cases: { name: string; nodes?: Node[]; pods: Pod[]; incoming: Pod; args?: InterPodAffinityArgs; want: Record<string, string> }[] = [
    {
      name: 'anti-affinity by hostname keeps one pod of the group a node',
      pods: [pod('web-1', { labels: { app: 'web' }, node: 'n1' })],
      incoming: pod('web-2', { labels: { app: 'web' }, affinity: antiAffinity(term(HOST, { app: 'web' })) }),
      want: { n1: REASON_ANTI_AFFINITY_RULES_NOT_MATCH, n2: '', n3: '' },
    },
    {
      name: 'anti-affinity by zone rejects the whole zone',
      pods: [pod('web-1', { labels: { app: 'web' }, node: 'n2' })],
      incoming: pod('web-2', { labels: { app: 'web' }, affinity: antiAffinity(term(ZONE, { app: 'web' })) }),
      want: { n1: REASON_ANTI_AFFINITY_RULES_NOT_MATCH, n2: REASON_ANTI_AFFINITY_RULES_NOT_MATCH, n3: '' },
    },
    {
      name: 'affinity to a zone admits every node of the zone holding a match',
      pods: [pod('db', { labels: { app: 'db' }, node: 'n1' })],
      incoming: pod('web', { affinity: affinity(term(ZONE, { app: 'db' })) }),
      want: { n1: '', n2: '', n3: REASON_AFFINITY_RULES_NOT_MATCH },
    },
    {
      name: 'affinity needs the topology label on the node',
      nodes: [node('n1', { [ZONE]: 'a' }), node('n2')],
      pods: [pod('db', { labels: { app: 'db' }, node: 'n1' })],
      incoming: pod('web', { affinity: affinity(term(ZONE, { app: 'db' })) }),
      want: { n1: '', n2: REASON_AFFINITY_RULES_NOT_MATCH },
    },
    {
      name: 'affinity with no matching pod anywhere rejects every node',
      pods: [pod('other', { labels: { app: 'other' }, node: 'n1' })],
      incoming: pod('web', { affinity: affinity(term(ZONE, { app: 'db' })) }),
      want: { n1: REASON_AFFINITY_RULES_NOT_MATCH, n2: REASON_AFFINITY_RULES_NOT_MATCH, n3: REASON_AFFINITY_RULES_NOT_MATCH },
    },
    {
      name: 'the first pod of a group with affinity to itself may go anywhere',
      pods: [],
      incoming: pod('web-1', { labels: { app: 'web' }, affinity: affinity(term(ZONE, { app: 'web' })) }),
      want: { n1: '', n2: '', n3: '' },
    },
    {
      name: 'the self-affinity exception still needs the topology label',
      nodes: [node('n1', { [ZONE]: 'a' }), node('n2')],
      pods: [],
      incoming: pod('web-1', { labels: { app: 'web' }, affinity: affinity(term(ZONE, { app: 'web' })) }),
      want: { n1: '', n2: REASON_AFFINITY_RULES_NOT_MATCH },
    },
    {
      name: 'an existing pod anti-affinity rejects the incoming pod (symmetry)',
      pods: [pod('db', { labels: { app: 'db' }, node: 'n1', affinity: antiAffinity(term(ZONE, { app: 'web' })) })],
      incoming: pod('web', { labels: { app: 'web' } }),
      want: { n1: REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH, n2: REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH, n3: '' },
    },
    {
      name: 'an existing pod anti-affinity on another label does not matter',
      pods: [pod('db', { labels: { app: 'db' }, node: 'n1', affinity: antiAffinity(term(HOST, { app: 'cache' })) })],
      incoming: pod('web', { labels: { app: 'web' } }),
      want: { n1: '', n2: '', n3: '' },
    },
    {
      name: 'terms cover only the pod namespace by default',
      pods: [pod('web-1', { ns: 'other', labels: { app: 'web' }, node: 'n1' })],
      incoming: pod('web-2', { labels: { app: 'web' }, affinity: antiAffinity(term(HOST, { app: 'web' })) }),
      want: { n1: '', n2: '', n3: '' },
    },
    {
      name: 'terms cover the listed namespaces',
      pods: [pod('web-1', { ns: 'other', labels: { app: 'web' }, node: 'n1' })],
      incoming: pod('web-2', { labels: { app: 'web' }, affinity: antiAffinity(term(HOST, { app: 'web' }, { namespaces: ['other'] })) }),
      want: { n1: REASON_ANTI_AFFINITY_RULES_NOT_MATCH, n2: '', n3: '' },
    },
    {
      name: 'an empty namespaceSelector covers all namespaces',
      pods: [pod('web-1', { ns: 'other', labels: { app: 'web' }, node: 'n1' })],
      incoming: pod('web-2', { labels: { app: 'web' }, affinity: antiAffinity(term(HOST, { app: 'web' }, { namespaceSelector: {} })) }),
      want: { n1: REASON_ANTI_AFFINITY_RULES_NOT_MATCH, n2: '', n3: '' },
    },
    {
      name: 'a namespaceSelector reads namespace labels from the lookup',
      pods: [
        pod('web-1', { ns: 'team-a', labels: { app: 'web' }, node: 'n1' }),
        pod('web-2', { ns: 'team-b', labels: { app: 'web' }, node: 'n3' }),
      ],
      incoming: pod('web-3', { labels: { app: 'web' }, affinity: antiAffinity(term(HOST, { app: 'web' }, { namespaceSelector: { matchLabels: { team: 'a' } } })) }),
      args: { namespaceLabels: (ns) => (ns === 'team-a' ? { team: 'a' } : undefined) },
      want: { n1: REASON_ANTI_AFFINITY_RULES_NOT_MATCH, n2: '', n3: '' },
    },
    {
      name: 'an existing pod namespaceSelector matches the incoming pod namespace labels',
      pods: [pod('db', { ns: 'data', node: 'n1', affinity: antiAffinity(term(HOST, { app: 'web' }, { namespaceSelector: { matchLabels: { env: 'prod' } } })) })],
      incoming: pod('web', { ns: 'shop', labels: { app: 'web' } }),
      args: { namespaceLabels: (ns) => (ns === 'shop' ? { env: 'prod' } : undefined) },
      want: { n1: REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH, n2: '', n3: '' },
    },
    {
      name: 'affinity counts only pods matching all terms',
      pods: [
        pod('db', { labels: { app: 'db' }, node: 'n1' }),
        pod('cache', { labels: { tier: 'cache' }, node: 'n3' }),
      ],
      incoming: pod('web', { affinity: affinity(term(ZONE, { app: 'db' }), term(HOST, { tier: 'cache' })) }),
      want: { n1: REASON_AFFINITY_RULES_NOT_MATCH, n2: REASON_AFFINITY_RULES_NOT_MATCH, n3: REASON_AFFINITY_RULES_NOT_MATCH },
    },
    {
      name: 'matchLabelKeys narrows the selector to the pod own value',
      pods: [pod('web-v1', { labels: { app: 'web', version: 'v1' }, node: 'n1' })],
      incoming: pod('web-v2', { labels: { app: 'web', version: 'v2' }, affinity: antiAffinity(term(HOST, { app: 'web' }, { matchLabelKeys: ['version'] })) }),
      want: { n1: '', n2: '', n3: '' },
    },
    {
      name: 'affinity rejection comes before anti-affinity',
      pods: [pod('web-1', { labels: { app: 'web' }, node: 'n1' })],
      incoming: pod('web-2', { labels: { app: 'web' }, affinity: { ...affinity(term(ZONE, { app: 'db' })), ...antiAffinity(term(HOST, { app: 'web' })) } }),
      want: { n1: REASON_AFFINITY_RULES_NOT_MATCH, n2: REASON_AFFINITY_RULES_NOT_MATCH, n3: REASON_AFFINITY_RULES_NOT_MATCH },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(filterAll(c.incoming, snapshot(c.nodes ?? zoneNodes, c.pods), c.args), c.want);
    });
  }

  it('affinity failures are unresolvable, anti-affinity failures unschedulable', () => {
    const infos = snapshot(zoneNodes, [pod('web-1', { labels: { app: 'web' }, node: 'n1' })]);
    const pl = new InterPodAffinity({}, () => lister(infos));
    const st = new CycleState();
    const aff = pod('x', { affinity: affinity(term(ZONE, { app: 'db' })) });
    pl.preFilter(st, aff, infos);
    assert.equal(pl.filter(st, aff, infos[0]!).code, Code.UnschedulableAndUnresolvable);
    const st2 = new CycleState();
    const anti = pod('y', { affinity: antiAffinity(term(HOST, { app: 'web' })) });
    pl.preFilter(st2, anti, infos);
    assert.equal(pl.filter(st2, anti, infos[0]!).code, Code.Unschedulable);
  });

  it('skips pods without required terms when no pod has required anti-affinity', () => {
    const infos = snapshot(zoneNodes, [pod('web-1', { labels: { app: 'web' }, node: 'n1' })]);
    const pl = new InterPodAffinity({}, () => lister(infos));
    assert.ok(pl.preFilter(new CycleState(), pod('plain'), infos).status.isSkip());
  });

  it('addPod and removePod update a cloned state without touching the original', () => {
    const victim = pod('web-1', { labels: { app: 'web' }, node: 'n1' });
    const infos = snapshot(zoneNodes, [victim]);
    const pl = new InterPodAffinity({}, () => lister(infos));
    const incoming = pod('web-2', { labels: { app: 'web' }, affinity: antiAffinity(term(HOST, { app: 'web' })) });
    const st = new CycleState();
    pl.preFilter(st, incoming, infos);
    const what = st.clone();
    assert.ok(pl.removePod(what, incoming, victim, infos[0]!).isSuccess());
    assert.equal(pl.filter(what, incoming, infos[0]!).message(), '');
    assert.equal(pl.filter(st, incoming, infos[0]!).message(), REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
    const blocker = pod('web-3', { labels: { app: 'web' }, node: 'n2', affinity: antiAffinity(term(ZONE, { app: 'web' })) });
    pl.addPod(what, incoming, blocker, infos[1]!);
    assert.equal(pl.filter(what, incoming, infos[0]!).message(), REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
    assert.equal(pl.filter(what, incoming, infos[1]!).message(), REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
    assert.equal(pl.filter(what, incoming, infos[2]!).message(), '');
  });

  it('reports an invalid selector as an error', () => {
    const bad = pod('x', { affinity: antiAffinity({ topologyKey: HOST, labelSelector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } }) });
    const infos = snapshot(zoneNodes, []);
    const pl = new InterPodAffinity({}, () => lister(infos));
    assert.equal(pl.preFilter(new CycleState(), bad, infos).status.code, Code.Error);
  });
});
