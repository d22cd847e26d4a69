// The pod conditions the kubelet owns — PodReadyToStartContainers, Initialized, Ready (with
// readiness gates) and ContainersReady — computed from container statuses and the phase, worded
// as the kubelet words them. PodScheduled is True on a node; other conditions are kept as found.
import type { ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { isRestartableInitContainer } from './restart.js';

export const KUBELET_CONDITIONS = ['PodScheduled', 'PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady'];

type Cond = Pick<PodCondition, 'type' | 'status' | 'reason' | 'message'>;

const byName = (statuses: readonly ContainerStatus[], name: string) => statuses.find((s) => s.name === name);
/** Go's `%s` of a string slice. */
const list = (names: string[]) => `[${names.join(' ')}]`;

/** Whether any regular container ran at some point (so initialization once finished). */
export function hasAnyRegularContainerStarted(pod: Pod, statuses: readonly ContainerStatus[]): boolean {
  const names = new Set((pod.spec?.containers ?? []).map((c) => c.name));
  return statuses.some((s) => names.has(s.name) && Boolean(s.state?.running || s.state?.terminated));
}

export function initializedCondition(pod: Pod, statuses: readonly ContainerStatus[], phase: string): Cond {
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length === 0) return { type: 'Initialized', status: 'True' };
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of inits) {
    const s = byName(statuses, c.name);
    if (!s) {
      unknown.push(c.name);
    } else if (isRestartableInitContainer(c)) {
      if (!s.started) incomplete.push(c.name);
    } else if (!s.state?.terminated || s.state.terminated.exitCode !== 0) {
      incomplete.push(c.name);
    }
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  if (hasAnyRegularContainerStarted(pod, statuses)) return { type: 'Initialized', status: 'True' };
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${list(unknown)}`);
  if (incomplete.length) msgs.push(`containers with incomplete status: ${list(incomplete)}`);
  if (msgs.length) return { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: msgs.join(', ') };
  return { type: 'Initialized', status: 'True' };
}

export function containersReadyCondition(pod: Pod, statuses: readonly ContainerStatus[], phase: string): Cond {
  const unknown: string[] = [];
  const unready: string[] = [];
  const watched = [...(pod.spec?.initContainers ?? []).filter(isRestartableInitContainer), ...(pod.spec?.containers ?? [])];
  for (const c of watched) {
    const s = byName(statuses, c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${list(unknown)}`);
  if (unready.length) msgs.push(`containers with unready status: ${list(unready)}`);
  if (msgs.length) return { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: msgs.join(', ') };
  return { type: 'ContainersReady', status: 'True' };
}

/** Ready follows ContainersReady, then every readiness gate's condition must be True. */
export function readyCondition(pod: Pod, conditions: readonly PodCondition[], statuses: readonly ContainerStatus[], phase: string): Cond {
  const cr = containersReadyCondition(pod, statuses, phase);
  if (cr.status !== 'True') return { ...cr, type: 'Ready' };
  const msgs: string[] = [];
  for (const gate of pod.spec?.readinessGates ?? []) {
    const c = conditions.find((x) => x.type === gate.conditionType);
    if (!c) msgs.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    else if (c.status !== 'True') msgs.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`);
  }
  if (msgs.length) return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: msgs.join(', ') };
  return { type: 'Ready', status: 'True' };
}

export function readyToStartContainersCondition(sandboxReady: boolean): Cond {
  return { type: 'PodReadyToStartContainers', status: sandboxReady ? 'True' : 'False' };
}

/**
 * The full condition list: conditions others own first (as found), then the kubelet's. A condition
 * keeps its lastTransitionTime while its status does not change.
 */
export function podConditions(
  pod: Pod, generated: Cond[], nowISO: string,
): PodCondition[] {
  const old = pod.status?.conditions ?? [];
  const kept = old.filter((c) => !KUBELET_CONDITIONS.includes(c.type));
  const all: Cond[] = [...generated, { type: 'PodScheduled', status: 'True' }];
  const stamped = all.map((c): PodCondition => {
    const prev = old.find((o) => o.type === c.type);
    const since = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : nowISO;
    const out: PodCondition = { type: c.type, status: c.status, lastTransitionTime: since };
    if (c.reason) out.reason = c.reason;
    if (c.message) out.message = c.message;
    return out;
  });
  return [...kept, ...stamped];
}
