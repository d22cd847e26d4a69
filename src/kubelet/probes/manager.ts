// The kubelet's probe manager: a worker per container and probe type of each pod, the latest
// results by runtime container id (what restart decisions and the pod status read), an `Unhealthy`
// event for each failed probe, and a callback when a result changes so the pod is synced again.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../apimachinery/clock.js';
import type { Logger } from '../../apimachinery/log.js';
import type { ProbeResult, ProbeResults } from '../pods/restart.js';
import type { ProbeStatus } from '../pods/status.js';
import { runAction, type ExecFn } from './action.js';
import { ProbeWorker, type ContainerRuntimeInfo, type PodProbeState, type ProbeType, type WorkerHost } from './worker.js';

export type EventType = 'Normal' | 'Warning';
export type ProbeEventRecorder = (pod: Pod, type: EventType, reason: string, message: string) => void;

export const REASON_UNHEALTHY = 'Unhealthy';
export const REASON_PROBE_WARNING = 'ProbeWarning';
/** The kubelet retries a probe that could not run this many times before giving up on a round. */
const MAX_PROBE_RETRIES = 3;

export interface ProbeManagerOptions {
  clock: Clock;
  logger: Logger;
  exec: ExecFn;
  recorder?: ProbeEventRecorder;
  /** A result changed: the pod should be synced again. */
  onChange: (podUid: string) => void;
  /** For the first run's jitter; Math.random by default. */
  random?: () => number;
}

const TITLE: Record<ProbeType, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

interface PodEntry extends PodProbeState {
  workers: ProbeWorker[];
}

/** Containers that may have probes: regular ones and restartable (sidecar) init containers. */
function probedContainers(pod: Pod): Container[] {
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  return [...sidecars, ...(pod.spec?.containers ?? [])];
}

export class ProbeManager implements ProbeResults, ProbeStatus {
  private readonly pods = new Map<string, PodEntry>();
  private readonly results: Record<ProbeType, Map<string, { podUid: string; result: ProbeResult }>> = {
    liveness: new Map(), readiness: new Map(), startup: new Map(),
  };
  private readonly host: WorkerHost;

  constructor(private readonly opts: ProbeManagerOptions) {
    const self = this;
    this.host = {
      clock: opts.clock,
      logger: opts.logger,
      createdAt: opts.clock.now(),
      random: opts.random ?? Math.random,
      podState: (uid) => self.pods.get(uid),
      isStarted: (uid, name, id) => self.isStarted(uid, name, id),
      setResult: (type, uid, id, result, initial) => self.setResult(type, uid, id, result, initial),
      removeResult: (type, id) => { self.results[type].delete(id); },
      probe: (type, state, container, id) => self.probeOnce(type, state, container, id),
      workerStopped: (w) => {
        const entry = self.pods.get(w.podUid);
        if (entry) entry.workers = entry.workers.filter((x) => x !== w);
      },
    };
  }

  /** Starts the workers of a pod's probes (nothing when it has them already). */
  addPod(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const existing = this.pods.get(uid);
    if (existing) {
      existing.pod = pod;
      return;
    }
    const entry: PodEntry = { pod, containers: [], workers: [] };
    this.pods.set(uid, entry);
    for (const c of probedContainers(pod)) {
      const probes: [ProbeType, Container['livenessProbe']][] = [['startup', c.startupProbe], ['readiness', c.readinessProbe], ['liveness', c.livenessProbe]];
      for (const [type, probe] of probes) {
        if (!probe) continue;
        const w = new ProbeWorker(this.host, uid, c, type, probe);
        entry.workers.push(w);
        w.start();
      }
    }
  }

  /** What the pod worker sees of the pod's containers now; a started container not yet ready is probed at once. */
  updatePod(pod: Pod, containers: ContainerRuntimeInfo[], podIP?: string): void {
    const uid = pod.metadata?.uid ?? '';
    if (!this.pods.has(uid)) this.addPod(pod);
    const entry = this.pods.get(uid)!;
    entry.pod = pod;
    entry.containers = containers.map((c) => ({ ...c }));
    entry.podIP = podIP;
    for (const w of entry.workers) {
      if (w.type !== 'readiness') continue;
      const c = containers.find((x) => x.name === w.container.name);
      if (!c?.running || !c.id || !this.isStarted(uid, c.name, c.id)) continue;
      if (this.results.readiness.get(c.id)?.result !== 'success') w.trigger();
    }
  }

  removePod(podUid: string): void {
    const entry = this.pods.get(podUid);
    if (!entry) return;
    for (const w of [...entry.workers]) w.stop();
    this.pods.delete(podUid);
  }

  liveness(containerId: string): ProbeResult | undefined {
    return this.results.liveness.get(containerId)?.result;
  }

  startup(containerId: string): ProbeResult | undefined {
    return this.results.startup.get(containerId)?.result;
  }

  readiness(containerId: string): ProbeResult | undefined {
    return this.results.readiness.get(containerId)?.result;
  }

  /** Started as the kubelet reports it: the startup probe succeeded, or there is none. */
  isStarted(podUid: string, containerName: string, containerId: string): boolean {
    const r = this.results.startup.get(containerId);
    if (r) return r.result === 'success';
    const entry = this.pods.get(podUid);
    return !entry?.workers.some((w) => w.type === 'startup' && w.container.name === containerName);
  }

  stop(): void {
    for (const uid of [...this.pods.keys()]) this.removePod(uid);
  }

  private setResult(type: ProbeType, podUid: string, containerId: string, result: ProbeResult, initial: boolean): void {
    const prev = this.results[type].get(containerId)?.result;
    this.results[type].set(containerId, { podUid, result });
    if (!initial && prev !== result) this.opts.onChange(podUid);
  }

  private async probeOnce(type: ProbeType, state: PodProbeState, container: Container, containerId: string): Promise<ProbeResult | undefined> {
    const probe = type === 'liveness' ? container.livenessProbe : type === 'readiness' ? container.readinessProbe : container.startupProbe;
    if (!probe) return undefined;
    const record = (eventType: EventType, reason: string, message: string) => this.opts.recorder?.(state.pod, eventType, reason, message);
    let lastErr: unknown;
    for (let i = 0; i < MAX_PROBE_RETRIES; i++) {
      try {
        const out = await runAction(probe, { container, containerId, podIP: state.podIP, exec: this.opts.exec, clock: this.opts.clock });
        if (out.result === 'failure') {
          this.opts.logger.debug('probe failed', { pod: state.pod.metadata?.name, container: container.name, probe: type, output: out.output });
          record('Warning', REASON_UNHEALTHY, `${TITLE[type]} probe failed: ${out.output}`);
          return 'failure';
        }
        if (out.result === 'warning') record('Warning', REASON_PROBE_WARNING, `${TITLE[type]} probe warning: ${out.output}`);
        return 'success';
      } catch (err) {
        lastErr = err;
      }
    }
    const message = lastErr instanceof Error ? lastErr.message : String(lastErr);
    this.opts.logger.debug('probe errored', { pod: state.pod.metadata?.name, container: container.name, probe: type, err: message });
    record('Warning', REASON_UNHEALTHY, `${TITLE[type]} probe errored: ${message}`);
    return undefined;
  }
}
