// The service proxy: watches Services and EndpointSlices and keeps its own rules in the kernel in
// step with them — one nftables table, or KITE-* iptables chains where nftables is not usable.
// Events mark Services dirty; a rate-limited sync re-models only those and hands the kernel one
// transaction (nftables: just the chains that differ; iptables: all of ours). Stopping removes
// every rule it made, leaving the host as it was.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { BoundedRunner } from '../apimachinery/bounded-runner.js';
import type { Clock } from '../apimachinery/clock.js';
import { realClock } from '../apimachinery/clock.js';
import type { Logger } from '../apimachinery/log.js';
import type { KubeObject } from '../apimachinery/object.js';
import { silentLogger } from '../apimachinery/log.js';
import type { Informer, InformerFactory } from '../client/informer-types.js';
import { resourceForKind } from '../client/rest.js';
import { ChangeTracker } from './changes.js';
import { IptablesDataplane, NftablesDataplane, type Dataplane } from './dataplane.js';
import { SERVICE_NAME_LABEL, servicePorts, type NodeInfo } from './model.js';
import type { KernelProxyMode } from './mode.js';
import type { CommandRunner } from './nft.js';
import { DEFAULT_TABLE } from './render.js';

type ServiceObject = Service & KubeObject;
type SliceObject = EndpointSlice & KubeObject;

export interface ProxierOptions {
  /** Service and EndpointSlice informers are asked of it; the proxier starts it. */
  informers: InformerFactory;
  /** This node's name: endpoints carrying it are local for the Local traffic policies. */
  nodeName: string;
  /** Addresses that accept NodePort traffic; none means every local address but loopback. */
  nodeIPs?: string[];
  /** The pod network; other clients of a ClusterIP are masqueraded. */
  clusterCIDR?: string;
  /** Default nftables; iptables for hosts where nftables is not usable (see detectProxyMode). */
  mode?: KernelProxyMode;
  /** Default `kite-proxy` (family ip). */
  table?: string;
  run?: CommandRunner;
  /** Default `['nft']`. */
  nftCommand?: string[];
  /** Put before iptables-save/iptables-restore, e.g. `['ip', 'netns', 'exec', 'ns1']`. */
  iptablesPrefix?: string[];
  /** Least time between two syncs; default 100 ms. */
  minSyncIntervalMs?: number;
  /** How long an unused nftables chain stays (empty) before it is deleted; default 1 s. */
  staleChainDelayMs?: number;
  /** Wait before retrying a failed sync (as a full one); default 1 s. */
  retryMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface ProxierStats {
  syncs: number;
  failures: number;
  /** The text of the last transaction sent to nft or iptables-restore. */
  lastTransaction: string;
}

export class Proxier {
  readonly ready: Promise<void>;
  readonly table: string;
  private markReady!: () => void;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly node: NodeInfo;
  private readonly tracker = new ChangeTracker();
  private readonly dataplane: Dataplane;
  private services!: Informer<ServiceObject>;
  private slices!: Informer<SliceObject>;
  private synced = false;
  private started = false;
  private readonly runner: BoundedRunner;
  private staleDue = false;
  private readonly counters = { syncs: 0, failures: 0 };

  constructor(private readonly opts: ProxierOptions) {
    this.table = opts.table ?? DEFAULT_TABLE;
    this.clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? silentLogger).with({ component: 'proxy' });
    this.node = { nodeName: opts.nodeName, nodeIPs: opts.nodeIPs ?? [], ...(opts.clusterCIDR ? { clusterCIDR: opts.clusterCIDR } : {}) };
    this.ready = new Promise((resolve) => { this.markReady = resolve; });
    this.dataplane = opts.mode === 'iptables'
      ? new IptablesDataplane(this.node, { run: opts.run, prefix: opts.iptablesPrefix })
      : new NftablesDataplane(this.table, this.node, { run: opts.run, command: opts.nftCommand }, this.clock, opts.staleChainDelayMs ?? 1000);
    this.runner = new BoundedRunner({
      clock: this.clock,
      minIntervalMs: opts.minSyncIntervalMs ?? 100,
      sync: () => this.syncOnce(),
      // Changed Services, chains waiting to be deleted, or a kernel state to rebuild.
      pending: () => this.tracker.size > 0 || this.staleDue || !this.synced,
    });
  }

  stats(): ProxierStats {
    return { ...this.counters, lastTransaction: this.dataplane.lastTransaction };
  }

  /** Programs the kernel until `signal` aborts, then removes its rules. */
  async start(signal: AbortSignal): Promise<void> {
    this.services = this.opts.informers.informer<ServiceObject>(resourceForKind('v1', 'Service'));
    this.slices = this.opts.informers.informer<SliceObject>(resourceForKind('discovery.k8s.io/v1', 'EndpointSlice'));
    const onService = { onAdd: (s: Service) => this.changed(() => this.tracker.service(s)), onUpdate: (_: Service, s: Service) => this.changed(() => this.tracker.service(s)), onDelete: (s: Service) => this.changed(() => this.tracker.service(s)) };
    const onSlice = {
      onAdd: (s: EndpointSlice) => this.changed(() => this.tracker.slice(s)),
      onUpdate: (old: EndpointSlice, s: EndpointSlice) => this.changed(() => { this.tracker.slice(old); this.tracker.slice(s); }),
      onDelete: (s: EndpointSlice) => this.changed(() => this.tracker.slice(s)),
    };
    this.services.addEventHandler(onService);
    this.slices.addEventHandler(onSlice);
    this.opts.informers.start(signal);
    try {
      await this.opts.informers.waitForSync(signal);
    } catch {
      return;
    }
    if (signal.aborted) return;
    for (const key of this.services.store.keys()) this.tracker.service(this.services.store.get(key));
    this.started = true;
    await this.runner.run();
    this.markReady();
    this.log.info(`programming ${this.dataplane.description}`, { node: this.opts.nodeName });
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await this.stop();
  }

  /** Stops syncing and removes its rules. */
  async stop(): Promise<void> {
    await this.runner.stop();
    try {
      await this.dataplane.cleanup();
      this.log.info(`deleted ${this.dataplane.description}`);
    } catch (err) {
      this.log.error(`could not delete ${this.dataplane.description}`, { error: err instanceof Error ? err.message : String(err) });
    }
  }

  private changed(mark: () => void): void {
    mark();
    if (this.started) this.runner.request();
  }

  /** One pass; the runner calls it only when something is pending, never two at once. */
  private async syncOnce(): Promise<void> {
    const dirty = this.tracker.take();
    this.staleDue = false;
    for (const key of dirty) {
      const svc = this.services.store.get(key);
      if (!svc) {
        this.dataplane.setService(key, []);
        continue;
      }
      const [ns, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
      const slices = this.slices.store.byIndex('namespace', ns).filter((s) => s.metadata?.labels?.[SERVICE_NAME_LABEL] === name);
      this.dataplane.setService(key, servicePorts(svc, slices));
    }
    try {
      const result = await this.dataplane.sync();
      this.counters.syncs++;
      this.synced = true;
      this.log.debug('synced', { ...result.detail, services: dirty.size });
      if (result.resyncAfterMs !== undefined) {
        this.staleDue = true;
        this.runner.request(result.resyncAfterMs);
      }
    } catch (err) {
      this.counters.failures++;
      this.log.error(`${this.opts.mode ?? 'nftables'} sync failed; retrying with a full sync`, { error: err instanceof Error ? err.message : String(err) });
      // The kernel's state is unknown now: the next sync rebuilds everything from the model.
      this.synced = false;
      this.dataplane.reset();
      for (const key of dirty) this.tracker.service({ metadata: { namespace: key.slice(0, key.indexOf('/')), name: key.slice(key.indexOf('/') + 1) } });
      this.staleDue = true;
      this.runner.request(this.opts.retryMs ?? 1000);
    }
  }
}
