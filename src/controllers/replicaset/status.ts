// The status a replica set reports: counts over the pods it owns, observedGeneration, and the
// ReplicaFailure condition while creating or deleting pods fails.
import { selectorFromSet } from '../../apimachinery/labels.js';
import { isPodAvailable, isPodReady } from './pods.js';
import type { Condition, Pod, ReplicaOwner, ReplicaStatus } from './types.js';

/** RFC 3339 with whole seconds, as Kubernetes writes metav1.Time. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function calculateStatus(owner: ReplicaOwner, pods: Pod[], manageError: unknown, diff: number, now: number): ReplicaStatus {
  const templateLabels = selectorFromSet(owner.spec?.template?.metadata?.labels ?? {});
  const minReady = owner.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (templateLabels.matches(pod.metadata?.labels ?? {})) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
  }
  const conditions: Condition[] = (owner.status?.conditions ?? []).map((c) => ({ ...c }));
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  let next = conditions;
  if (manageError && !failure) {
    next = [...conditions, {
      type: 'ReplicaFailure', status: 'True',
      reason: diff < 0 ? 'FailedCreate' : 'FailedDelete',
      message: manageError instanceof Error ? manageError.message : String(manageError),
      lastTransitionTime: formatTime(now),
    }];
  } else if (!manageError && failure) {
    next = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: ReplicaStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: owner.status?.observedGeneration,
  };
  if (next.length > 0) status.conditions = next;
  return status;
}

export function statusUnchanged(owner: ReplicaOwner, s: ReplicaStatus): boolean {
  const cur = owner.status ?? {};
  return (cur.replicas ?? 0) === s.replicas
    && (cur.fullyLabeledReplicas ?? 0) === s.fullyLabeledReplicas
    && (cur.readyReplicas ?? 0) === s.readyReplicas
    && (cur.availableReplicas ?? 0) === s.availableReplicas
    && (cur.observedGeneration ?? 0) === (owner.metadata?.generation ?? 0)
    && JSON.stringify(cur.conditions ?? []) === JSON.stringify(s.conditions ?? []);
}
