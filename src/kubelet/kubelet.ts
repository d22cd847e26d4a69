// The node agent's kubelet: composes containerd (its own, or one at an endpoint), the CRI, the
// images, the pod network's CNI config, the Node's registration and status, the HTTPS endpoint,
// and the pod workers fed by an informer on the pods bound here, a 1 s runtime relist and a 10 s
// resync. Stopping it leaves containers running; a new Kubelet adopts them.
import { readFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, Pod, Secret, Service, Taint } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../apimachinery/clock.js';
import type { Logger } from '../apimachinery/log.js';
import type { KubeObject } from '../apimachinery/object.js';
import { isNotFound } from '../client/errors.js';
import { createEventRecorder } from '../client/events.js';
import type { Informer } from '../client/informer-types.js';
import { createInformerFactory } from '../client/informers.js';
import { resourceForKind, type ApiClient } from '../client/rest.js';
import { cniConfList, writeCniConfig } from './containerd/cni.js';
import { Containerd } from './containerd/containerd.js';
import { connectCri, type CriClient } from './cri/client.js';
import { buildStandardImages, importImageDir } from './images/index.js';
import { NodeStatusAgent, type Node } from './node/agent.js';
import type { RuntimeStatus } from './node/conditions.js';
import { agentPaths, type AgentPaths } from './paths.js';
import { parseResolvConf } from './pods/dns.js';
import type { EnvSource } from './pods/env.js';
import { ImagePuller } from './runtime/images.js';
import { CONTAINER_GC_PERIOD_MS } from './runtime/gc.js';
import { RuntimeManager, type CriServices } from './runtime/manager.js';
import { CriStreams } from './runtime/streams.js';
import { CriLogFiles } from './server/log-files.js';
import { KubeletServer } from './server/server.js';
import { KubeletError } from './server/types.js';
import { VolumeManager } from './volumes/manager.js';
import { LocalPathProvisioner } from './volumes/localpath/index.js';
import { ProbeManager } from './probes/manager.js';
import { PodLifecycleEvents } from './workers/pleg.js';
import { criExec, managedProbes } from './workers/probes.js';
import { PodWorkers, type SyncRequest, type SyncResult } from './workers/pod-workers.js';
import { PodStatusManager } from './workers/status-manager.js';
import { PodSyncer, type PodProbes, type PodVolumes } from './workers/sync.js';

export interface KubeletOptions {
  client: ApiClient;
  clock: Clock;
  logger: Logger;
  nodeName: string;
  nodeIP?: string;
  dataDir: string;
  /** A running CRI runtime (`unix:///run/containerd/containerd.sock`); else the agent runs its own containerd. */
  containerRuntimeEndpoint?: string;
  /** Else the Node's spec.podCIDR, else (unless waitForPodCIDR) 10.42.0.0/24. */
  podCIDR?: string;
  /**
   * The node IPAM controller gives this node its podCIDR: wait for the Node's spec.podCIDR before
   * writing the CNI config (the node stays NotReady until then) instead of taking 10.42.0.0/24.
   */
  waitForPodCIDR?: boolean;
  /** The CNI bridge masquerades pod traffic leaving the node (default true; off when the pod network agent does). */
  cniMasquerade?: boolean;
  /** The pods' MTU (default the bridge plugin's: the link's). */
  cniMTU?: number;
  /** The pods' Linux bridge; default `kite0`. */
  cniBridge?: string;
  /** Default ['10.43.0.10']. */
  clusterDNS?: string[];
  /** Default `cluster.local`. */
  clusterDomain?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  maxPods?: number;
  serving?: { cert: string; key: string; clientCA: string; port?: number; host?: string };
  /** Build the standard images if missing and import every archive in paths.images at start (default true). */
  importImages?: boolean;
  /** For tests: CRI services to use instead of connecting to an endpoint. */
  cri?: CriServices;
  /** For tests: probes and lifecycle hooks. */
  probes?: PodProbes;
  /** For tests: the volume manager. */
  volumes?: PodVolumes;
  /** Runtime relist period (default 1000 ms) and full resync period (default 10000 ms). */
  relistMs?: number;
  resyncMs?: number;
}

export const DEFAULT_POD_CIDR = '10.42.0.0/24';
export const DEFAULT_CLUSTER_DNS = ['10.43.0.10'];

type ApiPod = Pod & KubeObject;

export class Kubelet {
  /** Resolves once the Node is registered and the pods bound here are listed. */
  readonly ready: Promise<void>;
  readonly paths: AgentPaths;
  private markReady!: () => void;
  private failReady!: (e: unknown) => void;
  private readonly log: Logger;
  private pods?: Informer<ApiPod>;
  private readonly byUid = new Map<string, ApiPod>();
  private workers?: PodWorkers;
  private syncer?: PodSyncer;
  private runtime?: RuntimeManager;
  private statuses?: PodStatusManager;
  private nodeAgent?: NodeStatusAgent;
  private server?: KubeletServer;
  private started = false;

  constructor(private readonly opts: KubeletOptions) {
    this.paths = agentPaths(opts.dataDir);
    this.log = opts.logger.with({ component: 'kubelet', node: opts.nodeName });
    this.ready = new Promise((resolve, reject) => { this.markReady = resolve; this.failReady = reject; });
    this.ready.catch(() => undefined);
  }

  /** The kubelet server's address, once it listens. */
  serverAddress(): { address: string; port: number } | undefined {
    return this.server?.address();
  }

  /** Runs until `signal` aborts, then stops everything but the containers. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error('kubelet already started');
    this.started = true;
    const o = this.opts;
    const tasks: Promise<unknown>[] = [];
    const timers: { cancel(): void }[] = [];
    let cri: CriClient | undefined;
    let probeManager: ProbeManager | undefined;
    try {
      // containerd, then the CRI
      let endpoint = o.containerRuntimeEndpoint;
      if (!o.cri && !endpoint) {
        const containerd = new Containerd({ paths: this.paths, logger: o.logger, clock: o.clock });
        tasks.push(containerd.start(signal).catch((e) => this.log.error('containerd supervisor failed', { error: String(e) })));
        await Promise.race([containerd.ready, aborted(signal)]);
        endpoint = containerd.endpoint;
      }
      let services = o.cri;
      if (!services) {
        cri = connectCri(endpoint!, { waitForReady: true });
        await cri.waitForReady(60_000);
        services = cri;
      }
      const version = await services.runtime.version({});
      this.log.info('container runtime answered', { runtime: version.runtimeName, version: version.runtimeVersion });
      if (signal.aborted) return;

      // images and the pod network
      if (o.importImages ?? (o.cri === undefined)) await this.importImages(endpoint!);
      let podCIDR = o.podCIDR ?? (await this.nodePodCIDR()) ?? (o.waitForPodCIDR ? undefined : DEFAULT_POD_CIDR);
      if (podCIDR) await this.writeCniConfig(podCIDR);

      // the Node
      const recorder = createEventRecorder(o.client, { component: 'kubelet', host: o.nodeName, clock: o.clock, logger: o.logger });
      const runtime = new RuntimeManager(services, o.logger);
      this.runtime = runtime;
      const nodeAgent = new NodeStatusAgent({
        client: o.client, clock: o.clock, logger: o.logger, nodeName: o.nodeName, nodeIP: o.nodeIP, dataDir: o.dataDir,
        labels: o.labels, taints: o.taints, maxPods: o.maxPods, kubeletPort: o.serving?.port ?? 10250, recorder,
        runtimeStatus: () => runtimeStatus(services!, version.runtimeName, version.runtimeVersion),
        images: async () => (await services!.images.listImages({})).images.map((i) => ({ names: [...i.repoTags, ...i.repoDigests], sizeBytes: i.size })),
      });
      this.nodeAgent = nodeAgent;
      tasks.push(nodeAgent.start(signal).catch((e) => this.log.error('node status agent failed', { error: String(e) })));
      // The built-in local-path StorageClass's volumes of this node.
      const localPath = new LocalPathProvisioner({ client: o.client, clock: o.clock, logger: o.logger, nodeName: o.nodeName, dir: this.paths.localPath });
      tasks.push(localPath.start(signal).catch((e) => this.log.error('local-path provisioner failed', { error: String(e) })));
      await Promise.race([nodeAgent.ready, aborted(signal)]);
      if (signal.aborted) return;
      if (!podCIDR) {
        podCIDR = await this.waitForPodCIDR(signal);
        if (!podCIDR) return;
        await this.writeCniConfig(podCIDR);
      }

      // the HTTPS endpoint
      if (o.serving) {
        this.server = new KubeletServer({
          tls: o.serving, port: o.serving.port ?? 10250, host: o.serving.host ?? '0.0.0.0', logger: o.logger, clock: o.clock,
          logs: new CriLogFiles({ paths: this.paths, locate: (ns, name, c) => this.locate(ns, name, c) }),
          streams: new CriStreams(runtime, (ns, name) => this.podByName(ns, name)?.metadata?.uid),
        });
        await this.server.start(signal);
      }

      // informers and workers
      const informers = createInformerFactory(o.client, { clock: o.clock, logger: o.logger });
      const pods = informers.informer<ApiPod>(resourceForKind('v1', 'Pod'), { fieldSelector: `spec.nodeName=${o.nodeName}` });
      const services$ = informers.informer<Service & KubeObject>(resourceForKind('v1', 'Service'));
      this.pods = pods;
      const statuses = new PodStatusManager(o.client, o.logger);
      this.statuses = statuses;
      const dnsServers = o.clusterDNS ?? DEFAULT_CLUSTER_DNS;
      const hostResolv = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
      const probeHolder: { workers?: PodWorkers } = {};
      probeManager = new ProbeManager({
        clock: o.clock, logger: o.logger, exec: criExec(services.runtime),
        recorder: (pod, type, reason, message) => recorder.event(pod as KubeObject, type, reason, message),
        onChange: (uid) => probeHolder.workers?.update(uid),
      });
      this.syncer = new PodSyncer({
        runtime, statuses, recorder, clock: o.clock, logger: o.logger, paths: this.paths,
        images: new ImagePuller(services.images, o.clock, recorder),
        volumes: o.volumes ?? new VolumeManager({ client: o.client, clock: o.clock, logger: o.logger, paths: this.paths }),
        dns: { servers: dnsServers, domain: o.clusterDomain ?? 'cluster.local', host: parseResolvConf(hostResolv) },
        env: this.envSource(services$),
        machineMemoryBytes: totalmem(),
        hostIPs: () => hostIPs(nodeAgent.node(), o.nodeIP),
        nodeAllocatable: () => nodeAgent.node()?.status?.allocatable,
        probes: o.probes ?? managedProbes(probeManager, criExec(services.runtime), o.clock, (pod, reason, message) => recorder.event(pod as KubeObject, 'Warning', reason, message)),
      });
      const workers = new PodWorkers((uid, req) => this.syncPod(uid, req), o.clock, o.logger);
      this.workers = workers;
      probeHolder.workers = workers;
      pods.addEventHandler({
        onAdd: (p) => this.observe(p),
        onUpdate: (_, p) => this.observe(p),
        onDelete: (p) => { if (p.metadata?.uid) workers.update(p.metadata.uid); },
      });
      informers.start(signal);
      await informers.waitForSync(signal);
      this.markReady();
      this.log.info('kubelet ready', { pods: pods.store.list().length });

      // the runtime relist (PLEG) and the periodic resync
      const pleg = new PodLifecycleEvents(services);
      const relist = async () => {
        try {
          const { changed, present } = await pleg.relist();
          for (const uid of changed) workers.update(uid);
          // Sandboxes of pods no longer bound here are orphans: their worker cleans them up.
          for (const uid of present) if (!this.byUid.has(uid) && !workers.busy(uid)) workers.update(uid);
          if (changed.length) nodeAgent.requestStatusUpdate();
        } catch (e) {
          this.log.warn('runtime relist failed', { error: (e as Error).message });
        }
      };
      every(o.clock, o.relistMs ?? 1000, signal, timers, relist);
      every(o.clock, o.resyncMs ?? 10_000, signal, timers, async () => {
        this.syncer?.backoff.gc();
        for (const uid of this.byUid.keys()) workers.update(uid, true);
      });
      // Dead containers and sandboxes beyond what status and `logs --previous` need (runtime/gc.ts).
      every(o.clock, CONTAINER_GC_PERIOD_MS, signal, timers, async () => { await this.syncer?.garbageCollect(); });
      await relist();
      await aborted(signal);
    } catch (e) {
      this.failReady(e);
      if (!signal.aborted) throw e;
    } finally {
      for (const t of timers) t.cancel();
      probeManager?.stop();
      await this.workers?.stop();
      await this.server?.stopped;
      await Promise.all(tasks);
      cri?.close();
      this.failReady(new Error('kubelet stopped'));
    }
  }

  private observe(pod: ApiPod): void {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    this.byUid.set(uid, pod);
    this.workers?.update(uid);
  }

  private async syncPod(uid: string, req: SyncRequest): Promise<SyncResult> {
    const syncer = this.syncer!;
    const pod = this.byUid.get(uid);
    const current = pod && this.pods?.store.get(`${pod.metadata?.namespace}/${pod.metadata?.name}`);
    if (!current || current.metadata?.uid !== uid) {
      const r = await syncer.cleanup(uid, pod);
      this.byUid.delete(uid);
      return r;
    }
    const r = await syncer.sync(current, req);
    if (r.done) this.byUid.delete(uid);
    return r;
  }

  private podByName(namespace: string, name: string): ApiPod | undefined {
    return this.pods?.store.get(`${namespace}/${name}`);
  }

  private locate(namespace: string, name: string, container: string) {
    const pod = this.podByName(namespace, name);
    if (!pod) throw new KubeletError(404, `pod ${namespace}/${name} not found`);
    const uid = pod.metadata?.uid ?? '';
    const find = () => {
      const p = this.byUid.get(uid) ?? pod;
      const status = this.statuses?.cached(uid) ?? p.status ?? {};
      return [...(status.containerStatuses ?? []), ...(status.initContainerStatuses ?? [])].find((s) => s.name === container);
    };
    const cs = find();
    if (!cs) throw new KubeletError(400, `container ${container} is not valid for pod ${name}`);
    return { podUID: uid, restartCount: cs.restartCount ?? 0, waiting: Boolean(cs.state?.waiting && cs.lastState?.terminated), running: () => Boolean(find()?.state?.running) };
  }

  private envSource(services: Informer<Service & KubeObject>): EnvSource {
    const get = async <T>(kind: string, ns: string, name: string): Promise<T | undefined> => {
      try {
        return await this.opts.client.kind<T & KubeObject>('v1', kind).get(ns, name);
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    };
    return {
      configMap: (ns, name) => get<ConfigMap>('ConfigMap', ns, name),
      secret: (ns, name) => get<Secret>('Secret', ns, name),
      services: (ns) => services.store.byIndex('namespace', ns),
    };
  }

  private async importImages(endpoint: string): Promise<void> {
    const socket = endpoint.replace(/^unix:\/\//, '');
    try {
      await buildStandardImages(this.paths.images);
    } catch (e) {
      this.log.warn('standard images not built', { error: (e as Error).message });
    }
    for (const r of await importImageDir(socket, this.paths.images)) {
      if (r.error) this.log.warn('image import failed', { file: r.file, error: r.error });
      else this.log.info('images imported', { file: r.file, names: r.names });
    }
  }

  private async writeCniConfig(podCIDR: string): Promise<void> {
    const o = this.opts;
    if (o.cri) return;
    await writeCniConfig(this.paths.cniConfDir, cniConfList({
      name: 'kite', bridge: o.cniBridge ?? 'kite0', podCIDR, ipamDataDir: join(this.paths.root, 'cni', 'networks'),
      masquerade: o.cniMasquerade ?? true, ...(o.cniMTU ? { mtu: o.cniMTU } : {}),
    }));
    this.log.info('pod network configured', { podCIDR });
  }

  /** Polls the Node until the node IPAM controller has given it a podCIDR; undefined once `signal` aborts. */
  private async waitForPodCIDR(signal: AbortSignal): Promise<string | undefined> {
    this.log.info('waiting for the node IPAM controller to give this node a podCIDR');
    while (!signal.aborted) {
      const cidr = await this.nodePodCIDR();
      if (cidr) return cidr;
      await new Promise<void>((resolve) => {
        const onAbort = () => { t.cancel(); resolve(); };
        const t = this.opts.clock.setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, 500);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    return undefined;
  }

  private async nodePodCIDR(): Promise<string | undefined> {
    try {
      const node = await this.opts.client.kind<Node>('v1', 'Node').get(undefined, this.opts.nodeName);
      return node.spec?.podCIDR || undefined;
    } catch {
      return undefined;
    }
  }
}

async function runtimeStatus(cri: CriServices, name: string, version: string): Promise<RuntimeStatus> {
  const r = await cri.runtime.status({});
  const conds = r.status?.conditions ?? [];
  const runtime = conds.find((c) => c.type === 'RuntimeReady');
  const network = conds.find((c) => c.type === 'NetworkReady');
  const bad = [runtime, network].find((c) => c && !c.status);
  return {
    runtimeReady: Boolean(runtime?.status), networkReady: Boolean(network?.status),
    reason: bad?.reason, message: bad?.message, version: `${name}://${version}`,
  };
}

function hostIPs(node: Node | undefined, nodeIP: string | undefined): string[] {
  const internal = (node?.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
  if (internal.length) return internal;
  return nodeIP ? [nodeIP] : [];
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Runs `fn` every `ms` on the clock (never two at once) until the signal aborts. */
function every(clock: Clock, ms: number, signal: AbortSignal, timers: { cancel(): void }[], fn: () => Promise<void>): void {
  let current: { cancel(): void } | undefined;
  let stopped = false;
  timers.push({ cancel: () => { stopped = true; current?.cancel(); } });
  const tick = () => {
    if (signal.aborted || stopped) return;
    current = clock.setTimeout(() => { void fn().finally(tick); }, ms);
  };
  tick();
}
