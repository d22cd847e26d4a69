// The per-node pod network agent (flannel-like): watches Nodes and keeps this node's kernel
// routing every other node's podCIDR — directly (host-gw) or through a VXLAN device (vxlan) —
// plus masquerade for pod traffic leaving the cluster. Level-triggered: each pass compares what
// the Nodes ask for with what it programmed, and changes only the difference.
import { realClock, type Clock } from '../apimachinery/clock.js';
import { silentLogger, type Logger } from '../apimachinery/log.js';
import { createInformerFactory } from '../client/informers.js';
import { resourceForKind, type ApiClient } from '../client/rest.js';
import { runWorkers } from '../client/runner.js';
import { WorkQueue } from '../client/workqueue.js';
import { pruneRoutes, type Backend, type LocalNode } from './backend.js';
import { HostGwBackend } from './hostgw.js';
import { applyMasquerade, removeMasquerade } from './masquerade.js';
import {
  ANNOTATION_BACKEND_TYPE, ANNOTATION_PUBLIC_IP, desiredPeers, nodeInternalIP, nodePodCIDR, samePeer,
  type BackendType, type Node, type Peer,
} from './peers.js';
import { execRunner, type CommandRunner } from './runner.js';
import { VxlanBackend } from './vxlan.js';

export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';
export const DEFAULT_BACKEND: BackendType = 'vxlan';

export interface PodNetworkOptions {
  /** Reads Nodes; patches this node's annotations. */
  client: ApiClient;
  nodeName: string;
  backend?: BackendType;
  /** The address peers reach this node at (default: the Node's InternalIP). */
  nodeIP?: string;
  /** The whole pod network; traffic to it is never masqueraded (default 10.42.0.0/16). */
  clusterCIDR?: string;
  /** Runs `ip`, `bridge` and `nft` (default: on this host). */
  runner?: CommandRunner;
  clock?: Clock;
  logger?: Logger;
  /** Leave the device, routes and table in place when stopped (default: remove them). */
  keepOnStop?: boolean;
}

const SYNC = 'sync';

export class PodNetwork {
  readonly ready: Promise<void>;
  readonly backend: Backend;
  private markReady!: () => void;
  private failReady!: (e: Error) => void;
  private readonly run: CommandRunner;
  private readonly clusterCIDR: string;
  private readonly log: Logger;
  private readonly clock: Clock;
  private local: LocalNode | undefined;
  private applied = new Map<string, Peer>();
  private pruned = false;
  private waitingLogged = false;
  private readonly stopper = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly opts: PodNetworkOptions) {
    this.run = opts.runner ?? execRunner;
    this.clusterCIDR = opts.clusterCIDR ?? DEFAULT_CLUSTER_CIDR;
    this.clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? silentLogger).with({ component: 'pod-network', node: opts.nodeName });
    const type = opts.backend ?? DEFAULT_BACKEND;
    this.backend = type === 'host-gw' ? new HostGwBackend(this.run) : new VxlanBackend(this.run);
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.failReady = reject;
    });
    this.ready.catch(() => undefined);
  }

  /** The peers currently programmed, by node name. */
  peers(): ReadonlyMap<string, Peer> {
    return this.applied;
  }

  /** Runs until `signal` aborts (or `stop()`); then removes what it programmed unless `keepOnStop`. */
  start(signal: AbortSignal): Promise<void> {
    this.running ??= this.runUntil(AbortSignal.any([signal, this.stopper.signal]));
    return this.running;
  }

  /** Stops and waits until everything it created is gone (unless `keepOnStop`). */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.running;
  }

  /** Removes the device, our routes and the NAT table: also what a crashed earlier run left. */
  async cleanup(): Promise<void> {
    // Both backends' leftovers: the other one may have run here before.
    await new VxlanBackend(this.run).cleanup();
    await new HostGwBackend(this.run).cleanup();
    await removeMasquerade(this.run);
    this.applied.clear();
    this.local = undefined;
  }

  private async runUntil(signal: AbortSignal): Promise<void> {
    const informers = createInformerFactory(this.opts.client, { clock: this.clock, logger: this.log });
    const nodes = informers.informer<Node>(resourceForKind('v1', 'Node'));
    const queue = new WorkQueue({ clock: this.clock, name: 'pod-network' });
    nodes.addEventHandler({
      onAdd: () => queue.add(SYNC),
      onUpdate: () => queue.add(SYNC),
      onDelete: () => queue.add(SYNC),
    });
    informers.start(signal);
    try {
      await informers.waitForSync(signal);
      if (!signal.aborted) {
        queue.add(SYNC);
        await runWorkers(queue, () => this.sync(nodes.store.list()), {
          workers: 1,
          signal,
          onError: (_key, err) => this.log.warn('pod network sync failed; retrying', { error: String(err) }),
        });
      }
    } finally {
      queue.shutDown();
      await informers.stopped();
      this.failReady(new Error('pod network stopped before it was ready'));
      if (!this.opts.keepOnStop) {
        await this.cleanup();
        this.log.info('pod network removed');
      }
    }
  }

  private async sync(all: Node[]): Promise<void> {
    const self = all.find((n) => n.metadata?.name === this.opts.nodeName);
    const podCIDR = self && nodePodCIDR(self);
    const ip = this.opts.nodeIP ?? (self && nodeInternalIP(self));
    if (!self || !podCIDR || !ip) {
      if (!this.waitingLogged) this.log.info('waiting for this node to have a podCIDR and an address', { podCIDR, ip });
      this.waitingLogged = true;
      return;
    }
    const local: LocalNode = { name: this.opts.nodeName, ip, podCIDR };
    if (!this.local || this.local.ip !== local.ip || this.local.podCIDR !== local.podCIDR) await this.setUp(local, self);

    const desired = desiredPeers(all, local, this.backend.type);
    for (const [name, old] of this.applied) {
      const next = desired.get(name);
      if (next && samePeer(old, next)) continue;
      await this.backend.removePeer(old);
      this.applied.delete(name);
      if (!next) this.log.info('removed route to node', { peer: name, podCIDR: old.podCIDR });
    }
    for (const [name, peer] of desired) {
      if (this.applied.has(name)) continue;
      await this.backend.addPeer(peer);
      this.applied.set(name, peer);
      this.log.info('routed node podCIDR', { peer: name, podCIDR: peer.podCIDR, via: peer.ip, backend: this.backend.type });
    }
    if (!this.pruned) {
      // Routes a previous run left for nodes that have gone since.
      const stale = await pruneRoutes(this.run, new Set([...desired.values()].map((p) => p.podCIDR)));
      if (stale.length) this.log.info('removed stale routes', { routes: stale });
      this.pruned = true;
      this.markReady();
    }
  }

  private async setUp(local: LocalNode, self: Node): Promise<void> {
    if (this.local) {
      this.log.info('this node changed address or podCIDR; setting the network up again', { ip: local.ip, podCIDR: local.podCIDR });
      for (const peer of this.applied.values()) await this.backend.removePeer(peer);
      this.applied.clear();
    }
    const annotations = {
      ...(await this.backend.setup(local)),
      [ANNOTATION_BACKEND_TYPE]: this.backend.type,
      [ANNOTATION_PUBLIC_IP]: local.ip,
    };
    await applyMasquerade(this.run, local.podCIDR, this.clusterCIDR);
    await this.checkForwarding();
    const current = self.metadata?.annotations ?? {};
    if (Object.entries(annotations).some(([k, v]) => current[k] !== v)) {
      await this.opts.client.kind<Node>('v1', 'Node').patch(undefined, local.name, { metadata: { annotations } }, 'merge');
    }
    this.local = local;
    this.log.info('pod network set up', { backend: this.backend.type, ip: local.ip, podCIDR: local.podCIDR });
  }

  private async checkForwarding(): Promise<void> {
    try {
      const v = (await this.run('cat', ['/proc/sys/net/ipv4/ip_forward'])).trim();
      if (v !== '1') this.log.warn('net.ipv4.ip_forward is off: pod traffic will not cross this node');
    } catch {
      // Not knowing is no reason to stop.
    }
  }
}
