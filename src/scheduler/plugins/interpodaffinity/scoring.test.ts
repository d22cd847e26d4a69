import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Affinity, Node, Pod, PodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { CycleState, type NodeScore } from '../../framework/types.js';
import { InterPodAffinity, type InterPodAffinityArgs } from './index.js';
import { affinity, HOST, lister, node, pod, snapshot, term, ZONE } from './testing.js';

const preferred = (weight: number, t: PodAffinityTerm): Affinity => ({
  podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight, podAffinityTerm: t }] },
});
const preferredAnti = (weight: number, t: PodAffinityTerm): Affinity => ({
  podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight, podAffinityTerm: t }] },
});

/** Normalized scores by node name, or 'skip' when PreScore skipped. */
function scoreAll(incoming: Pod, nodes: Node[], pods: Pod[], args: InterPodAffinityArgs = {}): Record<string, number> | 'skip' {
  const infos = snapshot(nodes, pods);
  const pl = new InterPodAffinity(args, () => lister(infos));
  const state = new CycleState();
  const st = pl.preScore(state, incoming, infos);
  if (st.isSkip()) return 'skip';
  assert.ok(st.isSuccess(), st.message());
  const scores: NodeScore[] = infos.map((ni) => ({ name: ni.name, score: pl.score(state, incoming, ni).score }));
  assert.ok(pl.normalizeScore(state, incoming, scores).isSuccess());
  return Object.fromEntries(scores.map((s) => [s.name, s.score]));
}

const zones = [node('n1', { [ZONE]: 'a' }), node('n2', { [ZONE]: 'b' }), node('n3', { [ZONE]: 'c' })];

describe('InterPodAffinity score', () => {
  const cases: { name: string; nodes?: Node[]; pods: Pod[]; incoming: Pod; args?: InterPodAffinityArgs; want: Record<string, number> | 'skip' }[] = [
    {
      name: 'skips when neither the pod nor existing pods have terms',
      pods: [pod('db', { labels: { app: 'db' }, node: 'n1' })],
      incoming: pod('web'),
      want: 'skip',
    },
    {
      name: 'preferred affinity favours the zone of the matching pod',
      pods: [pod('db', { labels: { app: 'db' }, node: 'n2' })],
      incoming: pod('web', { affinity: preferred(5, term(ZONE, { app: 'db' })) }),
      want: { n1: 0, n2: 100, n3: 0 },
    },
    {
      name: 'weights add up per matching pod and order the nodes',
      pods: [
        pod('db-1', { labels: { app: 'db' }, node: 'n1' }),
        pod('db-2', { labels: { app: 'db' }, node: 'n2' }),
        pod('db-3', { labels: { app: 'db' }, node: 'n2' }),
      ],
      incoming: pod('web', { affinity: preferred(3, term(HOST, { app: 'db' })) }),
      want: { n1: 50, n2: 100, n3: 0 },
    },
    {
      name: 'preferred anti-affinity pushes away from matching pods',
      pods: [pod('web-1', { labels: { app: 'web' }, node: 'n1' })],
      incoming: pod('web-2', { labels: { app: 'web' }, affinity: preferredAnti(10, term(HOST, { app: 'web' })) }),
      want: { n1: 0, n2: 100, n3: 100 },
    },
    {
      name: 'an existing pod required affinity attracts with hardPodAffinityWeight',
      pods: [pod('web', { labels: { app: 'web' }, node: 'n3', affinity: affinity(term(ZONE, { app: 'db' })) })],
      incoming: pod('db', { labels: { app: 'db' } }),
      want: { n1: 0, n2: 0, n3: 100 },
    },
    {
      name: 'hardPodAffinityWeight 0 ignores existing pods required affinity',
      pods: [pod('web', { labels: { app: 'web' }, node: 'n3', affinity: affinity(term(ZONE, { app: 'db' })) })],
      incoming: pod('db', { labels: { app: 'db' } }),
      args: { hardPodAffinityWeight: 0 },
      want: 'skip',
    },
    {
      name: 'an existing pod preferred anti-affinity repels the incoming pod',
      pods: [pod('batch', { node: 'n1', affinity: preferredAnti(7, term(HOST, { app: 'web' })) })],
      incoming: pod('web', { labels: { app: 'web' } }),
      want: { n1: 0, n2: 100, n3: 100 },
    },
    {
      name: 'ignorePreferredTermsOfExistingPods skips pods without preferred terms',
      pods: [pod('batch', { node: 'n1', affinity: preferredAnti(7, term(HOST, { app: 'web' })) })],
      incoming: pod('web', { labels: { app: 'web' } }),
      args: { ignorePreferredTermsOfExistingPods: true },
      want: 'skip',
    },
    {
      name: 'affinity and anti-affinity combine into one ordering',
      pods: [
        pod('db', { labels: { app: 'db' }, node: 'n1' }),
        pod('db-2', { labels: { app: 'db' }, node: 'n2' }),
        pod('noisy', { labels: { app: 'noisy' }, node: 'n2' }),
      ],
      incoming: pod('web', {
        affinity: { ...preferred(4, term(HOST, { app: 'db' })), ...preferredAnti(2, term(HOST, { app: 'noisy' })) },
      }),
      want: { n1: 100, n2: 50, n3: 0 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(scoreAll(c.incoming, c.nodes ?? zones, c.pods, c.args), c.want);
    });
  }
});
