// DoNotSchedule constraints: PreFilter counts matching pods per domain of every constraint over all
// eligible nodes; Filter admits a node when placing the pod there keeps
// (domain count + self match - global minimum) <= maxSkew.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../../framework/types.js';
import { countMatchingOn, matchKey, nodeHasAllTopologyKeys, nodeIncluded, type Constraint } from './constraints.js';

export interface PreFilterState {
  constraints: Constraint[];
  /** Per constraint: topology value → matching pods, for every eligible domain (zero included). */
  matchNum: Map<string, number>[];
}

export function cloneState(s: PreFilterState): PreFilterState {
  return { constraints: s.constraints, matchNum: s.matchNum.map((m) => new Map(m)) };
}

export function computePreFilterState(pod: Pod, constraints: Constraint[], nodes: NodeInfo[]): PreFilterState {
  const s: PreFilterState = { constraints, matchNum: constraints.map(() => new Map()) };
  const ns = pod.metadata?.namespace ?? '';
  const keys = constraints.map((c) => matchKey(c.selector, ns));
  for (const ni of nodes) {
    if (!nodeHasAllTopologyKeys(ni.node, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!nodeIncluded(c, pod, ni.node)) return;
      const v = ni.node.metadata!.labels![c.topologyKey]!;
      const m = s.matchNum[i]!;
      m.set(v, (m.get(v) ?? 0) + countMatchingOn(ni, c.selector, ns, keys[i]));
    });
  }
  return s;
}

/** Preemption's what-if: `other` added (delta 1) or removed (-1) on `node`, as seen by the incoming `pod`. */
export function updateWithPod(s: PreFilterState, pod: Pod, other: Pod, node: Node, delta: number): void {
  if ((other.metadata?.namespace ?? '') !== (pod.metadata?.namespace ?? '')) return;
  if (!nodeHasAllTopologyKeys(node, s.constraints)) return;
  s.constraints.forEach((c, i) => {
    if (!c.selector.matches(other.metadata?.labels ?? {})) return;
    if (!nodeIncluded(c, pod, node)) return;
    const v = node.metadata!.labels![c.topologyKey]!;
    const m = s.matchNum[i]!;
    m.set(v, (m.get(v) ?? 0) + delta);
  });
}

/** The global minimum of a constraint; 0 while fewer than minDomains domains are eligible. */
export function minMatchNum(s: PreFilterState, i: number): number {
  const m = s.matchNum[i]!;
  if (m.size < s.constraints[i]!.minDomains) return 0;
  let min = Number.MAX_SAFE_INTEGER;
  for (const n of m.values()) min = Math.min(min, n);
  return min;
}

export type FilterOutcome = 'fits' | 'missingLabel' | 'skewTooLarge';

export function fits(s: PreFilterState, pod: Pod, node: Node): FilterOutcome {
  const labels = node.metadata?.labels ?? {};
  const podLabels = pod.metadata?.labels ?? {};
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!;
    const v = labels[c.topologyKey];
    if (v === undefined) return 'missingLabel';
    const self = c.selector.matches(podLabels) ? 1 : 0;
    const skew = (s.matchNum[i]!.get(v) ?? 0) + self - minMatchNum(s, i);
    if (skew > c.maxSkew) return 'skewTooLarge';
  }
  return 'fits';
}
