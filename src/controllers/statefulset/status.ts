// What the StatefulSet controller asks of its pods, and the status it reports from them.
import { podRevision } from './identity.js';
import type { Pod, StatefulSet, StatefulSetStatus } from './types.js';

export const isCreated = (p: Pod): boolean => !!p.status?.phase;
export const isPending = (p: Pod): boolean => p.status?.phase === 'Pending';
export const isFailed = (p: Pod): boolean => p.status?.phase === 'Failed';
export const isSucceeded = (p: Pod): boolean => p.status?.phase === 'Succeeded';
export const isTerminating = (p: Pod): boolean => !!p.metadata?.deletionTimestamp;

export function isRunningAndReady(p: Pod): boolean {
  return p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function isRunningAndAvailable(p: Pod, minReadySeconds: number, now: number): boolean {
  if (!isRunningAndReady(p)) return false;
  if (minReadySeconds <= 0) return true;
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  const since = ready?.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

export function isHealthy(p: Pod): boolean {
  return isRunningAndReady(p) && !isTerminating(p);
}

export interface RevisionNames {
  current: string;
  update: string;
}

/** Counts over the set's pods (in range and condemned alike). */
export function computeStatus(set: StatefulSet, pods: Pod[], rev: RevisionNames, collisionCount: number, now: number): StatefulSetStatus {
  const minReady = set.spec?.minReadySeconds ?? 0;
  let replicas = 0, ready = 0, available = 0, current = 0, updated = 0;
  for (const p of pods) {
    if (!isCreated(p)) continue;
    replicas++;
    if (isRunningAndReady(p)) {
      ready++;
      if (isRunningAndAvailable(p, minReady, now)) available++;
    }
    if (isTerminating(p)) continue;
    if (podRevision(p) === rev.current) current++;
    if (podRevision(p) === rev.update) updated++;
  }
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata?.generation,
    replicas, readyReplicas: ready, availableReplicas: available, currentReplicas: current, updatedReplicas: updated,
    currentRevision: rev.current, updateRevision: rev.update, collisionCount,
    ...(set.status?.conditions ? { conditions: set.status.conditions } : {}),
  };
  return completeRollingUpdate(set, status);
}

/** Once every pod runs the update revision and is ready, the update revision becomes current. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): StatefulSetStatus {
  if (set.spec?.updateStrategy?.type === 'OnDelete') return status;
  if (status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    return { ...status, currentReplicas: status.updatedReplicas, currentRevision: status.updateRevision };
  }
  return status;
}
