// Topology spread constraints as the scheduler evaluates them: the pod's own (or the cluster
// defaults when it has none) with the selector resolved and Kubernetes' defaults applied.
import type {
  Node,
  Pod,
  ReplicationController,
  Service,
  TopologySpreadConstraint,
} from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import {
  RequirementsSelector,
  newRequirement,
  selectorFromLabelSelector,
  selectorFromSet,
  type LabelSelector,
  type Requirement,
} from '../../../apimachinery/labels.js';
import { podMatchesRequiredNodeAffinity } from '../../../api/node-selector.js';
import { findUntoleratedTaint } from '../../../api/tolerations.js';
import type { NodeInfo } from '../../framework/types.js';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

export type Action = 'DoNotSchedule' | 'ScheduleAnyway';
export type InclusionPolicy = 'Honor' | 'Ignore';

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  minDomains: number;
  nodeAffinityPolicy: InclusionPolicy;
  nodeTaintsPolicy: InclusionPolicy;
}

/** kube-scheduler's system defaults: spread by hostname (skew 3) and zone (skew 5), softly. */
export const SYSTEM_DEFAULT_CONSTRAINTS: TopologySpreadConstraint[] = [
  { topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: LABEL_ZONE, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

/** The pod's constraints with this action; matchLabelKeys add `key in (value)` from the pod's labels. Invalid selectors throw. */
export function filterConstraints(list: TopologySpreadConstraint[], podLabels: Record<string, string>, action: Action): Constraint[] {
  const out: Constraint[] = [];
  for (const c of list) {
    if (c.whenUnsatisfiable !== action) continue;
    let selector = selectorFromLabelSelector(c.labelSelector);
    const extra: Requirement[] = [];
    for (const key of c.matchLabelKeys ?? []) {
      if (!(key in podLabels)) continue;
      const r = newRequirement(key, 'in', [podLabels[key]!]);
      if (typeof r === 'string') throw new Error(r);
      extra.push(r);
    }
    if (extra.length > 0 && c.labelSelector) selector = new RequirementsSelector([...selector.requirements, ...extra]);
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      nodeAffinityPolicy: c.nodeAffinityPolicy === 'Ignore' ? 'Ignore' : 'Honor',
      nodeTaintsPolicy: c.nodeTaintsPolicy === 'Honor' ? 'Honor' : 'Ignore',
    });
  }
  return out;
}

/** Objects in the pod's namespace whose selectors may cover it, for the default constraints' selector. */
export interface Workloads {
  services?: Service[];
  replicationControllers?: ReplicationController[];
  replicaSets?: ReplicaSet[];
  statefulSets?: StatefulSet[];
}

/**
 * The selector default constraints use: the selectors of Services selecting the pod, plus that of
 * the ReplicationController, ReplicaSet or StatefulSet controlling it. Empty when none applies.
 */
export function defaultSelector(pod: Pod, w: Workloads): LabelSelector {
  const labels = pod.metadata?.labels ?? {};
  const set: Record<string, string> = {};
  for (const svc of w.services ?? []) {
    const sel = svc.spec?.selector;
    if (!sel) continue;
    if (selectorFromSet(sel).matches(labels)) Object.assign(set, sel);
  }
  let reqs = [...selectorFromSet(set).requirements];
  const owner = (pod.metadata?.ownerReferences ?? []).find((o) => o.controller);
  if (owner) {
    const byName = <T extends { metadata?: { name?: string } }>(xs: T[] | undefined) => xs?.find((x) => x.metadata?.name === owner.name);
    if (owner.apiVersion === 'v1' && owner.kind === 'ReplicationController') {
      const rc = byName(w.replicationControllers);
      if (rc?.spec?.selector) reqs = [...selectorFromSet({ ...set, ...rc.spec.selector }).requirements];
    } else if (owner.apiVersion === 'apps/v1' && (owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet')) {
      const obj = owner.kind === 'ReplicaSet' ? byName(w.replicaSets) : byName(w.statefulSets);
      if (obj?.spec?.selector) {
        try {
          reqs.push(...selectorFromLabelSelector(obj.spec.selector).requirements);
        } catch {
          // An invalid workload selector adds nothing, as in Kubernetes.
        }
      }
    }
  }
  return new RequirementsSelector(reqs);
}

/** Default constraints with this action, all using the pod's default selector; none when it is empty. */
export function defaultConstraints(pod: Pod, defaults: TopologySpreadConstraint[], action: Action, w: Workloads | undefined): Constraint[] {
  const cs = filterConstraints(defaults, pod.metadata?.labels ?? {}, action);
  if (cs.length === 0 || !w) return [];
  const selector = defaultSelector(pod, w);
  if (selector.empty()) return [];
  return cs.map((c) => ({ ...c, selector }));
}

export function nodeHasAllTopologyKeys(node: Node, cs: Constraint[]): boolean {
  const labels = node.metadata?.labels ?? {};
  return cs.every((c) => c.topologyKey in labels);
}

/** Whether the node is an eligible domain member for the constraint under its inclusion policies. */
export function nodeIncluded(c: Constraint, pod: Pod, node: Node): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !podMatchesRequiredNodeAffinity(pod, node)) return false;
  if (c.nodeTaintsPolicy === 'Honor'
    && findUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')) return false;
  return true;
}

/** Identifies what countMatching counts: the namespace and the selector as rendered. */
export function matchKey(selector: LabelSelector, namespace: string): string {
  let rendered = renderedSelectors.get(selector);
  if (rendered === undefined) renderedSelectors.set(selector, rendered = selector.toString());
  return `${namespace}\u0000${rendered}`;
}

const renderedSelectors = new WeakMap<LabelSelector, string>();
/** Per NodeInfo, at one generation: match key → count. */
const nodeCounts = new WeakMap<NodeInfo, { generation: number; counts: Map<string, number> }>();
const MAX_KEYS_PER_NODE = 64;

/**
 * countMatching over the node's pods, remembered per NodeInfo and generation: every cycle counts
 * over all nodes, and a snapshot keeps the same NodeInfo for a node until its pods change.
 */
export function countMatchingOn(ni: NodeInfo, selector: LabelSelector, namespace: string, key = matchKey(selector, namespace)): number {
  const generation = (ni as { generation?: unknown }).generation;
  if (typeof generation !== 'number') return countMatching(ni.pods, selector, namespace);
  let memo = nodeCounts.get(ni);
  if (!memo || memo.generation !== generation) nodeCounts.set(ni, memo = { generation, counts: new Map() });
  let n = memo.counts.get(key);
  if (n === undefined) {
    n = countMatching(ni.pods, selector, namespace);
    if (memo.counts.size >= MAX_KEYS_PER_NODE) memo.counts.clear();
    memo.counts.set(key, n);
  }
  return n;
}

/** Pods in the namespace matching the selector, terminating ones excluded; an empty selector counts none. */
export function countMatching(pods: Pod[], selector: LabelSelector, namespace: string): number {
  if (selector.empty()) return 0;
  let n = 0;
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp || (p.metadata?.namespace ?? '') !== namespace) continue;
    if (selector.matches(p.metadata?.labels ?? {})) n++;
  }
  return n;
}
