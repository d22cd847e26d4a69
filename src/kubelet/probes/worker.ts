// One probe of one container (the kubelet's probe worker): it waits a random part of the period
// when the agent has just started (so a restart does not probe everything at once), then probes
// every periodSeconds. A new container id resets it to the probe's initial result; initial delay,
// startup gating and the success/failure thresholds decide when a result is published; after a
// liveness or startup failure it holds until the container is replaced.
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../apimachinery/clock.js';
import type { Logger } from '../../apimachinery/log.js';
import type { ProbeResult } from '../pods/restart.js';

export type ProbeType = 'liveness' | 'readiness' | 'startup';

/** What the pod worker last told about a container. */
export interface ContainerRuntimeInfo {
  name: string;
  /** The runtime's container id (without a scheme); empty before it is created. */
  id: string;
  /** Milliseconds since the epoch; 0 before it started. */
  startedAt: number;
  running: boolean;
}

export interface PodProbeState {
  pod: Pod;
  containers: ContainerRuntimeInfo[];
  podIP?: string;
}

/** What a worker needs from its manager. */
export interface WorkerHost {
  readonly clock: Clock;
  readonly logger: Logger;
  random(): number;
  /** When the manager was created: workers started within one period of it are jittered. */
  readonly createdAt: number;
  podState(podUid: string): PodProbeState | undefined;
  isStarted(podUid: string, containerName: string, containerId: string): boolean;
  setResult(type: ProbeType, podUid: string, containerId: string, result: ProbeResult, initial: boolean): void;
  removeResult(type: ProbeType, containerId: string): void;
  /** Runs the probe once, records its events; undefined when it could not run. */
  probe(type: ProbeType, state: PodProbeState, container: Container, containerId: string): Promise<ProbeResult | undefined>;
  workerStopped(worker: ProbeWorker): void;
}

/** The result a container has before its probe decides (readiness starts failed, liveness passed, startup unknown). */
export const INITIAL_RESULT: Record<ProbeType, ProbeResult | undefined> = { readiness: 'failure', liveness: 'success', startup: undefined };

export class ProbeWorker {
  private containerId = '';
  private lastResult: ProbeResult | undefined;
  private resultRun = 0;
  private onHold = false;
  private timer: { cancel(): void } | undefined;
  private inFlight = false;
  private stopped = false;
  private ranOnce = false;

  constructor(
    private readonly host: WorkerHost,
    readonly podUid: string,
    readonly container: Container,
    readonly type: ProbeType,
    readonly probe: Probe,
  ) {}

  private get periodMs(): number {
    return Math.max(1, this.probe.periodSeconds ?? 10) * 1000;
  }

  start(): void {
    const { clock } = this.host;
    const recent = this.periodMs > clock.now() - this.host.createdAt;
    const delay = recent ? Math.floor(this.host.random() * this.periodMs) : 0;
    this.timer = clock.setTimeout(() => this.tick(), delay);
  }

  /** Probes now, outside the period (readiness of a container that just started). */
  trigger(): void {
    if (this.ranOnce && !this.stopped) void this.run();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    if (this.containerId) this.host.removeResult(this.type, this.containerId);
    this.host.workerStopped(this);
  }

  private tick(): void {
    if (this.stopped) return;
    // A ticker: the next run is due a period after this one was, however long this one takes.
    this.timer = this.host.clock.setTimeout(() => this.tick(), this.periodMs);
    void this.run();
  }

  private async run(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    let keepGoing = true;
    try {
      keepGoing = await this.doProbe();
    } catch (err) {
      this.host.logger.error('probe worker failed', { pod: this.podUid, container: this.container.name, probe: this.type, err: String(err) });
    } finally {
      this.inFlight = false;
      this.ranOnce = true;
    }
    if (!keepGoing) this.stop();
  }

  /** One round; false when the worker should end. */
  private async doProbe(): Promise<boolean> {
    const { host } = this;
    const state = host.podState(this.podUid);
    if (!state) return true;
    const phase = state.pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return false;
    const c = state.containers.find((x) => x.name === this.container.name);
    if (!c || !c.id) return true;

    if (c.id !== this.containerId) {
      if (this.containerId) host.removeResult(this.type, this.containerId);
      this.containerId = c.id;
      this.lastResult = undefined;
      this.resultRun = 0;
      this.onHold = false;
      const initial = INITIAL_RESULT[this.type];
      if (initial) host.setResult(this.type, this.podUid, c.id, initial, true);
    }
    if (this.onHold) return true;

    if (!c.running) {
      // Created but not started yet: nothing to say. Started and gone: it failed.
      if (!c.startedAt) return true;
      host.setResult(this.type, this.podUid, c.id, 'failure', false);
      return state.pod.spec?.restartPolicy !== 'Never';
    }
    // A pod being deleted is not restarted for failing liveness or startup.
    if (state.pod.metadata?.deletionTimestamp && this.type !== 'readiness') {
      host.setResult(this.type, this.podUid, c.id, 'success', false);
      return false;
    }
    if (Math.floor((host.clock.now() - c.startedAt) / 1000) < (this.probe.initialDelaySeconds ?? 0)) return true;
    // The startup probe runs until the container has started; the others only after.
    const started = host.isStarted(this.podUid, c.name, c.id);
    if (started === (this.type === 'startup')) return true;

    const id = c.id;
    const result = await host.probe(this.type, state, this.container, id);
    if (this.stopped || id !== this.containerId || result === undefined) return true;

    if (this.lastResult === result) this.resultRun++;
    else {
      this.lastResult = result;
      this.resultRun = 1;
    }
    const threshold = result === 'failure' ? this.probe.failureThreshold ?? 3 : this.probe.successThreshold ?? 1;
    if (this.resultRun < threshold) return true;
    host.setResult(this.type, this.podUid, id, result, false);
    if (this.type !== 'readiness' && result === 'failure') {
      // The container will be killed: no more probing it until a new one replaces it.
      this.onHold = true;
      this.resultRun = 0;
    }
    return true;
  }
}
