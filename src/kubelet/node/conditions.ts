// The node conditions the kubelet owns: MemoryPressure, DiskPressure, PIDPressure and Ready (last,
// as the kubelet keeps it). Heartbeat times move on every report; transition times only when a
// condition's status changes.
import type { NodeCondition } from 'kubernetes-types/core/v1.js';

export interface RuntimeStatus {
  runtimeReady: boolean;
  networkReady: boolean;
  /** Why the runtime or its network is not ready (the CRI condition's message). */
  message?: string;
  /** The CRI condition's reason (e.g. NetworkPluginNotReady). */
  reason?: string;
  /** e.g. "containerd://1.6.20". */
  version?: string;
}

export const REASON_READY = 'KubeletReady';
export const MESSAGE_READY = 'kubelet is posting ready status';
export const REASON_NOT_READY = 'KubeletNotReady';
export const MESSAGE_RUNTIME_DOWN = 'container runtime is down';

const pressure: { type: string; reason: string; message: string }[] = [
  { type: 'MemoryPressure', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
];

/** The runtime's problems as the kubelet words them; empty when it is ready. `undefined` = no answer. */
export function runtimeErrors(status: RuntimeStatus | undefined): string[] {
  if (!status) return [MESSAGE_RUNTIME_DOWN];
  const errs: string[] = [];
  if (!status.runtimeReady) {
    errs.push(status.message === undefined && status.reason === undefined
      ? MESSAGE_RUNTIME_DOWN
      : `container runtime not ready: RuntimeReady=false reason:${status.reason ?? ''} message:${status.message ?? ''}`);
  }
  if (!status.networkReady) {
    errs.push(`container runtime network not ready: NetworkReady=false reason:${status.reason ?? 'NetworkPluginNotReady'} message:${status.message ?? ''}`);
  }
  return errs;
}

/** Several errors read "[a, b]", one reads as itself (Kubernetes' aggregate error). */
function aggregate(errs: string[]): string {
  return errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`;
}

/**
 * The kubelet's conditions at `nowIso`, keeping the other conditions of `existing` (set by
 * others, e.g. NetworkUnavailable) in place and the transition times of unchanged statuses.
 */
export function nodeConditions(existing: readonly NodeCondition[] | undefined, errors: string[], nowIso: string): NodeCondition[] {
  const prev = new Map((existing ?? []).map((c) => [c.type, c]));
  const make = (type: string, status: string, reason: string, message: string): NodeCondition => {
    const old = prev.get(type);
    const lastTransitionTime = old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : nowIso;
    return { type, status, reason, message, lastHeartbeatTime: nowIso, lastTransitionTime };
  };
  const ours: NodeCondition[] = pressure.map((p) => make(p.type, 'False', p.reason, p.message));
  ours.push(errors.length
    ? make('Ready', 'False', REASON_NOT_READY, aggregate(errors))
    : make('Ready', 'True', REASON_READY, MESSAGE_READY));
  const owned = new Set(ours.map((c) => c.type));
  return [...(existing ?? []).filter((c) => !owned.has(c.type)), ...ours];
}

/** Equal but for heartbeat times: a change worth reporting before the report period is up. */
export function conditionsChanged(a: readonly NodeCondition[] | undefined, b: readonly NodeCondition[] | undefined): boolean {
  // By type: the order a merge leaves them in is no change.
  const key = (cs: readonly NodeCondition[] | undefined) => JSON.stringify((cs ?? [])
    .map((c) => [c.type, c.status, c.reason, c.message, c.lastTransitionTime])
    .sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)));
  return key(a) !== key(b);
}

const transitionEvents: Record<string, string> = {
  'Ready=True': 'NodeReady',
  'Ready=False': 'NodeNotReady',
  'MemoryPressure=False': 'NodeHasSufficientMemory',
  'DiskPressure=False': 'NodeHasNoDiskPressure',
  'PIDPressure=False': 'NodeHasSufficientPID',
};

/** The event reasons the kubelet records for conditions whose status changed (or appeared). */
export function conditionEventReasons(previous: readonly NodeCondition[] | undefined, next: readonly NodeCondition[]): string[] {
  const before = new Map((previous ?? []).map((c) => [c.type, c.status]));
  const out: string[] = [];
  for (const c of next) {
    const reason = transitionEvents[`${c.type}=${c.status}`];
    if (reason && before.get(c.type) !== c.status) out.push(reason);
  }
  return out;
}
