// Which nodes count as domains for a constraint: nodeAffinityPolicy Honor keeps only nodes that
// match the pod's nodeSelector and required node affinity; nodeTaintsPolicy Honor keeps only nodes
// whose NoSchedule/NoExecute taints the pod tolerates.
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0]!)) return false;
      const [l, rv] = [BigInt(value), BigInt(values[0]!)];
      return r.operator === 'Gt' ? l > rv : l < rv;
    }
    default: return false;
  }
}

function termMatches(t: NodeSelectorTerm, node: Node): boolean {
  const exprs = t.matchExpressions ?? [];
  const fields = t.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  if (!exprs.every((r) => requirementMatches(r, labels[r.key]))) return false;
  return fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata?.name));
}

/** The pod's nodeSelector and requiredDuringScheduling node affinity (terms ORed) against the node. */
export function matchesRequiredNodeAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (labels[k] !== v) return false;
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return required.nodeSelectorTerms.some((t) => termMatches(t, node));
}

export function tolerates(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key !== undefined && tol.key !== '' && tol.key !== taint.key) return false;
  switch (tol.operator ?? 'Equal') {
    case 'Exists': return true;
    case 'Equal': return (tol.value ?? '') === (taint.value ?? '');
    default: return false;
  }
}

/** True when the node has a NoSchedule or NoExecute taint the pod does not tolerate. */
export function hasUntoleratedTaint(pod: Pod, node: Node): boolean {
  const tolerations = pod.spec?.tolerations ?? [];
  return (node.spec?.taints ?? []).some(
    (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerations.some((tol) => tolerates(tol, t)),
  );
}
