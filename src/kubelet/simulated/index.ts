// Simulated nodes, after kwok: Node objects that report Ready and renew their Leases, and pods
// bound to them moved through their lifecycle by stages kept as data — no containers, no network.
// Thousands of nodes stay cheap: one timer renews every lease, one watch serves every pod, and a
// small pool bounds the writes in flight.
import type { Clock } from '../../apimachinery/clock.js';
import { formatMicroTime } from '../../apimachinery/duration.js';
import { silentLogger, type Logger } from '../../apimachinery/log.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/errors.js';
import { objectKey, type Informer } from '../../client/informer-types.js';
import { createInformerFactory } from '../../client/informers.js';
import { resourceForKind, type ApiClient, type ResourceClient } from '../../client/rest.js';
import { nodeInternalIP, PodAddressRange, podRangePrefix } from './addresses.js';
import { expandNodes, nodeLabels, nodeManifest, nodeStatus, type NodeFleet, type NodeSpec } from './nodes.js';
import { WritePool } from './pool.js';
import { defaultStages, stageDelay, stageFor, stageMatches, type Stage, type StageNode } from './stages.js';
import type { Lease, Node, Pod } from './types.js';

export * from './addresses.js';
export * from './nodes.js';
export * from './stages.js';
export { WritePool } from './pool.js';
export type { Lease, Node, Pod } from './types.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface SimulatedNodesOptions {
  client: ApiClient;
  clock: Clock;
  logger?: Logger;
  nodes: NodeSpec[] | NodeFleet;
  /** How often every node's Lease is renewed (default 10000 ms, the kubelet's). */
  leaseRenewMs?: number;
  /** Lease duration the nodes claim (default 40 s). */
  leaseDurationSeconds?: number;
  /** How often node status heartbeats are posted (default 5 min, the kubelet's report frequency). */
  nodeStatusMs?: number;
  /** Pod lifecycle (default `defaultStages`). */
  stages?: readonly Stage[];
  /** API writes in flight at most (default 32). */
  concurrency?: number;
  /** Wait before retrying a failed write (default 1000 ms). */
  retryMs?: number;
}

export interface SimulatorStats {
  nodes: number;
  pods: number;
  writes: number;
  failedWrites: number;
  backlog: number;
}

interface SimNode extends StageNode {
  spec: NodeSpec;
  index: number;
  range: PodAddressRange;
  uid?: string;
  renewing: boolean;
}

/** Where one pod stands: the stage waiting to act on it, and the write in flight. */
interface PodTrack {
  stage?: string;
  timer?: { cancel(): void };
  writing: boolean;
  /** An event came while writing: look again once the write is done. */
  dirty: boolean;
  /** The version a stage last wrote over: until the cache moves past it, there is nothing new to do. */
  doneVersion?: string;
}

export class SimulatedNodes {
  readonly ready: Promise<void>;
  private markReady!: () => void;
  private failReady!: (err: unknown) => void;
  private readonly nodes = new Map<string, SimNode>();
  private readonly tracks = new Map<string, PodTrack>();
  private readonly stages: readonly Stage[];
  private readonly pool: WritePool;
  private readonly log: Logger;
  private readonly abort = new AbortController();
  private readonly timers: { cancel(): void }[] = [];
  private readonly inflight = new Set<Promise<unknown>>();
  private pods?: Informer<Pod>;
  private writes = 0;
  private failedWrites = 0;
  private started = false;

  private readonly nodeClient: ResourceClient<Node>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly leaseClient: ResourceClient<Lease>;

  constructor(private readonly opts: SimulatedNodesOptions) {
    this.log = (opts.logger ?? silentLogger).with({ component: 'node-simulator' });
    this.stages = opts.stages ?? defaultStages;
    this.pool = new WritePool(opts.concurrency ?? 32);
    this.nodeClient = opts.client.kind<Node>('v1', 'Node');
    this.podClient = opts.client.kind<Pod>('v1', 'Pod');
    this.leaseClient = opts.client.kind<Lease>('coordination.k8s.io/v1', 'Lease');
    this.ready = new Promise<void>((resolve, reject) => { this.markReady = resolve; this.failReady = reject; });
    this.ready.catch(() => undefined);
    const specs = expandNodes(opts.nodes);
    specs.forEach((spec, index) => {
      if (this.nodes.has(spec.name)) throw new Error(`node ${spec.name} given twice`);
      const range = new PodAddressRange(podRangePrefix(index));
      this.nodes.set(spec.name, {
        spec, index, range, renewing: false, name: spec.name, hostIP: nodeInternalIP(index),
        allocatePodIP: () => range.allocate(),
      });
    });
  }

  get nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  stats(): SimulatorStats {
    return { nodes: this.nodes.size, pods: this.tracks.size, writes: this.writes, failedWrites: this.failedWrites, backlog: this.pool.backlog };
  }

  /** Registers the nodes, then keeps them and their pods going until `signal` aborts or `stop()`. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error('simulated nodes already started');
    this.started = true;
    const stopped = this.abort.signal;
    const onAbort = () => this.abort.abort();
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    try {
      const began = this.opts.clock.now();
      await Promise.all([...this.nodes.values()].map((n) => this.untilDone(`register node ${n.name}`, () => this.register(n))));
      if (stopped.aborted) throw new Error('stopped before the nodes were registered');

      const informers = createInformerFactory(this.opts.client, { clock: this.opts.clock, logger: this.opts.logger });
      // One watch for every bound pod; the handler keeps those on our nodes.
      const pods = informers.informer<Pod>(resourceForKind('v1', 'Pod'), { fieldSelector: 'spec.nodeName!=' });
      this.pods = pods;
      pods.addEventHandler({
        onAdd: (pod) => this.observe(pod),
        onUpdate: (_, pod) => this.observe(pod),
        onDelete: (pod) => this.forget(pod),
      });
      informers.start(stopped);
      try {
        await informers.waitForSync(stopped);
      } catch {
        throw new Error('stopped before pods were listed');
      }

      this.every(this.opts.leaseRenewMs ?? 10_000, () => this.renewLeases());
      this.every(this.opts.nodeStatusMs ?? 300_000, () => this.postNodeStatuses());
      this.log.info(`${this.nodes.size} nodes registered and ready`, { ms: this.opts.clock.now() - began });
      this.markReady();

      await new Promise<void>((resolve) => {
        if (stopped.aborted) resolve();
        else stopped.addEventListener('abort', () => resolve(), { once: true });
      });
      for (const t of this.timers) t.cancel();
      for (const track of this.tracks.values()) track.timer?.cancel();
      await informers.stopped();
      await Promise.allSettled([...this.inflight]);
    } catch (err) {
      this.failReady(err);
      for (const t of this.timers) t.cancel();
      if (!stopped.aborted) throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Stops heartbeats and pod handling; the Node objects stay (as when a kubelet stops). */
  stop(): void {
    this.abort.abort();
  }

  // --- nodes

  private async register(n: SimNode): Promise<void> {
    const now = this.opts.clock.now();
    try {
      const created = await this.nodeClient.create(undefined, nodeManifest(n.spec, n.index, now));
      n.uid = created.metadata?.uid;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // A node left from an earlier run: take it over with fresh labels and status.
      const patched = await this.nodeClient.patch(undefined, n.name, { metadata: { labels: nodeLabels(n.spec) } }, 'merge');
      n.uid = patched.metadata?.uid;
      await this.postNodeStatus(n);
    }
    await this.renewLease(n);
  }

  private postNodeStatus(n: SimNode): Promise<unknown> {
    return this.nodeClient.patch(undefined, n.name, { status: nodeStatus(n.spec, n.index, this.opts.clock.now()) }, 'merge', { subresource: 'status' });
  }

  private async renewLease(n: SimNode): Promise<void> {
    const renewTime = formatMicroTime(this.opts.clock.now());
    const leaseDurationSeconds = this.opts.leaseDurationSeconds ?? 40;
    try {
      await this.leaseClient.patch(NODE_LEASE_NAMESPACE, n.name, { spec: { holderIdentity: n.name, renewTime, leaseDurationSeconds } }, 'merge');
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.leaseClient.create(NODE_LEASE_NAMESPACE, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name: n.name, namespace: NODE_LEASE_NAMESPACE,
          ...(n.uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: n.name, uid: n.uid }] } : {}),
        },
        spec: { holderIdentity: n.name, leaseDurationSeconds, renewTime },
      });
    }
  }

  /** One round for every node; a node whose last renewal is still queued is not queued twice. */
  private renewLeases(): void {
    for (const n of this.nodes.values()) {
      if (n.renewing) continue;
      n.renewing = true;
      this.write(`renew lease ${n.name}`, () => this.renewLease(n)).finally(() => { n.renewing = false; });
    }
  }

  private postNodeStatuses(): void {
    for (const n of this.nodes.values()) this.write(`status of node ${n.name}`, () => this.postNodeStatus(n));
  }

  // --- pods

  private nodeOf(pod: Pod): SimNode | undefined {
    const name = pod.spec?.nodeName;
    return name ? this.nodes.get(name) : undefined;
  }

  private observe(pod: Pod): void {
    const node = this.nodeOf(pod);
    if (!node) return;
    if (pod.status?.podIP && !pod.spec?.hostNetwork) node.range.claim(pod.status.podIP);
    this.evaluate(objectKey(pod));
  }

  private forget(pod: Pod): void {
    const key = objectKey(pod);
    const track = this.tracks.get(key);
    track?.timer?.cancel();
    this.tracks.delete(key);
    const node = this.nodeOf(pod);
    if (node && pod.status?.podIP && !pod.spec?.hostNetwork) node.range.release(pod.status.podIP);
  }

  /** Level-triggered: looks at the pod as cached now and arranges for the stage that applies. */
  private evaluate(key: string): void {
    if (this.abort.signal.aborted) return;
    const pod = this.pods?.store.get(key);
    if (!pod || !this.nodeOf(pod)) return;
    let track = this.tracks.get(key);
    if (!track) {
      track = { writing: false, dirty: false };
      this.tracks.set(key, track);
    }
    if (track.writing) {
      track.dirty = true;
      return;
    }
    if (track.doneVersion !== undefined && track.doneVersion === pod.metadata?.resourceVersion) return;
    const stage = stageFor(this.stages, pod);
    if (track.timer && track.stage === stage?.name) return;
    track.timer?.cancel();
    track.timer = undefined;
    track.stage = stage?.name;
    if (!stage) return;
    const delay = stageDelay(stage, pod, this.opts.clock.now());
    if (delay <= 0) this.act(key, stage);
    else track.timer = this.opts.clock.setTimeout(() => this.act(key, stage), delay);
  }

  private act(key: string, stage: Stage): void {
    const track = this.tracks.get(key);
    const pod = this.pods?.store.get(key);
    if (!track || this.abort.signal.aborted) return;
    track.timer = undefined;
    const node = pod && this.nodeOf(pod);
    if (!pod || !node) return;
    if (!stageMatches(stage, pod)) return this.evaluate(key);
    const result = stage.next(pod, this.opts.clock.now(), node);
    if (result === undefined) {
      track.doneVersion = pod.metadata?.resourceVersion;
      return;
    }
    const ns = pod.metadata?.namespace;
    const name = pod.metadata?.name ?? '';
    track.writing = true;
    const write = result === 'delete'
      ? () => this.podClient.delete(ns, name, { gracePeriodSeconds: 0, ...(pod.metadata?.uid ? { preconditions: { uid: pod.metadata.uid } } : {}) })
      : () => this.podClient.patch(ns, name, { status: result }, 'merge', { subresource: 'status' });
    const done = this.pool.run(async () => {
      this.writes++;
      try {
        await write();
        track.doneVersion = pod.metadata?.resourceVersion;
      } catch (err) {
        // Gone, or replaced by a pod of the same name: the informer brings the news.
        if (isNotFound(err) || isConflict(err)) {
          track.doneVersion = pod.metadata?.resourceVersion;
          return;
        }
        this.failedWrites++;
        this.log.warn(`${stage.name} failed; retrying`, { pod: key, error: err instanceof Error ? err.message : String(err) });
        track.dirty = false;
        track.writing = false;
        track.stage = stage.name;
        track.timer = this.opts.clock.setTimeout(() => this.act(key, stage), this.opts.retryMs ?? 1000);
        return;
      }
    }).finally(() => {
      if (!track.writing) return;
      track.writing = false;
      if (track.dirty) {
        track.dirty = false;
        this.evaluate(key);
      }
    });
    this.inflight.add(done);
    void done.finally(() => this.inflight.delete(done));
  }

  // --- plumbing

  /** A write through the pool; failures are logged (the next round tries again). */
  private write(what: string, fn: () => Promise<unknown>): Promise<void> {
    const p = this.pool.run(async () => {
      this.writes++;
      await fn();
    }).catch((err: unknown) => {
      this.failedWrites++;
      this.log.warn(`${what} failed`, { error: err instanceof Error ? err.message : String(err) });
    });
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return p;
  }

  /** Retries `fn` through the pool until it succeeds or the simulator stops. */
  private async untilDone(what: string, fn: () => Promise<void>): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.pool.run(async () => {
          this.writes++;
          await fn();
        });
        return;
      } catch (err) {
        this.failedWrites++;
        this.log.warn(`${what} failed; retrying`, { error: err instanceof Error ? err.message : String(err) });
        await new Promise<void>((resolve) => {
          const t = this.opts.clock.setTimeout(resolve, this.opts.retryMs ?? 1000);
          this.abort.signal.addEventListener('abort', () => { t.cancel(); resolve(); }, { once: true });
        });
      }
    }
  }

  /** Calls `fn` every `ms` on the clock until stopped. */
  private every(ms: number, fn: () => void): void {
    let timer: { cancel(): void } | undefined;
    const tick = () => {
      if (this.abort.signal.aborted) return;
      fn();
      timer = this.opts.clock.setTimeout(tick, ms);
    };
    timer = this.opts.clock.setTimeout(tick, ms);
    this.timers.push({ cancel: () => timer?.cancel() });
  }
}
