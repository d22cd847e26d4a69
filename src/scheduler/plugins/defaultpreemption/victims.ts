// The fewest lower-priority pods to evict from one node so the preemptor fits there, found as
// kube-scheduler does: take every lower-priority pod off a copy of the node, check the preemptor
// fits, then put pods back from the most important down (budget-violating ones first) and keep
// back each one the preemptor still fits beside.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { parseTime } from '../../../apimachinery/duration.js';
import type { PluginsRunner } from '../../framework/interface.js';
import type { MutableNodeInfo } from '../../framework/nodeinfo.js';
import { Code, Status } from '../../framework/status.js';
import type { CycleState } from '../../framework/types.js';
import { filterPodsWithPDBViolation } from './pdb.js';

export const ERR_NO_VICTIMS = 'No preemption victims found for incoming pod';

export function podPriority(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

/** status.startTime in ms; pods that have not started count as starting now. */
export function podStartTime(pod: Pod, now: number): number {
  const t = pod.status?.startTime;
  if (!t) return now;
  try { return parseTime(t); } catch { return now; }
}

/** Higher priority first; equal priority: the longer-running (earlier started) first. */
export function moreImportantPod(a: Pod, b: Pod, now: number): boolean {
  const pa = podPriority(a);
  const pb = podPriority(b);
  if (pa !== pb) return pa > pb;
  return podStartTime(a, now) < podStartTime(b, now);
}

export function byImportance(now: number): (a: Pod, b: Pod) => number {
  return (a, b) => (moreImportantPod(a, b, now) ? -1 : moreImportantPod(b, a, now) ? 1 : 0);
}

export interface NodeVictims {
  /** The pods to evict, most important first. */
  pods: Pod[];
  /** How many of them break a PodDisruptionBudget. */
  numPDBViolations: number;
}

/**
 * Victims on `node` (a copy this function edits, with `state` a copy of the cycle's state).
 * Not Success when the node cannot help: no lower-priority pods (UnschedulableAndUnresolvable),
 * or the preemptor does not fit even without them (the filter's status).
 */
export function selectVictimsOnNode(
  runner: PluginsRunner, state: CycleState, pod: Pod, node: MutableNodeInfo, pdbs: PodDisruptionBudget[], now: number,
): { victims?: NodeVictims; status: Status } {
  const prio = podPriority(pod);
  const potential = node.pods.filter((p) => podPriority(p) < prio);
  if (potential.length === 0) return { status: Status.unresolvable(ERR_NO_VICTIMS) };
  for (const p of potential) {
    node.removePod(p);
    const s = runner.runPreFilterExtensionRemovePod(state, pod, p, node);
    if (!s.isSuccess()) return { status: asError(s) };
  }
  const fits = runner.runFilterPluginsWithNominatedPods(state, pod, node);
  if (!fits.isSuccess()) return { status: fits };

  potential.sort(byImportance(now));
  const { violating, nonViolating } = filterPodsWithPDBViolation(potential, pdbs);
  const victims: Pod[] = [];
  let numPDBViolations = 0;
  // Puts the pod back; if the preemptor then no longer fits, takes it off again as a victim.
  const reprieve = (p: Pod): { kept: boolean; error?: Status } => {
    node.addPod(p);
    let s = runner.runPreFilterExtensionAddPod(state, pod, p, node);
    if (!s.isSuccess()) return { kept: false, error: asError(s) };
    if (runner.runFilterPluginsWithNominatedPods(state, pod, node).isSuccess()) return { kept: true };
    node.removePod(p);
    s = runner.runPreFilterExtensionRemovePod(state, pod, p, node);
    if (!s.isSuccess()) return { kept: false, error: asError(s) };
    victims.push(p);
    return { kept: false };
  };
  for (const p of violating) {
    const r = reprieve(p);
    if (r.error) return { status: r.error };
    if (!r.kept) numPDBViolations++;
  }
  for (const p of nonViolating) {
    const r = reprieve(p);
    if (r.error) return { status: r.error };
  }
  if (violating.length > 0 && nonViolating.length > 0) victims.sort(byImportance(now));
  return { victims: { pods: victims, numPDBViolations }, status: Status.success() };
}

function asError(s: Status): Status {
  return s.code === Code.Error ? s : new Status(Code.Error, s.reasons);
}
