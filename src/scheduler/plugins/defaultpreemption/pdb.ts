// Which preemption victims would break a PodDisruptionBudget: each budget's disruptionsAllowed is
// counted down over the victims in the order given, as kube-scheduler does, so the first ones a
// budget covers are allowed and the rest violate it.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { selectorFromLabelSelector, type LabelSelector } from '../../../apimachinery/labels.js';

function budgetSelector(pdb: PodDisruptionBudget): LabelSelector | undefined {
  try {
    const s = selectorFromLabelSelector(pdb.spec?.selector);
    // A budget with a null or empty selector covers no pod.
    return s.empty() ? undefined : s;
  } catch {
    // An invalid selector matches nothing.
    return undefined;
  }
}

/**
 * Splits `pods` (kept in their order) into those whose eviction would take some budget below
 * zero and the others. Pods a budget already lists in status.disruptedPods do not count against it.
 */
export function filterPodsWithPDBViolation(pods: Pod[], pdbs: PodDisruptionBudget[]): { violating: Pod[]; nonViolating: Pod[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const selectors = pdbs.map(budgetSelector);
  const violating: Pod[] = [];
  const nonViolating: Pod[] = [];
  for (const pod of pods) {
    const labels = pod.metadata?.labels ?? {};
    let violated = false;
    if (Object.keys(labels).length > 0) {
      pdbs.forEach((pdb, i) => {
        if ((pdb.metadata?.namespace ?? '') !== (pod.metadata?.namespace ?? '')) return;
        const sel = selectors[i];
        if (!sel || !sel.matches(labels)) return;
        if (pod.metadata?.name && pdb.status?.disruptedPods && pod.metadata.name in pdb.status.disruptedPods) return;
        allowed[i]! -= 1;
        if (allowed[i]! < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(pod);
  }
  return { violating, nonViolating };
}
