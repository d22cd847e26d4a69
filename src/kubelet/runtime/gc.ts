// Container garbage collection, as the kubelet's container GC with its defaults
// (MaxPerPodContainer = 1, MinAge = 0, no node-wide maximum): per pod and container name, only the
// newest dead instance is kept — the one lastState reads — and older ones are removed with their
// termination-log file and their log file (but the two newest logs, which `logs` and
// `logs --previous` read); a pod's NotReady sandboxes that hold no container are removed, except
// its newest sandbox. Running containers are never touched. Pods that are gone are not this
// collector's business: their workers remove everything they held.
//
// Restart counts do not depend on what is kept: they come from each container's restartCount
// annotation, and the newest instance is always kept.
import { rm } from 'node:fs/promises';
import { relative, isAbsolute } from 'node:path';
import type { Clock } from '../../apimachinery/clock.js';
import type { Logger } from '../../apimachinery/log.js';
import { isNotFound } from '../cri/client.js';
import type { Container as CriContainer, PodSandbox } from '../cri/types.js';
import { CONTAINER_NAME_LABEL, POD_UID_LABEL, RESTART_COUNT_ANNOTATION, TERMINATION_MESSAGE_PATH_ANNOTATION } from '../pods/labels.js';
import type { RuntimeManager } from './manager.js';

/** The kubelet runs its container GC every minute. */
export const CONTAINER_GC_PERIOD_MS = 60_000;

export interface ContainerGCPolicy {
  /** Dead instances kept per pod and container name (the kubelet's MaxPerPodContainer, default 1). */
  maxPerPodContainer: number;
  /** A dead container younger than this is kept (the kubelet's MinAge, default 0). */
  minAgeMs: number;
}

export const DEFAULT_CONTAINER_GC_POLICY: ContainerGCPolicy = { maxPerPodContainer: 1, minAgeMs: 0 };

/**
 * A container created but not yet started this recently is taken as being started by a pod worker
 * right now: it neither counts as dead nor is removed. (Kubernetes has no such guard; without it a
 * round between CreateContainer and StartContainer would drop the previous instance.)
 */
export const IN_FLIGHT_MS = CONTAINER_GC_PERIOD_MS;

export interface ContainerGCOptions {
  runtime: RuntimeManager;
  clock: Clock;
  logger: Logger;
  /** Files are removed only under these directories (the agent's logs and pods dirs). */
  logsDir: string;
  podsDir: string;
  policy?: Partial<ContainerGCPolicy>;
}

export interface GCResult {
  containers: string[];
  sandboxes: string[];
}

const nsToMs = (ns: number): number => Math.floor(Number(ns) / 1e6);
const attempt = (c: CriContainer): number => Number(c.annotations?.[RESTART_COUNT_ANNOTATION] ?? c.metadata?.attempt ?? 0);

function inside(dir: string, path: string): boolean {
  const r = relative(dir, path);
  return r !== '' && !r.startsWith('..') && !isAbsolute(r);
}

export class ContainerGC {
  private readonly policy: ContainerGCPolicy;
  private readonly log: Logger;

  constructor(private readonly o: ContainerGCOptions) {
    this.policy = { ...DEFAULT_CONTAINER_GC_POLICY, ...o.policy };
    this.log = o.logger.with({ component: 'container-gc' });
  }

  /** One round: dead containers beyond the policy, then the sandboxes left empty and NotReady. */
  async collect(): Promise<GCResult> {
    const { sandboxes, containers } = await this.o.runtime.snapshot();
    const removed = await this.collectContainers(containers);
    const left = containers.filter((c) => !removed.includes(c.id));
    const removedSandboxes = await this.collectSandboxes(sandboxes, left);
    this.o.runtime.forgetContainersExcept(new Set(left.map((c) => c.id)));
    if (removed.length || removedSandboxes.length) {
      this.log.info('removed dead containers and sandboxes', { containers: removed.length, sandboxes: removedSandboxes.length });
    }
    return { containers: removed, sandboxes: removedSandboxes };
  }

  /**
   * The dead containers to remove, by pod and name, oldest beyond the kept ones, with the newest
   * restart count of that pod and name (running instances included).
   */
  evictable(containers: CriContainer[]): { remove: CriContainer[]; newestAttempt: number }[] {
    const now = this.o.clock.now();
    const units = new Map<string, { dead: CriContainer[]; newestAttempt: number }>();
    for (const c of containers) {
      const uid = c.labels?.[POD_UID_LABEL];
      const name = c.labels?.[CONTAINER_NAME_LABEL] ?? c.metadata?.name;
      if (!uid || !name) continue;
      const key = `${uid}/${name}`;
      const unit = units.get(key) ?? { dead: [], newestAttempt: 0 };
      units.set(key, unit);
      unit.newestAttempt = Math.max(unit.newestAttempt, attempt(c));
      if (c.state === 'CONTAINER_RUNNING') continue;
      const age = now - nsToMs(c.createdAt);
      if (c.state === 'CONTAINER_CREATED' && age < IN_FLIGHT_MS) continue;
      if (age < this.policy.minAgeMs) continue;
      unit.dead.push(c);
    }
    const out: { remove: CriContainer[]; newestAttempt: number }[] = [];
    const keep = Math.max(0, this.policy.maxPerPodContainer);
    for (const { dead, newestAttempt } of units.values()) {
      // Newest first; within one timestamp the higher attempt is the newer.
      dead.sort((a, b) => Number(b.createdAt) - Number(a.createdAt) || attempt(b) - attempt(a));
      if (dead.length > keep) out.push({ remove: dead.slice(keep), newestAttempt });
    }
    return out;
  }

  private async collectContainers(containers: CriContainer[]): Promise<string[]> {
    const removed: string[] = [];
    for (const unit of this.evictable(containers)) {
      // Log files are `<name>/<restartCount>.log`; the newest one and the one before it stay, as
      // `logs --previous` reads the restart count before the current one (older ones are also
      // deleted when the next instance starts).
      const keepLogsFrom = unit.newestAttempt - 1;
      for (const c of unit.remove) {
        try {
          const files = await this.filesOf(c, attempt(c) < keepLogsFrom);
          await this.o.runtime.removeContainer(c.id);
          removed.push(c.id);
          for (const f of files) await rm(f, { force: true });
        } catch (e) {
          this.log.warn('could not remove a dead container', { container: c.id, error: (e as Error).message });
        }
      }
    }
    return removed;
  }

  /** The container's log file and termination-log file, when they are the agent's own. */
  private async filesOf(c: CriContainer, withLog: boolean): Promise<string[]> {
    let status;
    try {
      status = (await this.o.runtime.cri.runtime.containerStatus({ containerId: c.id, verbose: false })).status;
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
    if (!status) return [];
    const files: string[] = [];
    if (withLog && status.logPath && inside(this.o.logsDir, status.logPath)) files.push(status.logPath);
    const termPath = status.annotations?.[TERMINATION_MESSAGE_PATH_ANNOTATION];
    const mount = termPath ? (status.mounts ?? []).find((m) => m.containerPath === termPath) : undefined;
    // Only the per-instance file the kubelet made (pods/<uid>/containers/<name>/<id>), never a volume.
    const uid = c.labels?.[POD_UID_LABEL] ?? '';
    if (mount && uid && inside(`${this.o.podsDir}/${uid}/containers`, mount.hostPath)) files.push(mount.hostPath);
    return files;
  }

  private async collectSandboxes(sandboxes: PodSandbox[], containers: CriContainer[]): Promise<string[]> {
    const inUse = new Set(containers.map((c) => c.podSandboxId));
    const byPod = new Map<string, PodSandbox[]>();
    for (const sb of sandboxes) {
      const uid = sb.labels?.[POD_UID_LABEL];
      if (!uid) continue;
      byPod.set(uid, [...(byPod.get(uid) ?? []), sb]);
    }
    const removed: string[] = [];
    for (const list of byPod.values()) {
      list.sort((a, b) => Number(b.createdAt) - Number(a.createdAt) || (b.metadata?.attempt ?? 0) - (a.metadata?.attempt ?? 0));
      for (const sb of list.slice(1)) {
        if (sb.state === 'SANDBOX_READY' || inUse.has(sb.id)) continue;
        try {
          await this.o.runtime.removeSandbox(sb.id);
          removed.push(sb.id);
        } catch (e) {
          this.log.warn('could not remove a dead sandbox', { sandbox: sb.id, error: (e as Error).message });
        }
      }
    }
    return removed;
  }
}
