// The arithmetic of a PodDisruptionBudget's status, as pure functions of its spec, the pods its
// selector picks, the scale of their controllers and the time: what the disruption controller
// writes and what the eviction subresource later reads.
import type { Condition } from 'kubernetes-types/meta/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { isPodReady } from '../../client/service-pods.js';

/** How long an eviction's entry in `status.disruptedPods` waits for its pod's deletion (Kubernetes: 2 minutes). */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

export const DISRUPTION_ALLOWED_CONDITION = 'DisruptionAllowed';
export const SUFFICIENT_PODS_REASON = 'SufficientPods';
export const INSUFFICIENT_PODS_REASON = 'InsufficientPods';
export const SYNC_FAILED_REASON = 'SyncFailed';

/**
 * An int as given, or a percentage of `total` rounded up or down (intstr's
 * GetScaledValueFromIntOrPercent). Strings that are not `<digits>%` throw.
 */
export function scaledValue(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  if (!value.endsWith('%')) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const digits = value.slice(0, -1);
  if (!/^[+-]?\d+$/.test(digits)) throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(value)}`);
  const exact = (Number(digits) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * Whether the budget counts expected pods by its pods' controllers' scale: maxUnavailable, or
 * minAvailable as a percentage. An integer minAvailable counts the matching pods instead.
 */
export function needsControllerScale(spec: PodDisruptionBudgetSpec | undefined): boolean {
  if (spec?.maxUnavailable !== undefined && spec.maxUnavailable !== null) return true;
  return typeof spec?.minAvailable === 'string';
}

export interface ExpectedCounts {
  expectedPods: number;
  desiredHealthy: number;
}

/**
 * expectedPods and desiredHealthy. `scale` is the summed scale of the pods' controllers (only read
 * when `needsControllerScale`); `podCount` the pods the selector matches. Percentages round up.
 */
export function expectedCounts(spec: PodDisruptionBudgetSpec | undefined, podCount: number, scale: number): ExpectedCounts {
  const maxUnavailable = spec?.maxUnavailable;
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    const unavailable = scaledValue(maxUnavailable, scale, true);
    return { expectedPods: scale, desiredHealthy: Math.max(0, scale - unavailable) };
  }
  const minAvailable = spec?.minAvailable;
  if (typeof minAvailable === 'number') return { expectedPods: podCount, desiredHealthy: minAvailable };
  if (typeof minAvailable === 'string') return { expectedPods: scale, desiredHealthy: scaledValue(minAvailable, scale, true) };
  return { expectedPods: 0, desiredHealthy: 0 };
}

export interface DisruptedPods {
  /** Entries still waiting for their pod's deletion. */
  kept: Record<string, string>;
  /** Pods that outlived their entry without being deleted. */
  expired: string[];
  /** When the earliest kept entry expires (ms since epoch), if any. */
  recheckAt?: number;
}

/**
 * The disruptedPods map to write: entries of pods that exist, are not yet being deleted and were
 * evicted less than DELETION_TIMEOUT_MS ago. Entries of deleted or terminating pods leave.
 */
export function disruptedPodMap(pods: Pod[], previous: Record<string, string> | undefined, now: number): DisruptedPods {
  const result: DisruptedPods = { kept: {}, expired: [] };
  if (!previous) return result;
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp) continue;
    const at = previous[name];
    if (at === undefined) continue;
    const expectedDeletion = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (expectedDeletion < now) {
      result.expired.push(name);
      continue;
    }
    result.kept[name] = at;
    if (result.recheckAt === undefined || expectedDeletion < result.recheckAt) result.recheckAt = expectedDeletion;
  }
  return result;
}

/** Ready pods that are neither being deleted nor recently evicted. */
export function countHealthy(pods: Pod[], disrupted: Record<string, string>, now: number): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const at = disrupted[pod.metadata?.name ?? ''];
    if (at !== undefined && Date.parse(at) + DELETION_TIMEOUT_MS > now) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

/** metav1 SetStatusCondition: the transition time moves only when the status changes. */
export function setCondition(conditions: Condition[] | undefined, next: Omit<Condition, 'lastTransitionTime'>, now: number): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const stamp = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (i < 0) {
    list.push({ ...next, lastTransitionTime: stamp });
    return list;
  }
  const prev = list[i]!;
  list[i] = { ...next, lastTransitionTime: prev.status === next.status ? prev.lastTransitionTime : stamp };
  return list;
}

export interface ObservedCounts extends ExpectedCounts {
  currentHealthy: number;
  disruptedPods: Record<string, string>;
}

/** Never negative, and zero while no pods are expected (a budget seen before its pods is safe). */
export function disruptionsAllowed(c: Pick<ObservedCounts, 'currentHealthy' | 'desiredHealthy' | 'expectedPods'>): number {
  const allowed = c.currentHealthy - c.desiredHealthy;
  return c.expectedPods <= 0 || allowed <= 0 ? 0 : allowed;
}

function conditionUpToDate(pdb: PodDisruptionBudget, allowed: number): boolean {
  const cond = pdb.status?.conditions?.find((c) => c.type === DISRUPTION_ALLOWED_CONDITION);
  if (!cond || pdb.status?.observedGeneration !== pdb.metadata?.generation) return false;
  return allowed > 0
    ? cond.status === 'True' && cond.reason === SUFFICIENT_PODS_REASON
    : cond.status === 'False' && cond.reason === INSUFFICIENT_PODS_REASON;
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ak = Object.keys(a ?? {});
  return ak.length === Object.keys(b).length && ak.every((k) => b[k] !== undefined && Date.parse(b[k]) === Date.parse(a![k]!));
}

/** The status to write for these counts, or undefined when the current one already says it. */
export function nextStatus(pdb: PodDisruptionBudget, c: ObservedCounts, now: number): PodDisruptionBudgetStatus | undefined {
  const allowed = disruptionsAllowed(c);
  const s = pdb.status;
  if (s
    && s.currentHealthy === c.currentHealthy
    && s.desiredHealthy === c.desiredHealthy
    && s.expectedPods === c.expectedPods
    && s.disruptionsAllowed === allowed
    && sameMap(s.disruptedPods, c.disruptedPods)
    && conditionUpToDate(pdb, allowed)) return undefined;
  const observedGeneration = pdb.metadata?.generation;
  const status: PodDisruptionBudgetStatus = {
    currentHealthy: c.currentHealthy,
    desiredHealthy: c.desiredHealthy,
    expectedPods: c.expectedPods,
    disruptionsAllowed: allowed,
    ...(Object.keys(c.disruptedPods).length ? { disruptedPods: c.disruptedPods } : {}),
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
  status.conditions = setCondition(s?.conditions, {
    type: DISRUPTION_ALLOWED_CONDITION,
    status: allowed > 0 ? 'True' : 'False',
    reason: allowed > 0 ? SUFFICIENT_PODS_REASON : INSUFFICIENT_PODS_REASON,
    message: '',
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  }, now);
  return status;
}

/** What a failed sync leaves: no disruptions allowed, and the reason in the condition. */
export function failSafeStatus(pdb: PodDisruptionBudget, message: string, now: number): PodDisruptionBudgetStatus {
  const s = pdb.status ?? { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: 0 };
  const observedGeneration = s.observedGeneration;
  return {
    ...s,
    disruptionsAllowed: 0,
    conditions: setCondition(s.conditions, {
      type: DISRUPTION_ALLOWED_CONDITION, status: 'False', reason: SYNC_FAILED_REASON, message,
      ...(observedGeneration !== undefined ? { observedGeneration } : {}),
    }, now),
  };
}
