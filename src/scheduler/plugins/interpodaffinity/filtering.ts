// Required inter-pod (anti-)affinity: per-topology counts computed once in PreFilter, then a
// constant-time check per node in Filter.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../../framework/types.js';
import { defaultNamespaceLabels, matchesAllTerms, podTerms, termMatches, type AffinityTerm, type NamespaceLabels, type PodTerms } from './terms.js';

/** Counts keyed by `topologyKey\0value`. Entries that reach zero are removed. */
export type TopologyCounts = Map<string, number>;

// The same few topology pairs come up for every pod and node: hand out one string per pair, so
// building keys allocates nothing and map lookups reuse the string's hash.
const pairKeys = new Map<string, Map<string, string>>();
const MAX_PAIR_KEYS = 1 << 16;
let pairKeyCount = 0;

export function pairKey(key: string, value: string): string {
  let byValue = pairKeys.get(key);
  if (!byValue) pairKeys.set(key, byValue = new Map());
  let k = byValue.get(value);
  if (k === undefined) {
    if (pairKeyCount >= MAX_PAIR_KEYS) { pairKeys.clear(); pairKeyCount = 0; pairKeys.set(key, byValue = new Map()); }
    k = `${key}\u0000${value}`;
    byValue.set(value, k);
    pairKeyCount++;
  }
  return k;
}

function bump(counts: TopologyCounts, key: string, value: string, delta: number): void {
  const k = pairKey(key, value);
  const n = (counts.get(k) ?? 0) + delta;
  if (n === 0) counts.delete(k);
  else counts.set(k, n);
}

export interface PreFilterState {
  pod: Pod;
  terms: PodTerms;
  /** Labels of the incoming pod's namespace, for existing pods' namespaceSelectors. */
  namespaceLabels: Record<string, string> | undefined;
  /** Topologies where an existing pod's required anti-affinity matches the incoming pod. */
  existingAntiAffinityCounts: TopologyCounts;
  /** Topologies holding pods that match all of the incoming pod's required affinity terms. */
  affinityCounts: TopologyCounts;
  /** Topologies holding pods that match one of the incoming pod's required anti-affinity terms. */
  antiAffinityCounts: TopologyCounts;
}

export function cloneState(s: PreFilterState): PreFilterState {
  return {
    ...s,
    existingAntiAffinityCounts: new Map(s.existingAntiAffinityCounts),
    affinityCounts: new Map(s.affinityCounts),
    antiAffinityCounts: new Map(s.antiAffinityCounts),
  };
}

/** Existing pod `existing` on `node`: does its required anti-affinity reject the incoming pod there? */
function addExistingAntiAffinity(s: PreFilterState, existing: Pod, node: Node, delta: number): void {
  const labels = node.metadata?.labels ?? {};
  for (const t of podTerms(existing).requiredAntiAffinity) {
    const v = labels[t.topologyKey];
    if (v !== undefined && termMatches(t, s.pod, s.namespaceLabels)) bump(s.existingAntiAffinityCounts, t.topologyKey, v, delta);
  }
}

/** Existing pod `existing` on `node`, seen through the incoming pod's own required terms. */
function addIncomingTerms(s: PreFilterState, existing: Pod, node: Node, nsLabels: NamespaceLabels, delta: number): void {
  const labels = node.metadata?.labels ?? {};
  const existingNs = nsLabels(existing.metadata?.namespace ?? '');
  const affinity = s.terms.requiredAffinity;
  if (matchesAllTerms(affinity, existing, existingNs)) {
    for (const t of affinity) {
      const v = labels[t.topologyKey];
      if (v !== undefined) bump(s.affinityCounts, t.topologyKey, v, delta);
    }
  }
  for (const t of s.terms.requiredAntiAffinity) {
    const v = labels[t.topologyKey];
    if (v !== undefined && termMatches(t, existing, existingNs)) bump(s.antiAffinityCounts, t.topologyKey, v, delta);
  }
}

/**
 * Builds the state from all nodes; undefined when there is nothing to check (the plugin skips).
 * `withRequiredAnti`, when given, is the nodes among them holding pods with required anti-affinity
 * (the snapshot keeps that list, sparing a pass over every node for every pod).
 */
export function computePreFilterState(pod: Pod, nodes: NodeInfo[], nsLabels: NamespaceLabels, withRequiredAnti?: NodeInfo[]): PreFilterState | undefined {
  const terms = podTerms(pod);
  const hasOwn = terms.requiredAffinity.length > 0 || terms.requiredAntiAffinity.length > 0;
  const withAnti = withRequiredAnti ?? nodes.filter((n) => n.podsWithRequiredAntiAffinity.length > 0);
  if (!hasOwn && withAnti.length === 0) return undefined;
  const s: PreFilterState = {
    pod,
    terms,
    namespaceLabels: nsLabels(pod.metadata?.namespace ?? ''),
    existingAntiAffinityCounts: new Map(),
    affinityCounts: new Map(),
    antiAffinityCounts: new Map(),
  };
  const key = nsLabels === defaultNamespaceLabels
    ? JSON.stringify([pod.metadata?.namespace ?? '', pod.metadata?.labels ?? {}, pod.spec?.affinity ?? null])
    : undefined;
  for (const n of withAnti) {
    addNodeShare(s, n, key, 'existing', (into) => {
      for (const existing of n.podsWithRequiredAntiAffinity) addExistingAntiAffinity(into, existing, n.node, 1);
    });
  }
  if (hasOwn) {
    for (const n of nodes) {
      if (n.pods.length === 0) continue;
      addNodeShare(s, n, key, 'incoming', (into) => {
        for (const existing of n.pods) addIncomingTerms(into, existing, n.node, nsLabels, 1);
      });
    }
  }
  return s;
}

type Counts = Pick<PreFilterState, 'existingAntiAffinityCounts' | 'affinityCounts' | 'antiAffinityCounts'>;
const nodeShares = new WeakMap<NodeInfo, { generation: number; byKey: Map<string, Counts> }>();
const MAX_SHARES_PER_NODE = 16;
const MIN_PODS_TO_REMEMBER = 2;

/**
 * Adds what one node's pods contribute to the counts. With a key (what the incoming pod is) the
 * contribution is remembered per node generation, so pods of one workload recount only the nodes
 * that changed; without one (a custom namespace-labels source) it is counted afresh.
 */
function addNodeShare(s: PreFilterState, n: NodeInfo, key: string | undefined, part: string, count: (into: PreFilterState) => void): void {
  const generation = (n as { generation?: unknown }).generation;
  // A few pods cost less to count than to remember.
  if (key === undefined || typeof generation !== 'number' || n.pods.length < MIN_PODS_TO_REMEMBER) {
    count(s);
    return;
  }
  let memo = nodeShares.get(n);
  if (!memo || memo.generation !== generation) nodeShares.set(n, memo = { generation, byKey: new Map() });
  const k = `${part}\u0000${key}`;
  let share = memo.byKey.get(k);
  if (!share) {
    const into: PreFilterState = { ...s, existingAntiAffinityCounts: new Map(), affinityCounts: new Map(), antiAffinityCounts: new Map() };
    count(into);
    share = { existingAntiAffinityCounts: into.existingAntiAffinityCounts, affinityCounts: into.affinityCounts, antiAffinityCounts: into.antiAffinityCounts };
    if (memo.byKey.size >= MAX_SHARES_PER_NODE) memo.byKey.clear();
    memo.byKey.set(k, share);
  }
  merge(s.existingAntiAffinityCounts, share.existingAntiAffinityCounts);
  merge(s.affinityCounts, share.affinityCounts);
  merge(s.antiAffinityCounts, share.antiAffinityCounts);
}

/** Shares only ever count up, so no entry reaches zero here. */
function merge(into: TopologyCounts, from: TopologyCounts): void {
  for (const [k, n] of from) into.set(k, (into.get(k) ?? 0) + n);
}

/** Preemption's what-if: account for `existing` being added (delta 1) or removed (-1) on `node`. */
export function updateWithPod(s: PreFilterState, existing: Pod, node: Node, nsLabels: NamespaceLabels, delta: number): void {
  addExistingAntiAffinity(s, existing, node, delta);
  addIncomingTerms(s, existing, node, nsLabels, delta);
}

/**
 * Every required affinity term's topology must exist on the node and hold a matching pod — unless
 * no pod matches anywhere and the pod matches its own terms: the first of a group that attracts
 * itself may go anywhere that has the topology labels.
 */
export function satisfiesPodAffinity(s: PreFilterState, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  let podsExist = true;
  for (const t of s.terms.requiredAffinity) {
    const v = labels[t.topologyKey];
    if (v === undefined) return false;
    if ((s.affinityCounts.get(pairKey(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  return s.affinityCounts.size === 0 && matchesAllTerms(s.terms.requiredAffinity, s.pod, s.namespaceLabels);
}

export function satisfiesPodAntiAffinity(s: PreFilterState, node: Node): boolean {
  if (s.antiAffinityCounts.size === 0) return true;
  const labels = node.metadata?.labels ?? {};
  return !s.terms.requiredAntiAffinity.some((t: AffinityTerm) => {
    const v = labels[t.topologyKey];
    return v !== undefined && (s.antiAffinityCounts.get(pairKey(t.topologyKey, v)) ?? 0) > 0;
  });
}

export function satisfiesExistingPodsAntiAffinity(s: PreFilterState, node: Node): boolean {
  if (s.existingAntiAffinityCounts.size === 0) return true;
  const labels = node.metadata?.labels ?? {};
  for (const k in labels) {
    if ((s.existingAntiAffinityCounts.get(pairKey(k, labels[k]!)) ?? 0) > 0) return false;
  }
  return true;
}
