// Whether tolerations tolerate taints, as Kubernetes' core/v1 helpers define it.
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';

/**
 * An empty effect tolerates every effect; an empty key with operator Exists tolerates every key;
 * Exists ignores the value, Equal (or no operator) needs the same value.
 */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists': return true;
    case 'Equal': case '': return (t.value ?? '') === (taint.value ?? '');
    default: return false;
  }
}

export function tolerationsTolerateTaint(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** The first taint (among those `include` keeps) that no toleration tolerates. */
export function findUntoleratedTaint(taints: Taint[] | undefined, tolerations: Toleration[] | undefined, include: (t: Taint) => boolean): Taint | undefined {
  for (const taint of taints ?? []) {
    if (!include(taint)) continue;
    if (!tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}
