// The CRI-backed runtime manager (the kubelet's kuberuntime): reads a pod's sandboxes and
// containers back from the runtime by their pod UID label, lists everything for the PLEG, and runs
// and stops sandboxes and containers. Objects that vanish between a list and a status call are
// skipped, as they are gone.
import { availableParallelism } from 'node:os';
import type { Logger } from '../../apimachinery/log.js';
import { isNotFound } from '../cri/client.js';
import type { Container as CriContainer, ContainerConfig, ContainerStatus as CriContainerStatus, ImageService, PodSandbox, PodSandboxConfig, RuntimeService } from '../cri/types.js';
import { POD_UID_LABEL } from '../pods/labels.js';
import { PodOrderLimiter } from './limiter.js';
import { terminationMessage } from './termination-message.js';
import {
  fromCriContainerStatus, fromCriSandboxStatus, type PodRuntimeState, type RuntimeContainer, type RuntimeSandbox,
} from '../pods/runtime-state.js';

/** The two CRI services; a CriClient or an in-memory fake. */
export interface CriServices {
  runtime: RuntimeService;
  images: ImageService;
}

/** Everything the runtime holds, as one relist sees it. */
export interface RuntimeSnapshot {
  sandboxes: PodSandbox[];
  containers: CriContainer[];
}

/** The minimum grace StopContainer gets, as the kubelet's minimumGracePeriodInSeconds. */
export const MIN_GRACE_SECONDS = 2;

export interface RuntimeManagerOptions {
  /**
   * Concurrent RunPodSandbox/CreateContainer/StartContainer calls (default: the number of CPUs);
   * the rest wait in the order their pods were first seen.
   */
  startSlots?: number;
}

export class RuntimeManager {
  private readonly log: Logger;
  private readonly starts: PodOrderLimiter;
  /** Container id → pod UID, so a container's start keeps its pod's place in line. */
  private readonly podOfContainer = new Map<string, string>();
  /** Exited container id → its status message with the termination message (read once). */
  private readonly messages = new Map<string, string>();

  constructor(readonly cri: CriServices, logger: Logger, opts: RuntimeManagerOptions = {}) {
    this.log = logger.with({ component: 'runtime' });
    this.starts = new PodOrderLimiter(opts.startSlots ?? availableParallelism());
  }

  async snapshot(): Promise<RuntimeSnapshot> {
    const [s, c] = await Promise.all([this.cri.runtime.listPodSandbox({}), this.cri.runtime.listContainers({})]);
    return { sandboxes: s.items, containers: c.containers };
  }

  /** The pod as the runtime holds it, newest first. */
  async podState(uid: string): Promise<PodRuntimeState> {
    const selector = { labelSelector: { [POD_UID_LABEL]: uid } };
    const [sbs, cs] = await Promise.all([
      this.cri.runtime.listPodSandbox({ filter: selector }),
      this.cri.runtime.listContainers({ filter: selector }),
    ]);
    const sandboxes: RuntimeSandbox[] = [];
    for (const sb of sbs.items) {
      const st = await this.ignoreGone(() => this.cri.runtime.podSandboxStatus({ podSandboxId: sb.id }));
      if (st?.status) sandboxes.push(fromCriSandboxStatus(st.status));
    }
    const containers: RuntimeContainer[] = [];
    for (const c of cs.containers) {
      const st = await this.ignoreGone(() => this.cri.runtime.containerStatus({ containerId: c.id }));
      if (!st?.status) continue;
      const rc = fromCriContainerStatus(st.status);
      if (rc.state === 'exited') rc.message = await this.exitMessage(st.status);
      containers.push(rc);
    }
    // Newest first; within one millisecond the higher attempt is the newer.
    sandboxes.sort((a, b) => b.createdAt - a.createdAt || b.attempt - a.attempt);
    containers.sort((a, b) => b.createdAt - a.createdAt || b.restartCount - a.restartCount);
    return { sandboxes, containers };
  }

  /** Runs the sandbox and returns its id and IPs. */
  async runSandbox(config: PodSandboxConfig): Promise<{ id: string; ips: string[] }> {
    const uid = config.metadata?.uid ?? '';
    const { podSandboxId } = await this.starts.run(uid, () => this.cri.runtime.runPodSandbox({ config, runtimeHandler: '' }));
    const st = await this.cri.runtime.podSandboxStatus({ podSandboxId });
    const sb = st.status ? fromCriSandboxStatus(st.status) : undefined;
    return { id: podSandboxId, ips: sb?.ips ?? [] };
  }

  async createContainer(sandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const uid = sandboxConfig.metadata?.uid ?? '';
    const { containerId } = await this.starts.run(uid, () => this.cri.runtime.createContainer({ podSandboxId: sandboxId, config, sandboxConfig }));
    this.podOfContainer.set(containerId, uid);
    return containerId;
  }

  async startContainer(id: string): Promise<void> {
    const uid = this.podOfContainer.get(id) ?? '';
    this.podOfContainer.delete(id);
    await this.starts.run(uid, () => this.cri.runtime.startContainer({ containerId: id }));
  }

  /** SIGTERM, then SIGKILL after the grace period (at least MIN_GRACE_SECONDS). */
  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    const timeout = Math.max(MIN_GRACE_SECONDS, Math.ceil(graceSeconds));
    await this.ignoreGone(() => this.cri.runtime.stopContainer({ containerId: id, timeout }, { timeoutMs: (timeout + 30) * 1000 }));
  }

  async removeContainer(id: string): Promise<void> {
    await this.ignoreGone(() => this.cri.runtime.removeContainer({ containerId: id }));
    this.messages.delete(id);
  }

  /** Forgets what is remembered about containers the runtime no longer holds. */
  forgetContainersExcept(present: ReadonlySet<string>): void {
    for (const id of [...this.messages.keys()]) if (!present.has(id)) this.messages.delete(id);
  }

  /** The runtime's message with the termination message; an exited container's never changes. */
  private async exitMessage(status: CriContainerStatus): Promise<string> {
    const known = this.messages.get(status.id);
    if (known !== undefined) return known;
    const message = await terminationMessage(status);
    this.messages.set(status.id, message);
    return message;
  }

  async stopSandbox(id: string): Promise<void> {
    await this.ignoreGone(() => this.cri.runtime.stopPodSandbox({ podSandboxId: id }));
  }

  async removeSandbox(id: string): Promise<void> {
    await this.ignoreGone(() => this.cri.runtime.removePodSandbox({ podSandboxId: id }));
  }

  /**
   * Stops every running container (in parallel, each with its grace) and every sandbox of the pod;
   * with `remove`, removes them too. `beforeStop` runs first for each container (preStop hooks).
   */
  async killPod(state: PodRuntimeState, graceSeconds: (c: RuntimeContainer) => number, opts: { remove?: boolean; beforeStop?: (c: RuntimeContainer) => Promise<void> } = {}): Promise<void> {
    await Promise.all(state.containers.filter((c) => c.state === 'running' || c.state === 'created' || c.state === 'unknown').map(async (c) => {
      if (c.state === 'running' && opts.beforeStop) {
        try {
          await opts.beforeStop(c);
        } catch (e) {
          this.log.warn('preStop failed', { container: c.id, error: (e as Error).message });
        }
      }
      await this.stopContainer(c.id, graceSeconds(c));
    }));
    for (const sb of state.sandboxes) await this.stopSandbox(sb.id);
    if (!opts.remove) return;
    for (const c of state.containers) await this.removeContainer(c.id);
    for (const sb of state.sandboxes) await this.removeSandbox(sb.id);
  }

  /** Stops and removes everything the runtime holds for a pod UID (orphans, deleted pods). */
  async removePod(uid: string): Promise<void> {
    const state = await this.podState(uid);
    await this.killPod(state, () => MIN_GRACE_SECONDS, { remove: true });
    this.starts.forget(uid);
  }

  private async ignoreGone<T>(f: () => Promise<T>): Promise<T | undefined> {
    try {
      return await f();
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
}
