// How long a container gets between SIGTERM and SIGKILL when the kubelet stops it: a pod being
// deleted gets the deletion's grace; a container killed for failing its liveness or startup probe
// gets that probe's terminationGracePeriodSeconds when it has one; otherwise the pod's
// terminationGracePeriodSeconds (30 s when unset).
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { KillReason } from './restart.js';

export const DEFAULT_GRACE_SECONDS = 30;

/** The deletion's grace when the pod is being deleted, else terminationGracePeriodSeconds. */
export function podGracePeriod(pod: Pod): number {
  const m = pod.metadata;
  if (m?.deletionTimestamp && m.deletionGracePeriodSeconds !== undefined) return m.deletionGracePeriodSeconds;
  return pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
}

/** The grace for killing `container` of `pod` for `reason`. */
export function killGracePeriod(pod: Pod, container: Container | undefined, reason: KillReason): number {
  const m = pod.metadata;
  if (m?.deletionTimestamp && m.deletionGracePeriodSeconds !== undefined) return m.deletionGracePeriodSeconds;
  const probe = reason === 'LivenessProbe' ? container?.livenessProbe : reason === 'StartupProbe' ? container?.startupProbe : undefined;
  const probeGrace = probe?.terminationGracePeriodSeconds;
  if (probeGrace !== undefined && probeGrace !== null) return probeGrace;
  return podGracePeriod(pod);
}
