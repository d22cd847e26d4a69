// core/v1 NodeSelector matching (required node affinity, preferred terms, nodeSelector), as
// Kubernetes' component-helpers define it; the scheduler's plugins and the DaemonSet controller use it.
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod } from 'kubernetes-types/core/v1.js';

const INT = /^[+-]?\d+$/;

/** One label requirement; invalid requirements (wrong value counts, non-integer Gt/Lt) match nothing. */
export function labelRequirementMatches(r: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const values = r.values ?? [];
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key]! : undefined;
  switch (r.operator) {
    case 'In': return values.length > 0 && has && values.includes(value!);
    case 'NotIn': return values.length > 0 && (!has || !values.includes(value!));
    case 'Exists': return values.length === 0 && has;
    case 'DoesNotExist': return values.length === 0 && !has;
    case 'Gt': case 'Lt': {
      if (values.length !== 1 || !INT.test(values[0]!) || !has || !INT.test(value!)) return false;
      const lv = BigInt(value!);
      const rv = BigInt(values[0]!);
      return r.operator === 'Gt' ? lv > rv : lv < rv;
    }
    default: return false;
  }
}

/** Field requirements support only metadata.name with In/NotIn (one value), as Kubernetes validates. */
export function fieldRequirementMatches(r: NodeSelectorRequirement, node: Node): boolean {
  if (r.key !== 'metadata.name') return false;
  const values = r.values ?? [];
  if (values.length !== 1) return false;
  const name = node.metadata?.name ?? '';
  if (r.operator === 'In') return values.includes(name);
  if (r.operator === 'NotIn') return !values.includes(name);
  return false;
}

/** A term's requirements are ANDed; a term with no requirements matches no node. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  return exprs.every((r) => labelRequirementMatches(r, labels)) && fields.every((r) => fieldRequirementMatches(r, node));
}

/** Terms are ORed; a selector with no terms matches no node. */
export function nodeSelectorMatches(selector: NodeSelector, node: Node): boolean {
  return selector.nodeSelectorTerms.some((t) => nodeSelectorTermMatches(t, node));
}

/** Kubernetes' RequiredNodeAffinity: the pod's nodeSelector labels AND its required node affinity. */
export function podMatchesRequiredNodeAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !required || nodeSelectorMatches(required, node);
}
