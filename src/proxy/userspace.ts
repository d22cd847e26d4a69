// The userspace proxy, for hosts whose kernel offers neither nftables nor iptables: the proxy
// serves every Service address itself. Each ClusterIP is added to a local device and listened on,
// as are local externalIPs and load-balancer IPs and the NodePorts; connections and datagrams are
// relayed to endpoints in turn. Updates touch only the ServicePorts that changed, so unchanged
// listeners keep their connections; stopping closes every listener and removes our addresses.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Clock } from '../apimachinery/clock.js';
import { realClock } from '../apimachinery/clock.js';
import type { Logger } from '../apimachinery/log.js';
import { silentLogger } from '../apimachinery/log.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { Informer, InformerFactory } from '../client/informer-types.js';
import { resourceForKind } from '../client/rest.js';
import { ChangeTracker } from './changes.js';
import { SERVICE_NAME_LABEL, servicePortKey, servicePorts, type ServicePortModel } from './model.js';
import type { CommandRunner } from './nft.js';
import { ServiceAddresses } from './userspace-addresses.js';
import { RoundRobinBalancer, type TrafficKind } from './userspace-balancer.js';
import { emptyStats, errorText, type ListenerContext, type ServiceListener, type UserspaceStats } from './userspace-listener.js';
import { TcpServiceListener } from './userspace-tcp.js';
import { UdpServiceListener } from './userspace-udp.js';

type ServiceObject = Service & KubeObject;
type SliceObject = EndpointSlice & KubeObject;

export interface UserspaceProxierOptions {
  informers: InformerFactory;
  /** Endpoints with this nodeName are local, for the Local traffic policies. */
  nodeName: string;
  /** Addresses NodePorts are opened on; none means 0.0.0.0. */
  nodeIPs?: string[];
  /** Runs the `ip addr` commands; default spawns them. */
  addressRunner?: CommandRunner;
  /** The ip command; default `['ip']`. */
  ipCommand?: string[];
  /** Where ClusterIPs are added; default `lo`. */
  device?: string;
  /** How long a UDP association outlives its last datagram; default 30 s. */
  udpIdleTimeoutMs?: number;
  /** Time limits of the connect attempts of one TCP connection; default 250, 500, 1000, 2000 ms. */
  dialTimeoutsMs?: number[];
  /** Wait before retrying a listener or address that failed; default 5 s. */
  retryMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/** One ServicePort's balancer and the listeners that feed it, by `protocol host:port kind`. */
interface PortState {
  model: ServicePortModel;
  balancer: RoundRobinBalancer;
  listeners: Map<string, ServiceListener>;
}

interface ListenSpec {
  host: string;
  port: number;
  kind: TrafficKind;
}

export class UserspaceProxier {
  readonly ready: Promise<void>;
  private markReady!: () => void;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly tracker = new ChangeTracker();
  private readonly addresses: ServiceAddresses;
  private readonly counters: UserspaceStats = emptyStats();
  /** Service key → its ServicePorts by servicePortKey. */
  private readonly services = new Map<string, Map<string, PortState>>();
  private serviceInformer!: Informer<ServiceObject>;
  private sliceInformer!: Informer<SliceObject>;
  private started = false;
  private stopping = false;
  private syncing: Promise<void> | undefined;
  private retry: { cancel(): void } | undefined;
  private readonly retryKeys = new Set<string>();
  /** Closed listeners whose connections are still finishing; stopping ends them. */
  private readonly draining = new Set<ServiceListener>();

  constructor(private readonly opts: UserspaceProxierOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? silentLogger).with({ component: 'proxy', mode: 'userspace' });
    this.addresses = new ServiceAddresses({ device: opts.device, run: opts.addressRunner, ipCommand: opts.ipCommand });
    this.ready = new Promise((resolve) => { this.markReady = resolve; });
  }

  stats(): UserspaceStats & { listeners: number; addresses: string[] } {
    let listeners = 0;
    for (const ports of this.services.values()) for (const p of ports.values()) listeners += p.listeners.size;
    return { ...this.counters, listeners, addresses: this.addresses.ours() };
  }

  /** Serves Service addresses until `signal` aborts, then closes everything and removes our addresses. */
  async start(signal: AbortSignal): Promise<void> {
    this.serviceInformer = this.opts.informers.informer<ServiceObject>(resourceForKind('v1', 'Service'));
    this.sliceInformer = this.opts.informers.informer<SliceObject>(resourceForKind('discovery.k8s.io/v1', 'EndpointSlice'));
    const svc = (s: Service) => this.changed(() => this.tracker.service(s));
    const slice = (s: EndpointSlice) => this.changed(() => this.tracker.slice(s));
    this.serviceInformer.addEventHandler({ onAdd: svc, onUpdate: (_, s) => svc(s), onDelete: svc });
    this.sliceInformer.addEventHandler({ onAdd: slice, onUpdate: (old, s) => { slice(old); slice(s); }, onDelete: slice });
    this.opts.informers.start(signal);
    try {
      await this.opts.informers.waitForSync(signal);
    } catch {
      return;
    }
    if (signal.aborted) return;
    for (const s of this.serviceInformer.store.list()) this.tracker.service(s);
    this.started = true;
    await this.sync();
    this.markReady();
    this.log.info('serving Service addresses in userspace', { node: this.opts.nodeName, device: this.addresses.device });
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await this.stop();
  }

  /** Closes every listener (and its connections) and removes the addresses we added. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.retry?.cancel();
    await this.syncing;
    const closing: Promise<void>[] = [];
    for (const ports of this.services.values()) {
      for (const p of ports.values()) for (const l of p.listeners.values()) closing.push(l.close(true));
    }
    this.services.clear();
    for (const l of this.draining) closing.push(l.close(true));
    this.draining.clear();
    await Promise.all(closing);
    for (const ip of this.addresses.ours()) await this.removeAddress(ip);
    this.log.info('stopped serving Service addresses');
  }

  private changed(mark: () => void): void {
    mark();
    if (this.started) void this.sync();
  }

  /** Runs syncs one after another until nothing is dirty. */
  private sync(): Promise<void> {
    if (this.syncing) return this.syncing;
    const run = (async () => {
      try {
        while (this.tracker.size > 0 && !this.stopping) await this.syncServices(this.tracker.take());
      } finally {
        this.syncing = undefined;
      }
    })();
    this.syncing = run;
    return run;
  }

  private async syncServices(dirty: Set<string>): Promise<void> {
    this.counters.syncs++;
    let present: Set<string>;
    try {
      present = await this.addresses.list();
    } catch (err) {
      this.counters.addressFailures++;
      this.log.error('could not list local addresses', { error: errorText(err) });
      present = new Set();
    }
    const again: string[] = [];
    for (const key of dirty) {
      try {
        if (!(await this.syncService(key, present))) again.push(key);
      } catch (err) {
        again.push(key);
        this.log.error('could not sync Service', { service: key, error: errorText(err) });
      }
    }
    await this.releaseAddresses();
    for (const key of again) this.retryKeys.add(key);
    if (this.retryKeys.size > 0 && !this.retry && !this.stopping) {
      // Marked dirty only when the retry is due, so that this sync loop ends now.
      this.retry = this.clock.setTimeout(() => {
        this.retry = undefined;
        for (const key of this.retryKeys) this.tracker.service({ metadata: { namespace: key.slice(0, key.indexOf('/')), name: key.slice(key.indexOf('/') + 1) } });
        this.retryKeys.clear();
        void this.sync();
      }, this.opts.retryMs ?? 5000);
    }
  }

  /** Brings one Service's listeners in line with its objects; false when something must be retried. */
  private async syncService(key: string, present: Set<string>): Promise<boolean> {
    const [ns, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    const svc = this.serviceInformer.store.get(key);
    const slices = svc ? this.sliceInformer.store.byIndex('namespace', ns).filter((s) => s.metadata?.labels?.[SERVICE_NAME_LABEL] === name) : [];
    const wanted = new Map((svc ? servicePorts(svc, slices) : []).map((sp) => [servicePortKey(sp), sp] as const));
    const current = this.services.get(key) ?? new Map<string, PortState>();
    for (const [pk, state] of current) {
      if (wanted.has(pk)) continue;
      current.delete(pk);
      for (const l of state.listeners.values()) this.retire(l);
    }
    let ok = true;
    for (const [pk, sp] of wanted) {
      let state = current.get(pk);
      if (state) {
        state.model = sp;
        state.balancer.update(sp);
      } else {
        state = { model: sp, balancer: new RoundRobinBalancer(this.clock, this.opts.nodeName, sp), listeners: new Map() };
        current.set(pk, state);
      }
      try {
        await this.addresses.add(sp.clusterIP, present);
      } catch (err) {
        this.counters.addressFailures++;
        this.log.warn('could not add the ClusterIP', { service: key, ip: sp.clusterIP, error: errorText(err) });
        ok = false;
      }
      if (!(await this.syncListeners(state, present))) ok = false;
    }
    if (current.size > 0) this.services.set(key, current);
    else this.services.delete(key);
    return ok;
  }

  /** Where `sp` is listened on, and whether an address was passed over for not being local (yet). */
  private listenSpecs(sp: ServicePortModel, present: Set<string>): { specs: ListenSpec[]; notLocal: boolean } {
    const specs: ListenSpec[] = [{ host: sp.clusterIP, port: sp.port, kind: 'internal' }];
    let notLocal = false;
    for (const ip of new Set([...sp.externalIPs, ...sp.loadBalancerIPs])) {
      if (ip === sp.clusterIP) continue;
      // Only addresses this host holds (loopback ones always are); others belong to other nodes.
      if (present.has(ip) || ip.startsWith('127.')) specs.push({ host: ip, port: sp.port, kind: 'external' });
      else notLocal = true;
    }
    if (sp.nodePort) {
      const hosts = this.opts.nodeIPs?.length ? this.opts.nodeIPs : ['0.0.0.0'];
      for (const host of hosts) specs.push({ host, port: sp.nodePort, kind: 'external' });
    }
    return { specs, notLocal };
  }

  private async syncListeners(state: PortState, present: Set<string>): Promise<boolean> {
    const sp = state.model;
    const { specs, notLocal } = this.listenSpecs(sp, present);
    const wanted = new Map<string, ListenSpec>(specs.map((s) => [`${sp.protocol} ${s.host}:${s.port} ${s.kind}`, s]));
    for (const [lk, l] of state.listeners) {
      if (wanted.has(lk)) continue;
      state.listeners.delete(lk);
      this.retire(l);
    }
    // An address that is not local now may become so (a load-balancer IP on this node): look again later.
    let ok = !notLocal;
    for (const [lk, spec] of wanted) {
      if (state.listeners.has(lk)) continue;
      const ctx: ListenerContext = { balancer: state.balancer, kind: spec.kind, clock: this.clock, log: this.log, stats: this.counters };
      const l = sp.protocol === 'tcp' ? new TcpServiceListener(spec.host, spec.port, ctx, this.opts.dialTimeoutsMs)
        : sp.protocol === 'udp' ? new UdpServiceListener(spec.host, spec.port, ctx, this.opts.udpIdleTimeoutMs)
        : undefined;
      if (!l) continue; // SCTP has no userspace proxy
      try {
        await l.listen();
        state.listeners.set(lk, l);
      } catch (err) {
        ok = false;
        this.counters.bindFailures++;
        this.log.warn('could not listen on a Service address', { service: `${sp.namespace}/${sp.name}`, address: `${spec.host}:${spec.port}/${sp.protocol}`, error: errorText(err) });
        void l.close();
      }
    }
    return ok;
  }

  /** Stops a listener accepting; its connections may finish (or end when the proxier stops). */
  private retire(l: ServiceListener): void {
    this.draining.add(l);
    void l.close().then(() => this.draining.delete(l));
  }

  /** Removes the addresses of ours no ServicePort uses any more. */
  private async releaseAddresses(): Promise<void> {
    const used = new Set<string>();
    for (const ports of this.services.values()) for (const p of ports.values()) used.add(p.model.clusterIP);
    for (const ip of this.addresses.ours()) if (!used.has(ip)) await this.removeAddress(ip);
  }

  private async removeAddress(ip: string): Promise<void> {
    try {
      await this.addresses.remove(ip);
    } catch (err) {
      this.counters.addressFailures++;
      this.log.warn('could not remove a ClusterIP', { ip, error: errorText(err) });
    }
  }
}
