// Job conditions and the reasons and messages Kubernetes writes with them.
import type { JobCondition, JobStatus } from 'kubernetes-types/batch/v1.js';

export const REASON_COMPLETIONS_REACHED = 'CompletionsReached';
export const MESSAGE_COMPLETIONS_REACHED = 'Reached expected number of succeeded pods';
export const REASON_BACKOFF_LIMIT_EXCEEDED = 'BackoffLimitExceeded';
export const MESSAGE_BACKOFF_LIMIT_EXCEEDED = 'Job has reached the specified backoff limit';
export const REASON_DEADLINE_EXCEEDED = 'DeadlineExceeded';
export const MESSAGE_DEADLINE_EXCEEDED = 'Job was active longer than specified deadline';

export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function findCondition(status: JobStatus | undefined, type: string): JobCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

export function conditionTrue(status: JobStatus | undefined, type: string): boolean {
  return findCondition(status, type)?.status === 'True';
}

/** A Job is finished once it has a Complete or Failed condition that is True. */
export function isFinished(status: JobStatus | undefined): boolean {
  return conditionTrue(status, 'Complete') || conditionTrue(status, 'Failed');
}

/**
 * Sets a condition, keeping lastTransitionTime when the status does not change; returns whether
 * anything changed.
 */
export function setCondition(status: JobStatus, type: string, value: 'True' | 'False', reason: string, message: string, now: number): boolean {
  const conditions = (status.conditions ??= []);
  const existing = conditions.find((c) => c.type === type);
  const t = formatTime(now);
  if (!existing) {
    conditions.push({ type, status: value, reason, message, lastProbeTime: t, lastTransitionTime: t });
    return true;
  }
  if (existing.status === value && existing.reason === reason && existing.message === message) return false;
  if (existing.status !== value) existing.lastTransitionTime = t;
  existing.status = value;
  existing.reason = reason;
  existing.message = message;
  existing.lastProbeTime = t;
  return true;
}
