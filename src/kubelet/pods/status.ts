// The pod status a kubelet reports, from the pod (its spec and the status last written) and the
// runtime's view of it: container statuses with state, lastState, restart count, image and
// readiness, the phase as the kubelet's getPhase decides it, conditions, addresses, start time and
// QoS class. The result is a whole `status`, so a status manager can compare it with the old one
// and patch what differs.
import type { Container, ContainerState, ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { formatTime } from '../../apimachinery/duration.js';
import { podQOSClass } from '../../api/resources/core/pod.js';
import { containerIDString, type PodRuntimeState, type RuntimeContainer } from './runtime-state.js';
import { isRestartableInitContainer, shouldContainerBeRestarted } from './restart.js';
import {
  hasAnyRegularContainerStarted, initializedCondition, podConditions, readyCondition, readyToStartContainersCondition, containersReadyCondition,
} from './conditions.js';

export const CONTAINER_CREATING = 'ContainerCreating';
export const POD_INITIALIZING = 'PodInitializing';
export const CONTAINER_STATUS_UNKNOWN = 'ContainerStatusUnknown';

/** Why the last sync could not start a container: ErrImagePull, CrashLoopBackOff, CreateContainerConfigError, … */
export interface SyncFailure { reason: string; message: string }

/** Probe results by runtime container id; undefined while a probe has not run. */
export interface ProbeStatus {
  startup(containerId: string): 'success' | 'failure' | undefined;
  readiness(containerId: string): 'success' | 'failure' | undefined;
}

export interface PodStatusInput {
  pod: Pod;
  state: PodRuntimeState;
  now: number;
  hostIPs: string[];
  /** By container name, from the latest sync. */
  syncFailures?: ReadonlyMap<string, SyncFailure>;
  probes?: ProbeStatus;
  /** The pod is done for good (deleted or finished): its containers will not be restarted. */
  podIsTerminal?: boolean;
}

const NO_PROBES: ProbeStatus = { startup: () => undefined, readiness: () => undefined };

function runtimeToAPI(rc: RuntimeContainer, spec: Container): ContainerStatus {
  const cid = containerIDString(rc.id);
  let state: ContainerState;
  if (rc.state === 'running') {
    state = { running: { startedAt: formatTime(rc.startedAt || rc.createdAt) } };
  } else if (rc.state === 'exited') {
    const t: NonNullable<ContainerState['terminated']> = {
      exitCode: rc.exitCode,
      reason: rc.reason || (rc.exitCode === 0 ? 'Completed' : 'Error'),
      startedAt: rc.startedAt ? formatTime(rc.startedAt) : undefined,
      finishedAt: rc.finishedAt ? formatTime(rc.finishedAt) : undefined,
      containerID: cid,
    };
    if (rc.message) t.message = rc.message;
    state = { terminated: t };
  } else {
    state = { waiting: {} };
  }
  return {
    name: rc.name, state, lastState: {}, ready: false, restartCount: rc.restartCount,
    image: rc.image || spec.image || '', imageID: rc.imageRef, containerID: cid,
  };
}

function containerStatuses(input: PodStatusInput, containers: Container[], old: ContainerStatus[], init: boolean): ContainerStatus[] {
  const { pod, state } = input;
  const hasInits = (pod.spec?.initContainers ?? []).length > 0;
  const defaultReason = hasInits ? POD_INITIALIZING : CONTAINER_CREATING;
  const statuses = new Map<string, ContainerStatus>();
  for (const c of containers) {
    const prev = old.find((s) => s.name === c.name);
    let s: ContainerStatus = { name: c.name, image: c.image ?? '', imageID: '', state: { waiting: { reason: defaultReason } }, lastState: {}, ready: false, restartCount: 0 };
    if (prev?.state?.terminated) s = structuredClone(prev);
    else if (prev) s = { ...s, restartCount: prev.restartCount, lastState: structuredClone(prev.lastState ?? {}) };
    statuses.set(c.name, s);
  }
  // A container that was running and has vanished from the runtime did terminate, even though
  // nobody saw how; saying so keeps the pod from looking Pending again.
  for (const c of containers) {
    if (state.containers.some((r) => r.name === c.name)) continue;
    const prev = old.find((s) => s.name === c.name);
    if (!prev?.state?.running) continue;
    const s = statuses.get(c.name)!;
    if (s.state?.waiting?.reason !== defaultReason || s.lastState?.terminated) continue;
    s.lastState = { terminated: { exitCode: 137, reason: CONTAINER_STATUS_UNKNOWN, message: 'The container could not be located when the pod was deleted.  The container used to be Running' } };
    if (!pod.metadata?.deletionTimestamp) s.restartCount += 1;
  }
  // The newest instance is the state, the one before it the last state.
  const seen = new Map<string, number>();
  for (const rc of state.containers) {
    const spec = containers.find((c) => c.name === rc.name);
    if (!spec) continue;
    const n = seen.get(rc.name) ?? 0;
    if (n >= 2) continue;
    const converted = runtimeToAPI(rc, spec);
    if (n === 0) statuses.set(rc.name, converted);
    else statuses.get(rc.name)!.lastState = converted.state;
    seen.set(rc.name, n + 1);
  }
  // Containers the last sync failed to start wait, with the failure as the reason.
  for (const c of containers) {
    const latest = state.containers.find((r) => r.name === c.name);
    if (init) {
      if (latest?.state === 'exited' && latest.exitCode === 0) continue;
    } else if (!shouldContainerBeRestarted(c, pod, state)) {
      continue;
    }
    const failure = input.syncFailures?.get(c.name);
    if (!failure) continue;
    const s = statuses.get(c.name)!;
    if (s.state?.terminated) s.lastState = s.state;
    s.state = { waiting: { reason: failure.reason, message: failure.message } };
  }
  applyProbes(input, containers, statuses, init);
  const out = containers.map((c) => statuses.get(c.name)!);
  // Regular containers are listed by name, init containers in spec order.
  return init ? out : out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** started and ready as the probe manager sets them. */
function applyProbes(input: PodStatusInput, containers: Container[], statuses: Map<string, ContainerStatus>, init: boolean): void {
  const probes = input.probes ?? NO_PROBES;
  const idOf = (s: ContainerStatus) => (s.containerID ?? '').replace(/^[a-z]+:\/\//, '');
  for (const c of containers) {
    const s = statuses.get(c.name)!;
    const running = Boolean(s.state?.running);
    const startup = running ? probes.startup(idOf(s)) : undefined;
    s.started = running && (startup !== undefined ? startup === 'success' : !c.startupProbe);
    if (init && !isRestartableInitContainer(c)) {
      s.ready = Boolean(s.state?.terminated && s.state.terminated.exitCode === 0);
      continue;
    }
    if (!s.started) {
      s.ready = false;
      continue;
    }
    const readiness = probes.readiness(idOf(s));
    s.ready = readiness !== undefined ? readiness === 'success' : !c.readinessProbe;
  }
}

/** The kubelet's getPhase over all container statuses. */
export function podPhase(pod: Pod, statuses: readonly ContainerStatus[], podIsTerminal: boolean): string {
  const spec = pod.spec ?? { containers: [] };
  const get = (name: string) => statuses.find((s) => s.name === name);
  let pendingInit = 0;
  let failedInit = 0;
  let unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const c of spec.initContainers ?? []) {
    const s = get(c.name);
    if (isRestartableInitContainer(c)) {
      if (!s) { unknown++; continue; }
      if (s.state?.running) {
        if (!s.started) pendingInit++;
        running++;
      } else if (s.state?.terminated) {
        // a stopped sidecar does not decide the phase
      } else if (s.state?.waiting) {
        if (!s.lastState?.terminated) { pendingInit++; waiting++; }
      } else { pendingInit++; unknown++; }
      continue;
    }
    if (!s) { pendingInit++; continue; }
    if (s.state?.running) pendingInit++;
    else if (s.state?.terminated) { if (s.state.terminated.exitCode !== 0) failedInit++; }
    else if (s.state?.waiting) {
      if (s.lastState?.terminated) { if (s.lastState.terminated.exitCode !== 0) failedInit++; } else pendingInit++;
    } else pendingInit++;
  }
  for (const c of spec.containers) {
    const s = get(c.name);
    if (!s) { unknown++; continue; }
    if (s.state?.running) running++;
    else if (s.state?.terminated) { stopped++; if (s.state.terminated.exitCode === 0) succeeded++; }
    else if (s.state?.waiting) { if (s.lastState?.terminated) stopped++; else waiting++; }
    else unknown++;
  }
  const policy = spec.restartPolicy ?? 'Always';
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if ((pendingInit > 0 && !hasAnyRegularContainerStarted(pod, statuses)) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

export function computePodStatus(input: PodStatusInput): PodStatus {
  const { pod, state, now } = input;
  const old = pod.status ?? {};
  const spec = pod.spec ?? { containers: [] };
  const initStatuses = containerStatuses(input, spec.initContainers ?? [], old.initContainerStatuses ?? [], true);
  const regular = containerStatuses(input, spec.containers, old.containerStatuses ?? [], false);
  const all = [...regular, ...initStatuses];
  let phase = podPhase(pod, all, input.podIsTerminal ?? false);
  // Terminal phases are final.
  if (old.phase === 'Succeeded' || old.phase === 'Failed') phase = old.phase;

  const sandbox = state.sandboxes[0];
  let podIPs = sandbox?.ready ? sandbox.ips : [];
  if (spec.hostNetwork) podIPs = input.hostIPs;
  if (podIPs.length === 0) podIPs = (old.podIPs ?? []).map((p) => p.ip ?? '').filter(Boolean);
  const sandboxReady = Boolean(sandbox?.ready) && (spec.hostNetwork || sandbox.ips.length > 0);

  const nowISO = formatTime(now);
  const oldConditions = old.conditions ?? [];
  const conditions = podConditions(pod, [
    readyToStartContainersCondition(sandboxReady),
    initializedCondition(pod, all, phase),
    readyCondition(pod, oldConditions, all, phase),
    containersReadyCondition(pod, all, phase),
  ], nowISO);

  const status: PodStatus = {
    phase,
    conditions,
    hostIP: input.hostIPs[0],
    hostIPs: input.hostIPs.map((ip) => ({ ip })),
    startTime: old.startTime ?? nowISO,
    containerStatuses: regular,
    qosClass: old.qosClass ?? podQOSClass(spec),
  };
  if (podIPs.length) {
    status.podIP = podIPs[0];
    status.podIPs = podIPs.map((ip) => ({ ip }));
  }
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  // Fields other writers set (e.g. nominatedNodeName, a reason for an eviction) stay.
  for (const k of ['nominatedNodeName', 'reason', 'message', 'resize', 'ephemeralContainerStatuses'] as const) {
    if (old[k] !== undefined) (status as Record<string, unknown>)[k] = old[k];
  }
  return status;
}
