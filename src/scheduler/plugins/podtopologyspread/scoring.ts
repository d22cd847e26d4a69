// ScheduleAnyway constraints: a node's raw score is, per constraint, the matching pods in its
// domain weighted by log(domains + 2) plus (maxSkew - 1); fewer is better, so NormalizeScore
// inverts it onto 0..MAX_NODE_SCORE.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { MAX_NODE_SCORE, type NodeInfo, type NodeScore } from '../../framework/types.js';
import { LABEL_HOSTNAME, countMatchingOn, matchKey, nodeHasAllTopologyKeys, nodeIncluded, type Constraint } from './constraints.js';

export interface PreScoreState {
  constraints: Constraint[];
  /** Nodes not scored (missing a topology key): they get 0. */
  ignoredNodes: Set<string>;
  /** Per constraint: topology value → matching pods, for the domains of the filtered nodes. Hostname is counted in Score. */
  podCounts: Map<string, number>[];
  normalizingWeight: number[];
}

/**
 * `requireAllTopologies` is false only for system-defaulted constraints, which score nodes lacking
 * a zone label by the constraints they do have.
 */
export function computePreScoreState(
  pod: Pod,
  constraints: Constraint[],
  filteredNodes: NodeInfo[],
  allNodes: NodeInfo[],
  requireAllTopologies: boolean,
): PreScoreState {
  const s: PreScoreState = { constraints, ignoredNodes: new Set(), podCounts: constraints.map(() => new Map()), normalizingWeight: [] };
  const domains = constraints.map(() => 0);
  for (const ni of filteredNodes) {
    if (requireAllTopologies && !nodeHasAllTopologyKeys(ni.node, constraints)) {
      s.ignoredNodes.add(ni.name);
      continue;
    }
    constraints.forEach((c, i) => {
      if (c.topologyKey === LABEL_HOSTNAME) return;
      const v = ni.node.metadata?.labels?.[c.topologyKey] ?? '';
      if (!s.podCounts[i]!.has(v)) {
        s.podCounts[i]!.set(v, 0);
        domains[i]!++;
      }
    });
  }
  s.normalizingWeight = constraints.map((c, i) => {
    const size = c.topologyKey === LABEL_HOSTNAME ? filteredNodes.length - s.ignoredNodes.size : domains[i]!;
    return Math.log(size + 2);
  });
  const ns = pod.metadata?.namespace ?? '';
  const keys = constraints.map((c) => matchKey(c.selector, ns));
  for (const ni of allNodes) {
    if (requireAllTopologies && !nodeHasAllTopologyKeys(ni.node, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!nodeIncluded(c, pod, ni.node)) return;
      const v = ni.node.metadata?.labels?.[c.topologyKey] ?? '';
      const counts = s.podCounts[i]!;
      // Only domains of candidate nodes matter; per-node (hostname) counts happen in Score.
      if (!counts.has(v)) return;
      counts.set(v, counts.get(v)! + countMatchingOn(ni, c.selector, ns, keys[i]));
    });
  }
  return s;
}

export function scoreNode(s: PreScoreState, pod: Pod, ni: NodeInfo): number {
  if (s.ignoredNodes.has(ni.name)) return 0;
  const labels: Record<string, string> = (ni.node as Node).metadata?.labels ?? {};
  let score = 0;
  s.constraints.forEach((c, i) => {
    const v = labels[c.topologyKey];
    if (v === undefined) return;
    const cnt = c.topologyKey === LABEL_HOSTNAME
      ? countMatchingOn(ni, c.selector, pod.metadata?.namespace ?? '')
      : s.podCounts[i]!.get(v) ?? 0;
    score += cnt * s.normalizingWeight[i]! + (c.maxSkew - 1);
  });
  return Math.round(score);
}

/** Fewest matching pods → MAX_NODE_SCORE; ignored nodes → 0. */
export function normalizeScores(s: PreScoreState, scores: NodeScore[]): void {
  let min = Number.MAX_SAFE_INTEGER;
  let max = 0;
  for (const sc of scores) {
    if (s.ignoredNodes.has(sc.name)) continue;
    min = Math.min(min, sc.score);
    max = Math.max(max, sc.score);
  }
  for (const sc of scores) {
    if (s.ignoredNodes.has(sc.name)) sc.score = 0;
    else if (max === 0) sc.score = MAX_NODE_SCORE;
    else sc.score = Math.trunc((MAX_NODE_SCORE * (max + min - sc.score)) / max);
  }
}
