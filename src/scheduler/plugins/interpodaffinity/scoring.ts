// Preferred inter-pod (anti-)affinity: each topology value gets a sum of weights from the incoming
// pod's preferred terms matching existing pods, and from existing pods' terms matching the incoming
// pod (their required affinity counting hardPodAffinityWeight); a node scores the sum over its labels.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { MAX_NODE_SCORE, type NodeInfo, type NodeScore } from '../../framework/types.js';
import { defaultNamespaceLabels, podTerms, termMatches, type AffinityTerm, type NamespaceLabels, type PodTerms } from './terms.js';

/** topologyKey → topology value → score. */
export type TopologyScore = Map<string, Map<string, number>>;

export interface PreScoreState {
  topologyScore: TopologyScore;
}

export interface ScoringOptions {
  hardPodAffinityWeight: number;
  ignorePreferredTermsOfExistingPods: boolean;
  namespaceLabels: NamespaceLabels;
}

function addTerm(scores: TopologyScore, term: AffinityTerm, weight: number, pod: Pod, nsLabels: Record<string, string> | undefined, node: Node): void {
  if (!termMatches(term, pod, nsLabels)) return;
  const v = node.metadata?.labels?.[term.topologyKey];
  if (v === undefined) return;
  let byValue = scores.get(term.topologyKey);
  if (!byValue) scores.set(term.topologyKey, (byValue = new Map()));
  byValue.set(v, (byValue.get(v) ?? 0) + weight);
}

function addExistingPod(scores: TopologyScore, incoming: Pod, own: PodTerms, existing: Pod, node: Node, opts: ScoringOptions): void {
  if (Object.keys(node.metadata?.labels ?? {}).length === 0) return;
  const existingNs = opts.namespaceLabels(existing.metadata?.namespace ?? '');
  const incomingNs = opts.namespaceLabels(incoming.metadata?.namespace ?? '');
  for (const t of own.preferredAffinity) addTerm(scores, t, t.weight, existing, existingNs, node);
  for (const t of own.preferredAntiAffinity) addTerm(scores, t, -t.weight, existing, existingNs, node);
  const theirs = podTerms(existing);
  if (opts.hardPodAffinityWeight > 0) {
    for (const t of theirs.requiredAffinity) addTerm(scores, t, opts.hardPodAffinityWeight, incoming, incomingNs, node);
  }
  for (const t of theirs.preferredAffinity) addTerm(scores, t, t.weight, incoming, incomingNs, node);
  for (const t of theirs.preferredAntiAffinity) addTerm(scores, t, -t.weight, incoming, incomingNs, node);
}

/**
 * Scores per topology from every node of the snapshot (only nodes with affinity pods when the
 * incoming pod has no preferred terms). Undefined when nothing contributes (the plugin skips).
 */
export function computePreScoreState(pod: Pod, allNodes: NodeInfo[], opts: ScoringOptions, withAffinity?: NodeInfo[]): PreScoreState | undefined {
  const own = podTerms(pod);
  const hasConstraints = own.preferredAffinity.length > 0 || own.preferredAntiAffinity.length > 0;
  if (opts.ignorePreferredTermsOfExistingPods && !hasConstraints) return undefined;
  const topologyScore: TopologyScore = new Map();
  const key = memoKey(pod, hasConstraints, opts);
  // Without preferred terms of its own only nodes with affinity pods matter: the snapshot's list of those, when given.
  for (const n of hasConstraints ? allNodes : withAffinity ?? allNodes) {
    const pods = hasConstraints ? n.pods : n.podsWithAffinity;
    if (pods.length === 0) continue;
    const generation = (n as { generation?: unknown }).generation;
    if (key === undefined || typeof generation !== 'number') {
      for (const existing of pods) addExistingPod(topologyScore, pod, own, existing, n.node, opts);
      continue;
    }
    // A node's share depends only on its pods and labels (its generation) and on what the
    // incoming pod is (the key): pods of one workload reuse it until the node changes.
    let memo = nodeShares.get(n);
    if (!memo || memo.generation !== generation) nodeShares.set(n, memo = { generation, byKey: new Map() });
    let share = memo.byKey.get(key);
    if (!share) {
      share = new Map();
      for (const existing of pods) addExistingPod(share, pod, own, existing, n.node, opts);
      if (memo.byKey.size >= MAX_SHARES_PER_NODE) memo.byKey.clear();
      memo.byKey.set(key, share);
    }
    for (const [topologyKey, byValue] of share) {
      let into = topologyScore.get(topologyKey);
      if (!into) topologyScore.set(topologyKey, (into = new Map()));
      for (const [v, w] of byValue) into.set(v, (into.get(v) ?? 0) + w);
    }
  }
  if (topologyScore.size === 0) return undefined;
  return { topologyScore };
}

const nodeShares = new WeakMap<NodeInfo, { generation: number; byKey: Map<string, TopologyScore> }>();
const MAX_SHARES_PER_NODE = 16;

/**
 * What a node's share of the scores depends on besides the node: the incoming pod's namespace,
 * labels and affinity, and the options. Undefined (no memo) with a namespace-labels source other
 * than the default, whose answers may change while the nodes do not.
 */
function memoKey(pod: Pod, hasConstraints: boolean, opts: ScoringOptions): string | undefined {
  if (opts.namespaceLabels !== defaultNamespaceLabels) return undefined;
  return JSON.stringify([pod.metadata?.namespace ?? '', pod.metadata?.labels ?? {}, pod.spec?.affinity ?? null, hasConstraints, opts.hardPodAffinityWeight]);
}

export function scoreNode(s: PreScoreState, node: Node): number {
  const labels = node.metadata?.labels ?? {};
  let score = 0;
  for (const [key, byValue] of s.topologyScore) {
    const v = labels[key];
    if (v !== undefined) score += byValue.get(v) ?? 0;
  }
  return score;
}

/** Maps scores linearly onto 0..MAX_NODE_SCORE (lowest → 0, highest → 100); all equal → 0. */
export function normalizeScores(scores: NodeScore[]): void {
  if (scores.length === 0) return;
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    min = Math.min(min, s.score);
    max = Math.max(max, s.score);
  }
  const diff = max - min;
  for (const s of scores) s.score = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((s.score - min) / diff)) : 0;
}
