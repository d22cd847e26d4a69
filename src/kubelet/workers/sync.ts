// What a pod worker does for one pod (the kubelet's SyncPod, SyncTerminatingPod and the cleanup of
// pods that are gone): volumes, sandbox, init containers then containers, kills, and the status;
// for a deleted pod, preStop and graceful stops, removal of everything the node held for it, and
// the final delete of the API object.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../apimachinery/clock.js';
import type { Logger } from '../../apimachinery/log.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { EventRecorder } from '../../client/controller.js';
import { podDir, podLogDir, type AgentPaths } from '../paths.js';
import { CrashLoopBackoff } from '../pods/backoff.js';
import type { HostVolume } from '../pods/container.js';
import type { ClusterDNS } from '../pods/dns.js';
import type { EnvSource } from '../pods/env.js';
import { killGracePeriod, podGracePeriod } from '../pods/grace.js';
import { POD_UID_LABEL } from '../pods/labels.js';
import { computePodActions, isRestartableInitContainer, NO_PROBES, type ProbeResults } from '../pods/restart.js';
import type { PodRuntimeState, RuntimeContainer } from '../pods/runtime-state.js';
import { podSandboxConfig } from '../pods/sandbox.js';
import { computePodStatus, type ProbeStatus, type SyncFailure } from '../pods/status.js';
import { ContainerGC, type ContainerGCPolicy, type GCResult } from '../runtime/gc.js';
import type { ImagePuller } from '../runtime/images.js';
import type { RuntimeManager } from '../runtime/manager.js';
import { removePodCgroups } from './cgroups.js';
import { hostNetworkHostsFile, managedHostsFile } from './hosts-file.js';
import type { SyncRequest, SyncResult } from './pod-workers.js';
import { startContainer, type StartContext } from './start-container.js';
import type { PodStatusManager } from './status-manager.js';

/** The volume manager as the workers use it. */
export interface PodVolumes {
  setUp(pod: Pod): Promise<ReadonlyMap<string, HostVolume>>;
  refresh(pod: Pod): Promise<void>;
  tearDown(uid: string): Promise<void>;
}

/** Probes and lifecycle hooks, when the agent runs them. */
export interface PodProbes {
  results: ProbeResults & ProbeStatus;
  /** The pod and what the runtime holds for it, after each sync. */
  updatePod(pod: Pod, state: PodRuntimeState, podIPs: string[]): void;
  removePod(uid: string): void;
  postStart?(pod: Pod, c: Container, containerId: string): Promise<void>;
  /** Runs the preStop hook; resolves to the grace left for stopping the container. */
  preStop?(pod: Pod, c: Container, containerId: string, graceSeconds: number): Promise<number>;
}

export interface PodSyncerOptions {
  runtime: RuntimeManager;
  images: ImagePuller;
  volumes: PodVolumes;
  statuses: PodStatusManager;
  recorder: EventRecorder;
  clock: Clock;
  logger: Logger;
  paths: AgentPaths;
  dns: ClusterDNS;
  env: EnvSource;
  machineMemoryBytes: number;
  hostIPs(): string[];
  nodeAllocatable(): Record<string, string> | undefined;
  probes?: PodProbes;
  /** Where the cgroup v1 hierarchies are mounted (pod cgroups are removed there); /sys/fs/cgroup. */
  cgroupfs?: string;
  /** The node's /etc/hosts, for host-network pods. */
  nodeHostsFile?: string;
  /** The container GC's policy (the kubelet's defaults: one dead instance per container). */
  gcPolicy?: Partial<ContainerGCPolicy>;
}

const NO_PROBE_STATUS: ProbeResults & ProbeStatus = { ...NO_PROBES, readiness: () => undefined };
const MOUNT_RETRY_MS = 2_000;
const SANDBOX_RETRY_MS = 2_000;

const isTerminal = (phase: string | undefined): boolean => phase === 'Succeeded' || phase === 'Failed';

export class PodSyncer {
  readonly backoff: CrashLoopBackoff;
  private readonly log: Logger;
  private readonly volumes = new Map<string, ReadonlyMap<string, HostVolume>>();
  private readonly terminatingSince = new Map<string, number>();
  private readonly gc: ContainerGC;

  constructor(private readonly o: PodSyncerOptions) {
    this.backoff = new CrashLoopBackoff(o.clock);
    this.log = o.logger.with({ component: 'pod-sync' });
    this.gc = new ContainerGC({
      runtime: o.runtime, clock: o.clock, logger: o.logger, logsDir: o.paths.logs, podsDir: o.paths.pods, policy: o.gcPolicy,
    });
  }

  /**
   * The kubelet's periodic garbage collection (every minute): dead containers beyond one per
   * container name, with their files, empty NotReady sandboxes, and idle image-pull back-offs.
   * Never throws; undefined when the round failed.
   */
  async garbageCollect(): Promise<GCResult | undefined> {
    this.o.images.gc();
    try {
      return await this.gc.collect();
    } catch (e) {
      this.log.warn('container garbage collection failed', { error: (e as Error).message });
      return undefined;
    }
  }

  private get probes(): ProbeResults & ProbeStatus {
    return this.o.probes?.results ?? NO_PROBE_STATUS;
  }

  private event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.o.recorder.event(pod as KubeObject, type, reason, message);
  }

  /** Syncs a pod bound to this node towards its spec. */
  async sync(apiPod: Pod, req: SyncRequest): Promise<SyncResult> {
    if (apiPod.metadata?.deletionTimestamp) return this.terminate(apiPod);
    const pod = this.o.statuses.withLatestStatus(apiPod);
    const uid = pod.metadata?.uid ?? '';
    if (isTerminal(pod.status?.phase)) return this.finished(pod);

    let volumes = this.volumes.get(uid);
    try {
      if (!volumes) {
        volumes = await this.o.volumes.setUp(pod);
        this.volumes.set(uid, volumes);
      } else if (req.resync) {
        await this.o.volumes.refresh(pod);
      }
    } catch (e) {
      const msg = (e as Error).message;
      if (!volumes) {
        this.event(pod, 'Warning', 'FailedMount', msg);
        await this.writeStatus(pod, await this.o.runtime.podState(uid), new Map());
        return { requeueAfterMs: MOUNT_RETRY_MS };
      }
      this.log.warn('volume refresh failed', { pod: podName(pod), error: msg });
    }

    let state = await this.o.runtime.podState(uid);
    const actions = computePodActions(pod, state, this.probes);
    const failures = new Map<string, SyncFailure>();
    let retryAt: number | undefined;

    if (actions.killPod) {
      await this.stopAll(pod, state, gracePeriod(pod));
    } else {
      for (const k of actions.containersToKill) {
        this.event(pod, 'Normal', 'Killing', k.reason ? k.message : `Stopping container ${k.name}`);
        const rc = state.containers.find((c) => c.id === k.id);
        await this.stopContainer(pod, rc, killGracePeriod(pod, this.containerSpec(pod, k.name), k.reason));
      }
    }

    const toStart = actions.initContainersToStart.length + actions.containersToStart.length;
    if (actions.createSandbox || toStart > 0) {
      let sandboxId = actions.sandboxId;
      let ips = state.sandboxes[0]?.ips ?? [];
      const sandboxConfig = podSandboxConfig(pod, { paths: this.o.paths, dns: this.o.dns, attempt: actions.attempt });
      if (actions.createSandbox) {
        await mkdir(podLogDir(this.o.paths, pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '', uid), { recursive: true });
        try {
          const sb = await this.o.runtime.runSandbox(sandboxConfig);
          sandboxId = sb.id;
          ips = sb.ips;
        } catch (e) {
          this.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(e as Error).message}`);
          await this.writeStatus(pod, await this.o.runtime.podState(uid), failures);
          return { requeueAfterMs: SANDBOX_RETRY_MS };
        }
        state = await this.o.runtime.podState(uid);
      }
      const hostIPs = this.o.hostIPs();
      const podIPs = pod.spec?.hostNetwork ? hostIPs : ips;
      const ctx: StartContext = {
        pod, state, sandboxId, sandboxConfig, podIPs, hostIPs, volumes: volumes ?? new Map(),
        etcHostsPath: await this.writeHostsFile(pod, podIPs), failures,
      };
      const deps = { ...this.o, backoff: this.backoff, postStart: this.o.probes?.postStart?.bind(this.o.probes) };
      const inits = pod.spec?.initContainers ?? [];
      for (const i of actions.initContainersToStart) {
        const c = inits[i];
        const ok = await startContainer(deps, ctx, c);
        // An init container must finish before the next one; sidecars only need to start.
        if (!ok || !isRestartableInitContainer(c)) break;
      }
      for (const i of actions.containersToStart) await startContainer(deps, ctx, pod.spec!.containers[i]);
      retryAt = ctx.retryAt;
      state = await this.o.runtime.podState(uid);
    } else if (actions.killPod) {
      state = await this.o.runtime.podState(uid);
    }

    await this.writeStatus(pod, state, failures);
    const ips = pod.spec?.hostNetwork ? this.o.hostIPs() : state.sandboxes.find((sb) => sb.ready)?.ips ?? [];
    this.o.probes?.updatePod(pod, state, ips);
    return retryAt !== undefined ? { requeueAfterMs: Math.max(0, retryAt - this.o.clock.now()) } : {};
  }

  /** A pod in a terminal phase: nothing runs again; containers and sandbox stopped, status kept. */
  private async finished(pod: Pod): Promise<SyncResult> {
    const uid = pod.metadata?.uid ?? '';
    let state = await this.o.runtime.podState(uid);
    if (state.containers.some((c) => c.state === 'running') || state.sandboxes.some((s) => s.ready)) {
      await this.stopAll(pod, state, gracePeriod(pod));
      state = await this.o.runtime.podState(uid);
    }
    this.o.probes?.removePod(uid);
    await this.writeStatus(pod, state, new Map(), true);
    return {};
  }

  /** A deleted pod: stop within the grace period, remove everything, then delete the API object. */
  async terminate(apiPod: Pod): Promise<SyncResult> {
    const pod = this.o.statuses.withLatestStatus(apiPod);
    const uid = pod.metadata?.uid ?? '';
    const now = this.o.clock.now();
    const since = this.terminatingSince.get(uid) ?? now;
    this.terminatingSince.set(uid, since);
    const grace = Math.max(0, gracePeriod(pod) - (now - since) / 1000);
    let state = await this.o.runtime.podState(uid);
    await this.stopAll(pod, state, grace);
    state = await this.o.runtime.podState(uid);
    await this.writeStatus(pod, state, new Map(), true);
    await this.o.runtime.killPod(state, () => 0, { remove: true });
    await this.removeLocal(uid, pod);
    await this.o.statuses.deletePod(pod);
    this.terminatingSince.delete(uid);
    return { done: true };
  }

  /** A pod no longer bound here (deleted for good, or an orphan found in the runtime). */
  async cleanup(uid: string, last?: Pod): Promise<SyncResult> {
    let pod = last;
    if (!pod) {
      const { items } = await this.o.runtime.cri.runtime.listPodSandbox({ filter: { labelSelector: { [POD_UID_LABEL]: uid } } });
      const meta = items[0]?.metadata;
      if (meta) pod = { metadata: { name: meta.name, namespace: meta.namespace, uid } };
    }
    await this.o.runtime.removePod(uid);
    await this.removeLocal(uid, pod);
    this.terminatingSince.delete(uid);
    return { done: true };
  }

  private async removeLocal(uid: string, pod: Pod | undefined): Promise<void> {
    this.o.probes?.removePod(uid);
    await this.o.volumes.tearDown(uid);
    this.volumes.delete(uid);
    if (pod) {
      this.backoff.forgetPod(pod);
      await rm(podLogDir(this.o.paths, pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '', uid), { recursive: true, force: true });
    }
    this.o.images.forgetPod(uid);
    await rm(podDir(this.o.paths, uid), { recursive: true, force: true });
    await removePodCgroups(uid, this.o.cgroupfs);
    this.o.statuses.forget(uid);
  }

  private containerSpec(pod: Pod, name: string): Container | undefined {
    return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === name);
  }

  private async stopContainer(pod: Pod, rc: RuntimeContainer | undefined, graceSeconds: number): Promise<void> {
    if (!rc) return;
    const spec = this.containerSpec(pod, rc.name);
    if (rc.state === 'running' && spec?.lifecycle?.preStop && this.o.probes?.preStop) {
      try {
        graceSeconds = await this.o.probes.preStop(pod, spec, rc.id, graceSeconds);
      } catch (e) {
        this.event(pod, 'Warning', 'FailedPreStopHook', (e as Error).message);
      }
    }
    await this.o.runtime.stopContainer(rc.id, graceSeconds);
  }

  /** Stops every container (in parallel, preStop first) and the pod's sandboxes. */
  private async stopAll(pod: Pod, state: PodRuntimeState, graceSeconds: number): Promise<void> {
    const live = state.containers.filter((c) => c.state !== 'exited');
    for (const c of live) if (c.state === 'running') this.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
    await Promise.all(live.map((c) => this.stopContainer(pod, c, graceSeconds)));
    for (const sb of state.sandboxes) if (sb.ready) await this.o.runtime.stopSandbox(sb.id);
  }

  private async writeStatus(pod: Pod, state: PodRuntimeState, failures: Map<string, SyncFailure>, podIsTerminal = false): Promise<void> {
    const status = computePodStatus({
      pod: this.o.statuses.withLatestStatus(pod), state, now: this.o.clock.now(), hostIPs: this.o.hostIPs(),
      syncFailures: failures, probes: this.probes, podIsTerminal,
    });
    await this.o.statuses.set(pod, status);
  }

  private async writeHostsFile(pod: Pod, podIPs: string[]): Promise<string> {
    const dir = podDir(this.o.paths, pod.metadata?.uid ?? '');
    await mkdir(dir, { recursive: true });
    const path = join(dir, 'etc-hosts');
    let text: string;
    if (pod.spec?.hostNetwork) {
      const nodeHosts = this.o.nodeHostsFile ?? await readFile('/etc/hosts', 'utf8').catch(() => '');
      text = hostNetworkHostsFile(pod, nodeHosts);
    } else {
      text = managedHostsFile(pod, podIPs, this.o.dns.domain);
    }
    await writeFile(path, text);
    return path;
  }
}

function podName(pod: Pod): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

/** The deletion's grace when the pod is being deleted, else terminationGracePeriodSeconds. */
export const gracePeriod = podGracePeriod;

