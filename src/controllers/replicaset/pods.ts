// Pod predicates the replica controllers share with Kubernetes: active, ready, available, and the
// order in which surplus pods are chosen for deletion.
import type { Condition, Pod } from './types.js';

export { CONTROLLER_UID_INDEX, controllerOf, controllerUidIndex, orphanIndexValue } from '../../client/owner-index.js';

/** Not terminating and not finished: the pods that count toward `replicas`. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

function readyCondition(pod: Pod): Condition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

function parseTime(t: string | undefined | null): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Ready for at least `minReadySeconds` (measured from the Ready condition's last transition). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = parseTime(readyCondition(pod)?.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

const phaseOrder: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: Pod): number {
  const v = pod.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost'];
  if (v === undefined) return 0;
  const n = Number(v);
  return Number.isInteger(n) ? n : 0;
}

function maxRestarts(pod: Pod): number {
  let max = 0;
  for (const c of pod.status?.containerStatuses ?? []) max = Math.max(max, c.restartCount ?? 0);
  return max;
}

/** Buckets durations by powers of two, so pods of similar age compare as equals. */
function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6; // nanoseconds, as Kubernetes measures
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

/** Negative when `a` should be deleted before `b`; `rank` counts related pods on the same node. */
function compareForDeletion(a: Pod, b: Pod, rankA: number, rankB: number, now: number): number {
  const nodeA = a.spec?.nodeName ?? '';
  const nodeB = b.spec?.nodeName ?? '';
  // 1. Unassigned before assigned.
  if (nodeA !== nodeB && (nodeA === '' || nodeB === '')) return nodeA === '' ? -1 : 1;
  // 2. Pending before Unknown before Running.
  const pa = phaseOrder[a.status?.phase ?? ''] ?? 0;
  const pb = phaseOrder[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa - pb;
  // 3. Not ready before ready.
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return ra ? 1 : -1;
  // 4. Lower deletion cost first.
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca - cb;
  // 5. Doubled up on a node before alone.
  if (rankA !== rankB) return rankB - rankA;
  // 6. Ready more recently first.
  if (ra && rb) {
    const ta = parseTime(readyCondition(a)?.lastTransitionTime);
    const tb = parseTime(readyCondition(b)?.lastTransitionTime);
    if (ta !== tb) {
      if (ta === undefined) return -1;
      if (tb === undefined) return 1;
      const diff = logRank(ta, now) - logRank(tb, now);
      if (diff !== 0) return diff;
      return (a.metadata?.uid ?? '') < (b.metadata?.uid ?? '') ? -1 : 1;
    }
  }
  // 7. More restarts first.
  const xa = maxRestarts(a);
  const xb = maxRestarts(b);
  if (xa !== xb) return xb - xa;
  // 8. Younger first.
  const ta = parseTime(a.metadata?.creationTimestamp);
  const tb = parseTime(b.metadata?.creationTimestamp);
  if (ta !== tb) {
    if (ta === undefined) return -1;
    if (tb === undefined) return 1;
    const diff = logRank(ta, now) - logRank(tb, now);
    if (diff !== 0) return diff;
    return (a.metadata?.uid ?? '') < (b.metadata?.uid ?? '') ? -1 : 1;
  }
  return 0;
}

/**
 * The `n` pods to delete first. `related` are the pods of the owner and its siblings (the other
 * replica sets of the same Deployment): pods sharing a node with more of them go first.
 */
export function podsToDelete(pods: Pod[], related: Pod[], n: number, now: number): Pod[] {
  const onNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node && isPodActive(p)) onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: pod.spec?.nodeName ? onNode.get(pod.spec.nodeName) ?? 0 : 0 }));
  ranked.sort((x, y) => compareForDeletion(x.pod, y.pod, x.rank, y.rank, now));
  return ranked.slice(0, n).map((r) => r.pod);
}
