// Pod lifecycles as data, after kwok's stages: each stage says which pods it applies to, how long
// after the pod came to match it acts, and what it does then (a status patch, or the delete that
// ends graceful deletion). The first stage that matches a pod is the one that runs.
import type { ContainerStatus, PodCondition } from 'kubernetes-types/core/v1.js';
import { formatTime, parseTime } from '../../apimachinery/duration.js';
import type { Pod } from './types.js';

/** Pod annotation: a finished-running pod's containers exit this long (ms) after they started. */
export const RUN_MS_ANNOTATION = 'kite.sim/run-ms';
/** Pod annotation: the exit code of a finite pod's containers (default 0: Succeeded; else Failed). */
export const EXIT_CODE_ANNOTATION = 'kite.sim/exit-code';
/** How long a bound pod takes to start. */
export const DEFAULT_START_MS = 100;
/** How long a Job's pod runs when it sets no run-ms annotation. */
export const DEFAULT_JOB_RUN_MS = 1000;

/** A pod status as a merge patch of `status`. */
export type PodStatusPatch = NonNullable<Pod['status']>;

/** The node a pod runs on, as a stage sees it. */
export interface StageNode {
  name: string;
  hostIP: string;
  /** A fresh address from the node's pod range. */
  allocatePodIP(): string;
}

/** A declarative selector: every field given must hold. */
export interface StageMatch {
  /** status.phase among these (a pod with no phase yet counts as Pending). */
  phases?: string[];
  /** metadata.deletionTimestamp set (true) or not (false). */
  deleting?: boolean;
  /** Annotations that must be present (any value). */
  annotations?: string[];
}

export interface Stage {
  name: string;
  selector: StageMatch | ((pod: Pod) => boolean);
  /** How long after the pod came to match the stage acts; a function may count from a time in the pod. */
  delayMs: number | ((pod: Pod, now: number) => number);
  /** The status patch to write, 'delete' to remove the pod for good, or undefined to leave it. */
  next(pod: Pod, now: number, node: StageNode): PodStatusPatch | 'delete' | undefined;
}

export function stageMatches(stage: Stage, pod: Pod): boolean {
  const s = stage.selector;
  if (typeof s === 'function') return s(pod);
  if (s.phases && !s.phases.includes(pod.status?.phase || 'Pending')) return false;
  if (s.deleting !== undefined && s.deleting !== Boolean(pod.metadata?.deletionTimestamp)) return false;
  const annotations = pod.metadata?.annotations ?? {};
  if (s.annotations && !s.annotations.every((k) => k in annotations)) return false;
  return true;
}

export function stageDelay(stage: Stage, pod: Pod, now: number): number {
  const d = typeof stage.delayMs === 'function' ? stage.delayMs(pod, now) : stage.delayMs;
  return Number.isFinite(d) ? Math.max(0, d) : 0;
}

/** The first stage that applies to `pod`. */
export function stageFor(stages: readonly Stage[], pod: Pod): Stage | undefined {
  return stages.find((s) => stageMatches(s, pod));
}

function ownedByJob(pod: Pod): boolean {
  return (pod.metadata?.ownerReferences ?? []).some((o) => o.kind === 'Job' && o.apiVersion === 'batch/v1');
}

/** A pod whose containers run to completion: not restarted on success, and told how long to run (or a Job's). */
export function isFinite(pod: Pod): boolean {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy !== 'Never' && policy !== 'OnFailure') return false;
  return RUN_MS_ANNOTATION in (pod.metadata?.annotations ?? {}) || ownedByJob(pod);
}

function runMs(pod: Pod): number {
  const raw = pod.metadata?.annotations?.[RUN_MS_ANNOTATION];
  const n = raw === undefined ? DEFAULT_JOB_RUN_MS : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : DEFAULT_JOB_RUN_MS;
}

/** When the pod's containers started (the earliest), or undefined before they run. */
function startedAt(pod: Pod): number | undefined {
  let min: number | undefined;
  for (const cs of pod.status?.containerStatuses ?? []) {
    const at = cs.state?.running?.startedAt;
    if (!at) continue;
    const ms = parseTime(at);
    if (Number.isFinite(ms) && (min === undefined || ms < min)) min = ms;
  }
  return min;
}

function containerID(pod: Pod, name: string): string {
  return `sim://${(pod.metadata?.uid ?? '').replace(/-/g, '')}${Buffer.from(name).toString('hex')}`.slice(0, 70);
}

function imageID(image: string | undefined): string {
  return `${image ?? ''}@sha256:${'0'.repeat(64)}`;
}

const condition = (type: string, status: 'True' | 'False', at: string, reason?: string): PodCondition => ({
  type, status, lastProbeTime: null as unknown as undefined, lastTransitionTime: at, ...(reason ? { reason } : {}),
});

/** The status of a pod whose containers have all started and are ready. */
export function runningStatus(pod: Pod, now: number, node: StageNode): PodStatusPatch {
  const at = formatTime(now);
  const podIP = pod.status?.podIP || (pod.spec?.hostNetwork ? node.hostIP : node.allocatePodIP());
  const containerStatuses: ContainerStatus[] = (pod.spec?.containers ?? []).map((c) => ({
    name: c.name, image: c.image ?? '', imageID: imageID(c.image), containerID: containerID(pod, c.name),
    ready: true, started: true, restartCount: 0, state: { running: { startedAt: at } },
  }));
  const initContainerStatuses: ContainerStatus[] = (pod.spec?.initContainers ?? []).map((c) => ({
    name: c.name, image: c.image ?? '', imageID: imageID(c.image), containerID: containerID(pod, `init/${c.name}`),
    ready: true, started: false, restartCount: 0,
    state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at } },
  }));
  return {
    phase: 'Running',
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((t) => condition(t, 'True', at)),
    hostIP: node.hostIP,
    hostIPs: [{ ip: node.hostIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: pod.status?.startTime ?? at,
    containerStatuses,
    ...(initContainerStatuses.length ? { initContainerStatuses } : {}),
  };
}

/** The status of a pod whose containers have all exited with `exitCode`. */
export function completedStatus(pod: Pod, now: number, exitCode: number): PodStatusPatch {
  const at = formatTime(now);
  const reason = exitCode === 0 ? 'Completed' : 'Error';
  const previous = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  return {
    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
    conditions: [
      condition('PodReadyToStartContainers', 'False', at),
      condition('Initialized', 'True', at),
      condition('Ready', 'False', at, 'PodCompleted'),
      condition('ContainersReady', 'False', at, 'PodCompleted'),
      condition('PodScheduled', 'True', at),
    ],
    containerStatuses: (pod.spec?.containers ?? []).map((c) => {
      const prev = previous.get(c.name);
      return {
        name: c.name, image: prev?.image ?? c.image ?? '', imageID: prev?.imageID ?? imageID(c.image),
        containerID: prev?.containerID ?? containerID(pod, c.name),
        ready: false, started: false, restartCount: prev?.restartCount ?? 0,
        state: { terminated: { exitCode, reason, startedAt: prev?.state?.running?.startedAt ?? at, finishedAt: at, containerID: prev?.containerID ?? containerID(pod, c.name) } },
      };
    }),
  };
}

function exitCodeOf(pod: Pod): number {
  const n = Number(pod.metadata?.annotations?.[EXIT_CODE_ANNOTATION] ?? 0);
  return Number.isInteger(n) ? n : 1;
}

/** The default lifecycle: start bound pods, finish finite ones, and end graceful deletions. */
export const defaultStages: readonly Stage[] = [
  {
    name: 'pod-delete',
    // A pod already deleted with no grace that waits on finalizers is left to them.
    selector: (pod) => Boolean(pod.metadata?.deletionTimestamp)
      && !(pod.metadata?.deletionGracePeriodSeconds === 0 && (pod.metadata?.finalizers?.length ?? 0) > 0),
    delayMs: 0,
    next: () => 'delete',
  },
  {
    name: 'pod-ready',
    selector: { phases: ['Pending'], deleting: false },
    delayMs: DEFAULT_START_MS,
    next: runningStatus,
  },
  {
    name: 'pod-complete',
    selector: (pod) => pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp && isFinite(pod),
    delayMs: (pod, now) => {
      const started = startedAt(pod) ?? now;
      return started + runMs(pod) - now;
    },
    next: (pod, now) => completedStatus(pod, now, exitCodeOf(pod)),
  },
];
