// A pod as the container runtime sees it, in the kubelet's own terms (its kubecontainer.PodStatus):
// the pod's sandboxes and the containers of every attempt, newest first. The pod worker fills it
// from CRI statuses with the converters below; status and restart decisions read only this.
import type { ContainerStatus, NamespaceMode, PodSandboxStatus } from '../cri/types.js';
import { CONTAINER_HASH_ANNOTATION, CONTAINER_NAME_LABEL, RESTART_COUNT_ANNOTATION } from './labels.js';

export type RuntimeContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface RuntimeContainer {
  /** The runtime's container id (without a scheme). */
  id: string;
  name: string;
  state: RuntimeContainerState;
  /** Milliseconds since the epoch; 0 when not reached. */
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  /** The runtime's reason for an exit (`Completed`, `Error`, `OOMKilled`), and a message. */
  reason: string;
  message: string;
  image: string;
  imageRef: string;
  restartCount: number;
  /** The containerHash of the spec it was created from. */
  hash: string;
}

export interface RuntimeSandbox {
  id: string;
  ready: boolean;
  attempt: number;
  createdAt: number;
  /** The pod's IPs, primary first; empty for host-network pods. */
  ips: string[];
  /** The network namespace mode it was created with. */
  network: NamespaceMode;
}

export interface PodRuntimeState {
  /** Newest first. */
  sandboxes: RuntimeSandbox[];
  /** Newest first; several per name when a container was restarted. */
  containers: RuntimeContainer[];
}

export const EMPTY_RUNTIME_STATE: PodRuntimeState = { sandboxes: [], containers: [] };

/** The runtime's scheme in container IDs of the pod status. */
export const RUNTIME_TYPE = 'containerd';

export function containerIDString(id: string): string {
  return `${RUNTIME_TYPE}://${id}`;
}

/** The latest container of this name. */
export function latestContainer(state: PodRuntimeState, name: string): RuntimeContainer | undefined {
  return state.containers.find((c) => c.name === name);
}

const nsToMs = (ns: number): number => (ns > 0 ? Math.floor(ns / 1e6) : 0);

const CRI_STATES: Record<string, RuntimeContainerState> = {
  CONTAINER_CREATED: 'created',
  CONTAINER_RUNNING: 'running',
  CONTAINER_EXITED: 'exited',
};

export function fromCriContainerStatus(s: ContainerStatus): RuntimeContainer {
  const restart = Number(s.annotations?.[RESTART_COUNT_ANNOTATION] ?? 0);
  return {
    id: s.id,
    name: s.labels?.[CONTAINER_NAME_LABEL] ?? s.metadata?.name ?? '',
    state: CRI_STATES[s.state] ?? 'unknown',
    createdAt: nsToMs(s.createdAt),
    startedAt: nsToMs(s.startedAt),
    finishedAt: nsToMs(s.finishedAt),
    exitCode: s.exitCode,
    reason: s.reason,
    message: s.message,
    image: s.image?.userSpecifiedImage || s.image?.image || '',
    imageRef: s.imageRef,
    restartCount: Number.isFinite(restart) ? restart : s.metadata?.attempt ?? 0,
    hash: s.annotations?.[CONTAINER_HASH_ANNOTATION] ?? '',
  };
}

export function fromCriSandboxStatus(s: PodSandboxStatus): RuntimeSandbox {
  const ips = s.network?.ip ? [s.network.ip, ...(s.network.additionalIps ?? []).map((p) => p.ip)] : [];
  return {
    id: s.id,
    ready: s.state === 'SANDBOX_READY',
    attempt: s.metadata?.attempt ?? 0,
    createdAt: nsToMs(s.createdAt),
    ips,
    network: s.linux?.namespaces?.options?.network ?? 'POD',
  };
}

/** Sorts newest first, as the state wants them. */
export function newestFirst<T extends { createdAt: number }>(items: T[]): T[] {
  return [...items].sort((a, b) => b.createdAt - a.createdAt);
}
