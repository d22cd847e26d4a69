// What a pod sync must do, given the pod and what the runtime holds (the kubelet's
// computePodActions): whether to (re)create the sandbox and kill everything, which init containers
// to start next — in order, with restartable (sidecar) init containers kept running — and which
// containers to start or kill per restartPolicy, probe results and spec changes.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { containerHash } from './labels.js';
import { latestContainer, type PodRuntimeState, type RuntimeContainer } from './runtime-state.js';

export type ProbeResult = 'success' | 'failure';

/** Probe results by runtime container id; undefined while a probe has not run yet. */
export interface ProbeResults {
  liveness(containerId: string): ProbeResult | undefined;
  startup(containerId: string): ProbeResult | undefined;
}

export const NO_PROBES: ProbeResults = { liveness: () => undefined, startup: () => undefined };

export type KillReason = 'LivenessProbe' | 'StartupProbe' | 'Unknown' | '';

export interface ContainerToKill {
  id: string;
  name: string;
  message: string;
  reason: KillReason;
}

export interface PodActions {
  /** Stop every container and the sandbox. */
  killPod: boolean;
  createSandbox: boolean;
  /** The current sandbox, when one is kept (or the one being replaced). */
  sandboxId: string;
  /** The attempt number for a new sandbox. */
  attempt: number;
  /** Indexes into spec.initContainers, in spec order. */
  initContainersToStart: number[];
  /** Indexes into spec.containers. */
  containersToStart: number[];
  containersToKill: ContainerToKill[];
}

export function isRestartableInitContainer(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

const restartOnFailure = (pod: Pod): boolean => (pod.spec?.restartPolicy ?? 'Always') !== 'Never';

/** Whether the sandbox must be (re)created: none, several ready, not ready, wrong network mode, or no IP. */
export function sandboxChanged(pod: Pod, state: PodRuntimeState): { changed: boolean; attempt: number; sandboxId: string } {
  const latest = state.sandboxes[0];
  if (!latest) return { changed: true, attempt: 0, sandboxId: '' };
  const ready = state.sandboxes.filter((s) => s.ready).length;
  const next = { changed: true, attempt: latest.attempt + 1, sandboxId: latest.id };
  if (ready > 1 || !latest.ready) return next;
  const hostNetwork = Boolean(pod.spec?.hostNetwork);
  if (latest.network !== (hostNetwork ? 'NODE' : 'POD')) return { ...next, sandboxId: '' };
  if (!hostNetwork && latest.ips.length === 0) return next;
  return { changed: false, attempt: latest.attempt, sandboxId: latest.id };
}

/** The kubelet's rule for a container that is not running. */
export function shouldContainerBeRestarted(c: Container, pod: Pod, state: PodRuntimeState): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  const s = latestContainer(state, c.name);
  if (!s) return true;
  if (s.state === 'running') return false;
  if (s.state === 'unknown' || s.state === 'created') return true;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && s.exitCode === 0) return false;
  return true;
}

const changed = (c: Container, s: RuntimeContainer): boolean => s.hash !== '' && s.hash !== containerHash(c);
const initFailed = (s: RuntimeContainer): boolean => (s.state === 'exited' && s.exitCode !== 0) || s.state === 'unknown';

function hasAnyRegularContainerCreated(pod: Pod, state: PodRuntimeState): boolean {
  return (pod.spec?.containers ?? []).some((c) => {
    const s = latestContainer(state, c.name);
    return s !== undefined && s.state !== 'unknown';
  });
}

export function computePodActions(pod: Pod, state: PodRuntimeState, probes: ProbeResults = NO_PROBES): PodActions {
  const spec = pod.spec ?? { containers: [] };
  const sb = sandboxChanged(pod, state);
  const actions: PodActions = {
    killPod: sb.changed, createSandbox: sb.changed, sandboxId: sb.sandboxId, attempt: sb.attempt,
    initContainersToStart: [], containersToStart: [], containersToKill: [],
  };

  if (sb.changed) {
    if (!restartOnFailure(pod) && sb.attempt !== 0 && state.containers.length > 0) {
      // Everything ran and nothing may run again: just make sure the pod is stopped.
      actions.createSandbox = false;
      return actions;
    }
    const toStart: number[] = [];
    spec.containers.forEach((c, i) => {
      const s = latestContainer(state, c.name);
      if (spec.restartPolicy === 'OnFailure' && s?.state === 'exited' && s.exitCode === 0) return;
      toStart.push(i);
    });
    if (toStart.length === 0 && hasAnyRegularContainerCreated(pod, state)) {
      actions.createSandbox = false;
      return actions;
    }
    if ((spec.initContainers ?? []).length > 0) actions.initContainersToStart = [0];
    else actions.containersToStart = toStart;
    return actions;
  }

  const initialized = computeInitContainerActions(pod, state, probes, actions);
  if (actions.killPod || !initialized) return actions;

  let keep = 0;
  spec.containers.forEach((c, i) => {
    const s = latestContainer(state, c.name);
    if (!s || s.state !== 'running') {
      if (shouldContainerBeRestarted(c, pod, state)) {
        actions.containersToStart.push(i);
        if (s?.state === 'unknown') {
          actions.containersToKill.push({ id: s.id, name: c.name, message: `Container is in "unknown" state, try killing it before restart`, reason: 'Unknown' });
        }
      }
      return;
    }
    let message: string;
    let reason: KillReason = '';
    let restart = restartOnFailure(pod);
    if (changed(c, s)) {
      message = `Container ${c.name} definition changed`;
      restart = true;
    } else if (probes.liveness(s.id) === 'failure') {
      message = `Container ${c.name} failed liveness probe`;
      reason = 'LivenessProbe';
    } else if (probes.startup(s.id) === 'failure') {
      message = `Container ${c.name} failed startup probe`;
      reason = 'StartupProbe';
    } else {
      keep++;
      return;
    }
    if (restart) {
      message += ', will be restarted';
      actions.containersToStart.push(i);
    }
    actions.containersToKill.push({ id: s.id, name: c.name, message, reason });
  });

  if (keep === 0 && actions.containersToStart.length === 0) {
    actions.killPod = true;
    // Sidecars alone do not keep a finished pod alive.
    actions.initContainersToStart = [];
  }
  return actions;
}

/** Fills in the init container actions; true once the pod is initialized. */
function computeInitContainerActions(pod: Pod, state: PodRuntimeState, probes: ProbeResults, actions: PodActions): boolean {
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length === 0) return true;
  // A created or running regular container means initialization finished before, even when the
  // runtime no longer has the init containers.
  let initialized = (pod.spec?.containers ?? []).some((c) => {
    const s = latestContainer(state, c.name);
    return s?.state === 'created' || s?.state === 'running';
  });
  let previouslyInitialized = initialized;
  const onFailure = restartOnFailure(pod);
  const start: number[] = [];
  const kill = (s: RuntimeContainer, message: string, reason: KillReason) => actions.containersToKill.push({ id: s.id, name: s.name, message, reason });

  // From the last init container backwards: the runtime may have removed finished ones, so the
  // latest one that exists tells how far initialization got.
  for (let i = inits.length - 1; i >= 0; i--) {
    const c = inits[i];
    const sidecar = isRestartableInitContainer(c);
    const s = latestContainer(state, c.name);
    if (!s) {
      if (previouslyInitialized && sidecar) start.push(i);
      continue;
    }
    if (previouslyInitialized && !sidecar) continue;
    const done = () => {
      if (i === inits.length - 1) initialized = true;
      else if (!previouslyInitialized) start.push(i + 1);
    };
    switch (s.state) {
      case 'created':
        start.push(i);
        break;
      case 'running': {
        if (!sidecar) break;
        if (c.startupProbe) {
          const r = probes.startup(s.id);
          if (r === undefined) break;
          if (r === 'failure') {
            kill(s, `Init container ${c.name} failed startup probe`, 'StartupProbe');
            start.push(i);
            break;
          }
        }
        done();
        if (changed(c, s)) {
          kill(s, `Init container ${c.name} definition changed`, '');
          start.push(i);
          break;
        }
        if (c.livenessProbe && probes.liveness(s.id) === 'failure') {
          kill(s, `Init container ${c.name} failed liveness probe`, 'LivenessProbe');
          start.push(i);
        }
        break;
      }
      case 'exited':
        if (sidecar) {
          start.push(i);
        } else if (initFailed(s)) {
          if (!onFailure) {
            actions.killPod = true;
            actions.initContainersToStart = [];
            return false;
          }
          start.push(i);
        } else {
          done();
        }
        break;
      default:
        if (!sidecar && !onFailure) {
          actions.killPod = true;
          actions.initContainersToStart = [];
          return false;
        }
        kill(s, `Init container is in "unknown" state, try killing it before restart`, 'Unknown');
        start.push(i);
    }
    previouslyInitialized = true;
  }
  if (!previouslyInitialized) start.push(0);
  actions.initContainersToStart = start.reverse();
  return initialized;
}
