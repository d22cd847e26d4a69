// The node agent's Node: registers it with the machine's capacity, identity and the runtime's
// state, keeps its Lease renewed, and posts its status every 10 s when something changed and at
// least every 5 minutes otherwise — the kubelet's nodeStatusUpdateFrequency and
// nodeStatusReportFrequency.
import type { Node as WireNode, NodeStatus, Taint } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../apimachinery/clock.js';
import { formatTime } from '../../apimachinery/duration.js';
import type { Logger } from '../../apimachinery/log.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import type { EventRecorder } from '../../client/controller.js';
import type { ApiClient, ResourceClient } from '../../client/rest.js';
import { nodeAllocatable, nodeCapacity, type EvictionThresholds, type ResourceList } from './capacity.js';
import { conditionEventReasons, runtimeErrors, type RuntimeStatus } from './conditions.js';
import { firstIPv4, readHostFacts, realHostReader, type HostFacts, type HostReader } from './host.js';
import { defaultNodeLabels, nodeAddresses, nodeSystemInfo } from './identity.js';
import { NodeLease } from './lease.js';
import { buildNodeStatus, DEFAULT_KUBELET_PORT, statusChanged, statusImages, type ImageSummary } from './status.js';

export type Node = WireNode & KubeObject;

/** What the kubelet reports as its version when none is given (Kubernetes 1.32, as the API server). */
export const DEFAULT_KUBELET_VERSION = 'v1.32.0';
export const STATUS_UPDATE_MS = 10_000;
export const STATUS_REPORT_MS = 5 * 60_000;
const STATUS_RETRIES = 5;
const REGISTER_FIRST_BACKOFF_MS = 100;
const REGISTER_MAX_BACKOFF_MS = 7_000;
/**
 * How long the host's default IPv4 address is reused. Listing the interfaces is synchronous and,
 * while pods' veths come and go, can block the event loop for a second (the netlink dump restarts
 * whenever the links change), so it is not done on every status round.
 */
export const ADDRESS_REFRESH_MS = 60_000;

export interface NodeStatusAgentOptions {
  client: ApiClient;
  clock: Clock;
  logger: Logger;
  nodeName: string;
  /** The InternalIP to report; default the host's first non-internal IPv4. */
  nodeIP?: string;
  /** Hostname label and address; default the node name. */
  hostname?: string;
  dataDir: string;
  /** Labels set at registration and kept on re-registration (beside the default ones). */
  labels?: Record<string, string>;
  /** Taints the node registers with (as --register-with-taints: only when the Node is created). */
  taints?: Taint[];
  maxPods?: number;
  kubeletPort?: number;
  kubeletVersion?: string;
  kubeReserved?: ResourceList;
  systemReserved?: ResourceList;
  evictionHard?: EvictionThresholds;
  runtimeStatus: () => Promise<RuntimeStatus>;
  images?: () => Promise<ImageSummary[]>;
  /** Records the kubelet's node events (NodeReady, NodeNotReady, Rebooted, …). */
  recorder?: EventRecorder;
  /** The machine; default the real one. */
  host?: HostReader;
  statusUpdateMs?: number;
  statusReportMs?: number;
  leaseRenewMs?: number;
  leaseDurationSeconds?: number;
}

export class NodeStatusAgent {
  /** Resolves once the Node is registered (created or taken over). */
  readonly ready: Promise<void>;
  private markReady!: () => void;
  private failReady!: (err: unknown) => void;
  private readonly nodes: ResourceClient<Node>;
  private readonly log: Logger;
  private readonly host: HostReader;
  private facts?: HostFacts;
  private current?: Node;
  private postedAt = 0;
  private runtimeVersion = '';
  private lastImages: ImageSummary[] = [];
  private syncing?: Promise<void>;
  private again = false;
  private stopped = false;
  private started = false;
  private timer?: { cancel(): void };
  private address?: { ipv4?: string; at: number };

  constructor(private readonly opts: NodeStatusAgentOptions) {
    this.nodes = opts.client.kind<Node>('v1', 'Node');
    this.log = opts.logger.with({ component: 'node-status', node: opts.nodeName });
    this.host = opts.host ?? realHostReader;
    this.ready = new Promise<void>((resolve, reject) => { this.markReady = resolve; this.failReady = reject; });
    this.ready.catch(() => undefined);
  }

  /** The Node as last written or read. */
  node(): Node | undefined {
    return this.current;
  }

  /** Posts the status soon, e.g. after the runtime's state changed, without waiting for the period. */
  requestStatusUpdate(): void {
    if (!this.stopped && this.current) this.sync();
  }

  async start(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error('node status agent already started');
    this.started = true;
    const lease = new NodeLease({
      client: this.opts.client, clock: this.opts.clock, logger: this.log, nodeName: this.opts.nodeName,
      nodeUid: () => this.current?.metadata?.uid,
      ...(this.opts.leaseRenewMs !== undefined ? { renewMs: this.opts.leaseRenewMs } : {}),
      ...(this.opts.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: this.opts.leaseDurationSeconds } : {}),
    });
    try {
      this.facts = await readHostFacts(this.host, this.opts.dataDir);
      await this.untilRegistered(signal);
      if (signal.aborted) throw new Error('stopped before the node was registered');
      this.log.info('node registered', { uid: this.current?.metadata?.uid });
      this.markReady();
      lease.start(signal);
      this.every(this.opts.statusUpdateMs ?? STATUS_UPDATE_MS);
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } catch (err) {
      this.failReady(err);
      if (!signal.aborted) throw err;
    } finally {
      this.stopped = true;
      this.timer?.cancel();
      await lease.settled();
      await this.syncing;
    }
  }

  // --- registration

  private async untilRegistered(signal: AbortSignal): Promise<void> {
    let backoff = 0;
    while (!signal.aborted) {
      try {
        await this.register();
        return;
      } catch (err) {
        backoff = backoff ? Math.min(backoff * 2, REGISTER_MAX_BACKOFF_MS) : REGISTER_FIRST_BACKOFF_MS;
        this.log.warn('registering the node failed; retrying', { retryMs: backoff, error: message(err) });
        await new Promise<void>((resolve) => {
          const t = this.opts.clock.setTimeout(resolve, backoff);
          signal.addEventListener('abort', () => { t.cancel(); resolve(); }, { once: true });
        });
      }
    }
  }

  private ownedLabels(): Record<string, string> {
    return { ...this.opts.labels, ...defaultNodeLabels(this.hostname(), this.facts!.architecture) };
  }

  private hostname(): string {
    return this.opts.hostname ?? this.opts.nodeName;
  }

  private async register(): Promise<void> {
    const status = await this.nextStatus(undefined);
    const manifest: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: this.opts.nodeName,
        labels: this.ownedLabels(),
        annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
      spec: this.opts.taints?.length ? { taints: this.opts.taints.map((t) => ({ ...t })) } : {},
      status,
    };
    try {
      this.current = await this.nodes.create(undefined, manifest);
      this.postedAt = this.opts.clock.now();
      this.recordTransitions(undefined, this.current);
      return;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    // Taken over from an earlier run (or another machine of this name): labels we own are set to
    // our values and every other label, taint and field stays as it is.
    let existing = await this.nodes.get(undefined, this.opts.nodeName);
    const labels = existing.metadata?.labels ?? {};
    const changed = Object.entries(this.ownedLabels()).filter(([k, v]) => labels[k] !== v);
    if (changed.length) {
      existing = await this.nodes.patch(undefined, this.opts.nodeName, { metadata: { labels: Object.fromEntries(changed) } }, 'merge');
      this.log.info('labels of the existing node updated', { labels: changed.map(([k]) => k) });
    }
    const bootID = existing.status?.nodeInfo?.bootID;
    if (bootID && bootID !== this.facts!.bootID) {
      this.opts.recorder?.event(existing, 'Warning', 'Rebooted', `Node ${this.opts.nodeName} has been rebooted, boot id: ${this.facts!.bootID}`);
    }
    this.current = existing;
    await this.postStatus(true);
  }

  // --- status

  /** The status to report now over `previous`, asking the runtime and the image store. */
  private async nextStatus(previous: NodeStatus | undefined): Promise<NodeStatus> {
    const facts = this.facts!;
    let runtime: RuntimeStatus | undefined;
    try {
      runtime = await this.opts.runtimeStatus();
      if (runtime.version) this.runtimeVersion = runtime.version;
    } catch (err) {
      this.log.warn('container runtime status failed', { error: message(err) });
    }
    if (this.opts.images) {
      try {
        this.lastImages = await this.opts.images();
      } catch (err) {
        this.log.warn('listing images failed', { error: message(err) });
      }
    }
    const capacity = nodeCapacity({ cpus: facts.cpus, memoryBytes: facts.memoryBytes, diskBytes: facts.diskBytes, maxPods: this.opts.maxPods });
    const defaultIPv4 = this.opts.nodeIP ? facts.defaultIPv4 : this.hostIPv4() ?? facts.defaultIPv4;
    return buildNodeStatus(previous, {
      capacity,
      allocatable: nodeAllocatable(capacity, {
        ...(this.opts.kubeReserved ? { kubeReserved: this.opts.kubeReserved } : {}),
        ...(this.opts.systemReserved ? { systemReserved: this.opts.systemReserved } : {}),
        ...(this.opts.evictionHard ? { evictionHard: this.opts.evictionHard } : {}),
      }),
      addresses: nodeAddresses(this.hostname(), this.opts.nodeIP, { defaultIPv4 }),
      nodeInfo: nodeSystemInfo(facts, {
        containerRuntimeVersion: this.runtimeVersion,
        kubeletVersion: this.opts.kubeletVersion ?? DEFAULT_KUBELET_VERSION,
      }),
      images: statusImages(this.lastImages),
      kubeletPort: this.opts.kubeletPort ?? DEFAULT_KUBELET_PORT,
      errors: runtimeErrors(runtime),
      nowIso: formatTime(this.opts.clock.now()),
    });
  }

  /** The host's first non-internal IPv4, looked up again once ADDRESS_REFRESH_MS has passed. */
  private hostIPv4(): string | undefined {
    const now = this.opts.clock.now();
    if (!this.address || now - this.address.at >= ADDRESS_REFRESH_MS) this.address = { ipv4: firstIPv4(this.host.networkInterfaces()), at: now };
    return this.address.ipv4;
  }

  /**
   * Posts the status when it changed or the report period is up (or `force`). It is compared with
   * the Node as the API server has it now, so a change someone else made (the node lifecycle
   * controller marking the node Unknown while we were cut off) is put right on the next round. A
   * strategic merge patch keeps conditions others own (NetworkUnavailable, …); failures are tried
   * again a few times.
   */
  private async postStatus(force = false): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const fresh = await this.nodes.get(undefined, this.opts.nodeName);
        this.current = fresh;
        const next = await this.nextStatus(fresh.status);
        const due = force || this.opts.clock.now() - this.postedAt >= (this.opts.statusReportMs ?? STATUS_REPORT_MS);
        if (!due && !statusChanged(fresh.status, next)) return;
        this.current = await this.nodes.patch(undefined, this.opts.nodeName, { status: next }, 'strategic', { subresource: 'status' });
        this.recordTransitions(fresh.status?.conditions, this.current);
        this.postedAt = this.opts.clock.now();
        return;
      } catch (err) {
        if (isNotFound(err)) {
          this.log.warn('the node was deleted; registering it again');
          this.current = undefined;
          await this.register();
          return;
        }
        if (attempt >= STATUS_RETRIES) throw err;
      }
    }
  }

  private recordTransitions(before: NodeStatus['conditions'], node: Node): void {
    if (!this.opts.recorder) return;
    for (const reason of conditionEventReasons(before, node.status?.conditions ?? [])) {
      this.opts.recorder.event(node, 'Normal', reason, `Node ${this.opts.nodeName} status is now: ${reason}`);
    }
  }

  /** One status round at a time; a request during a round asks for another right after. */
  private sync(): void {
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.syncing = this.postStatus()
      .catch((err: unknown) => this.log.warn('updating the node status failed', { error: message(err) }))
      .finally(() => {
        this.syncing = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.sync();
        }
      });
  }

  private every(ms: number): void {
    const tick = () => {
      if (this.stopped) return;
      this.sync();
      this.timer = this.opts.clock.setTimeout(tick, ms);
    };
    this.timer = this.opts.clock.setTimeout(tick, ms);
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
