// A pod marked DisruptionTarget=True (say by an eviction) that is still not terminating a while
// later was not disrupted after all: the disruption controller resets the condition to False.
import type { Pod } from 'kubernetes-types/core/v1.js';

/** How long a DisruptionTarget condition may wait for its pod's deletion (Kubernetes: 2 minutes). */
export const STALE_POD_DISRUPTION_TIMEOUT_MS = 2 * 60 * 1000;

export const DISRUPTION_TARGET = 'DisruptionTarget';
/** Set by the kubelet, whose terminations can take arbitrarily long to start: never stale. */
export const TERMINATION_BY_KUBELET = 'TerminationByKubelet';

/**
 * Milliseconds until the pod's DisruptionTarget condition counts as stale (0: it is), or
 * undefined when it has none that can go stale: terminating and finished pods keep theirs.
 */
export function staleDisruptionWait(pod: Pod, now: number, timeoutMs = STALE_POD_DISRUPTION_TIMEOUT_MS): number | undefined {
  if (pod.metadata?.deletionTimestamp) return undefined;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return undefined;
  const cond = pod.status?.conditions?.find((c) => c.type === DISRUPTION_TARGET);
  if (!cond || cond.status !== 'True' || cond.reason === TERMINATION_BY_KUBELET) return undefined;
  const since = cond.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : NaN;
  if (Number.isNaN(since)) return 0;
  return Math.max(0, timeoutMs - (now - since));
}

/** The pod with its DisruptionTarget condition reset to False, as of `now`. */
export function withDisruptionCleared<P extends Pod>(pod: P, now: number): P {
  const stamp = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const conditions = (pod.status?.conditions ?? []).map((c) =>
    c.type === DISRUPTION_TARGET ? { type: DISRUPTION_TARGET, status: 'False', lastTransitionTime: stamp } : c);
  return { ...pod, status: { ...pod.status, conditions } };
}
