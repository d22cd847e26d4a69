// Which taints a node's conditions call for, and when a NoExecute taint evicts a pod: pure functions.
import type { Node, NodeCondition, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { toleratesTaint } from '../../api/tolerations.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** NoSchedule taints by condition: the condition type, the status that calls for it, the taint key. */
const conditionTaints: [string, string, string][] = [
  ['Ready', 'False', TAINT_NOT_READY],
  ['Ready', 'Unknown', TAINT_UNREACHABLE],
  ['MemoryPressure', 'True', 'node.kubernetes.io/memory-pressure'],
  ['DiskPressure', 'True', 'node.kubernetes.io/disk-pressure'],
  ['PIDPressure', 'True', 'node.kubernetes.io/pid-pressure'],
  ['NetworkUnavailable', 'True', 'node.kubernetes.io/network-unavailable'],
];

/** Taints this controller owns; any others on the node are left as they are. */
const managed = new Set<string>([
  `${TAINT_NOT_READY}:NoExecute`, `${TAINT_UNREACHABLE}:NoExecute`, `${TAINT_UNSCHEDULABLE}:NoSchedule`,
  ...conditionTaints.map(([, , key]) => `${key}:NoSchedule`),
]);

const taintId = (t: Pick<Taint, 'key' | 'effect'>): string => `${t.key}:${t.effect}`;

export function condition(node: Node, type: string): NodeCondition | undefined {
  return (node.status?.conditions ?? []).find((c) => c.type === type);
}

/**
 * The node's taints as its conditions say they should be: NoSchedule ones for every adverse
 * condition (and for spec.unschedulable), and NoExecute not-ready/unreachable for a Ready
 * condition that is False/Unknown. Taints already present keep their timeAdded.
 */
export function desiredTaints(node: Node, nowIso: string): Taint[] {
  const want = new Map<string, Taint>();
  const conds = node.status?.conditions ?? [];
  for (const [type, status, key] of conditionTaints) {
    if (conds.some((c) => c.type === type && c.status === status)) want.set(`${key}:NoSchedule`, { key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) want.set(`${TAINT_UNSCHEDULABLE}:NoSchedule`, { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  const ready = condition(node, 'Ready')?.status;
  if (ready === 'False') want.set(`${TAINT_NOT_READY}:NoExecute`, { key: TAINT_NOT_READY, effect: 'NoExecute', timeAdded: nowIso });
  if (ready === 'Unknown') want.set(`${TAINT_UNREACHABLE}:NoExecute`, { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: nowIso });

  const out: Taint[] = [];
  for (const t of node.spec?.taints ?? []) {
    const id = taintId(t);
    if (!managed.has(id)) out.push(t);
    else if (want.has(id)) {
      out.push(t);
      want.delete(id);
    }
  }
  return [...out, ...want.values()];
}

export { toleratesTaint as tolerates } from '../../api/tolerations.js';

export interface EvictionDecision {
  /** Epoch ms at which the pod is to be evicted; undefined when it tolerates every taint forever. */
  at?: number;
}

/**
 * When the node's NoExecute taints evict this pod. A taint no toleration matches evicts at once;
 * matched ones evict `tolerationSeconds` after the taint was added (the smallest wins), and
 * tolerations without tolerationSeconds tolerate forever. A pod with no toleration at all for
 * not-ready/unreachable is treated as tolerating them for `defaultSeconds`, as the
 * DefaultTolerationSeconds admission plugin would have written into it at creation.
 */
export function evictionTime(pod: Pod, taints: Taint[], defaultSeconds: number, taintStart: (t: Taint) => number): EvictionDecision {
  let at: number | undefined;
  const tolerations = pod.spec?.tolerations ?? [];
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    let matched = tolerations.filter((t) => toleratesTaint(t, taint));
    if (matched.length === 0 && (taint.key === TAINT_NOT_READY || taint.key === TAINT_UNREACHABLE)) {
      matched = [{ key: taint.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaultSeconds }];
    }
    if (matched.length === 0) return { at: -Infinity };
    const bounded = matched.map((t) => t.tolerationSeconds).filter((s): s is number => typeof s === 'number');
    if (bounded.length === 0) continue;
    const seconds = Math.max(0, Math.min(...bounded));
    const due = taintStart(taint) + seconds * 1000;
    at = at === undefined ? due : Math.min(at, due);
  }
  return { at };
}
