// Pod (anti-)affinity terms in the form the scheduler evaluates them: a label selector, the set of
// namespaces it applies to (or a namespace selector), and the node label that defines a topology.
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import {
  RequirementsSelector,
  newRequirement,
  nothing,
  selectorFromLabelSelector,
  type LabelSelector,
  type Requirement,
} from '../../../apimachinery/labels.js';

/** Labels of a namespace by name; undefined when the namespace is unknown. */
export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined;

/** The one label the API server sets on every namespace; enough without a namespace cache. */
export const defaultNamespaceLabels: NamespaceLabels = (ns) => {
  // Asked for every existing pod in every cycle: one (frozen) object per namespace.
  let labels = namespaceLabelSets.get(ns);
  if (!labels) {
    if (namespaceLabelSets.size >= 4096) namespaceLabelSets.clear();
    namespaceLabelSets.set(ns, labels = Object.freeze({ 'kubernetes.io/metadata.name': ns }));
  }
  return labels;
};
const namespaceLabelSets = new Map<string, Readonly<Record<string, string>>>();

export interface AffinityTerm {
  selector: LabelSelector;
  namespaces: Set<string>;
  /** Matches no namespace when the term has no namespaceSelector. */
  namespaceSelector: LabelSelector;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm { weight: number }

/** Whether the pod falls under the term: its namespace is covered and its labels match. */
export function termMatches(term: AffinityTerm, pod: Pod, nsLabels: Record<string, string> | undefined): boolean {
  const ns = pod.metadata?.namespace ?? '';
  if (!term.namespaces.has(ns) && !term.namespaceSelector.matches(nsLabels ?? {})) return false;
  return term.selector.matches(pod.metadata?.labels ?? {});
}

export function matchesAllTerms(terms: AffinityTerm[], pod: Pod, nsLabels: Record<string, string> | undefined): boolean {
  if (terms.length === 0) return false;
  return terms.every((t) => termMatches(t, pod, nsLabels));
}

/**
 * Builds a term of `pod`. With neither namespaces nor a namespaceSelector, the term covers the
 * pod's own namespace; an empty namespaceSelector covers all. matchLabelKeys/mismatchLabelKeys
 * add `key in (v)` / `key notin (v)` with the pod's own value of each key it has.
 */
export function newAffinityTerm(pod: Pod, t: PodAffinityTerm): AffinityTerm {
  let selector = selectorFromLabelSelector(t.labelSelector);
  const labels = pod.metadata?.labels ?? {};
  const extra: Requirement[] = [];
  if (t.labelSelector) {
    for (const key of t.matchLabelKeys ?? []) {
      if (key in labels) extra.push(requirement(key, 'in', labels[key]!));
    }
    for (const key of t.mismatchLabelKeys ?? []) {
      if (key in labels) extra.push(requirement(key, 'notin', labels[key]!));
    }
  }
  if (extra.length > 0) selector = new RequirementsSelector([...selector.requirements, ...extra]);
  const namespaces = new Set(t.namespaces ?? []);
  if (namespaces.size === 0 && !t.namespaceSelector) namespaces.add(pod.metadata?.namespace ?? '');
  const namespaceSelector = t.namespaceSelector ? selectorFromLabelSelector(t.namespaceSelector) : nothing();
  return { selector, namespaces, namespaceSelector, topologyKey: t.topologyKey };
}

function requirement(key: string, op: 'in' | 'notin', value: string): Requirement {
  const r = newRequirement(key, op, [value]);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

/** A pod's terms, parsed once per pod. Invalid selectors throw. */
export interface PodTerms {
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedAffinityTerm[];
  preferredAntiAffinity: WeightedAffinityTerm[];
}

const parsed = new WeakMap<Pod, PodTerms>();

export function podTerms(pod: Pod): PodTerms {
  const cached = parsed.get(pod);
  if (cached) return cached;
  const a = pod.spec?.affinity;
  const req = (ts: PodAffinityTerm[] | undefined) => (ts ?? []).map((t) => newAffinityTerm(pod, t));
  const pref = (ts: WeightedPodAffinityTerm[] | undefined) =>
    (ts ?? []).map((w) => ({ ...newAffinityTerm(pod, w.podAffinityTerm), weight: w.weight }));
  const terms: PodTerms = {
    requiredAffinity: req(a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinity: req(a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinity: pref(a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinity: pref(a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
  };
  parsed.set(pod, terms);
  return terms;
}
