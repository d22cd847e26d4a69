// Fake nodes for end-to-end tests until a real kubelet exists: Node objects that report Ready,
// keep their Lease in kube-node-lease fresh, and act the kubelet's part for pods bound to them
// (Running and Ready at once, gone when deleted). The scheduler in `kite server` binds pods to
// them. Everything goes through the API over HTTPS, as a kubelet's writes would.
//
// A pod annotated `kite.test/exit-code: "<n>"` stands for a container that exits: it runs for
// `kite.test/run-ms` milliseconds (default 300) and then ends Succeeded (n = 0) or Failed.
import type { Kite } from './server-process.js';

/** Pod annotation: the containers exit with this code a moment after they start. */
export const EXIT_CODE_ANNOTATION = 'kite.test/exit-code';
/** Pod annotation: how long (ms) a pod with an exit code runs before it exits (default 300). */
export const RUN_MS_ANNOTATION = 'kite.test/run-ms';

export interface FakeNodesOptions {
  names: string[];
  /** Extra labels of each node (the kubernetes.io/hostname, os and arch labels are always set). */
  labels?: (name: string, index: number) => Record<string, string>;
  /** Taints each node registers with. */
  taints?: (name: string, index: number) => Taint[];
  /** Lease renewal period (default 2000 ms, the kubelet's). */
  leaseRenewMs?: number;
  /** Node status (Ready heartbeat) period (default 10000 ms, the kubelet's). */
  statusUpdateMs?: number;
}

export interface FakeNodes {
  readonly names: string[];
  /** Stops one node: no more heartbeats, and its pods are left alone (a node that died). */
  stop(name: string): void;
  /** Brings a stopped node back: it reports Ready, renews its Lease and looks after its pods again. */
  resume(name: string): Promise<void>;
  /** Stops every node and the pod watch; the Node objects stay. */
  close(): Promise<void>;
  /** Failed writes, for failure messages. */
  readonly errors: string[];
}

const LEASE_DURATION_SECONDS = 40;
const RESYNC_MS = 3000;

/** metav1.MicroTime. */
function microTime(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/** metav1.Time. */
function time(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface Taint { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }

interface NodeState {
  name: string;
  index: number;
  labels: Record<string, string>;
  taints: Taint[];
  alive: boolean;
  uid?: string;
  internalIP: string;
  nextPodHost: number;
  timers: NodeJS.Timeout[];
}

function nodeManifest(n: NodeState): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels: { ...n.labels, 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
    },
    spec: { podCIDR: `10.244.${n.index}.0/24`, podCIDRs: [`10.244.${n.index}.0/24`], ...(n.taints.length ? { taints: n.taints } : {}) },
  };
}

function nodeStatus(n: NodeState): object {
  const now = time();
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: now,
  });
  const resources = { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  return {
    capacity: resources,
    allocatable: resources,
    conditions: [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [{ type: 'InternalIP', address: n.internalIP }, { type: 'Hostname', address: n.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: `fake-${n.name}`, systemUUID: `fake-${n.name}`, bootID: `fake-${n.name}`,
      kernelVersion: '6.1.0', osImage: 'Fake Node', containerRuntimeVersion: 'containerd://1.7.0',
      kubeletVersion: 'v1.32.0', kubeProxyVersion: 'v1.32.0', operatingSystem: 'linux', architecture: 'amd64',
    },
  };
}

/** Registers `names` as Ready nodes and keeps them alive until stopped. */
export async function startFakeNodes(kite: Kite, opts: FakeNodesOptions): Promise<FakeNodes> {
  const errors: string[] = [];
  const fail = (what: string, detail: unknown) => {
    errors.push(`${what}: ${detail instanceof Error ? detail.message : String(detail)}`);
    if (errors.length > 200) errors.splice(0, errors.length - 200);
  };
  const nodes = new Map<string, NodeState>();
  opts.names.forEach((name, i) => nodes.set(name, {
    name, index: i + 1, labels: opts.labels?.(name, i) ?? {}, taints: opts.taints?.(name, i) ?? [], alive: true, internalIP: `172.30.0.${i + 2}`, nextPodHost: 2, timers: [],
  }));
  let closed = false;

  const expect = async (what: string, p: Promise<{ status: number; body: string }>, ok: number[] = [200, 201]) => {
    const res = await p;
    if (!ok.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    return res;
  };

  // --- nodes and their heartbeats

  const writeNodeStatus = async (n: NodeState) => {
    await expect(`status of node ${n.name}`, kite.request('PATCH', `/api/v1/nodes/${n.name}/status`, { status: nodeStatus(n) },
      { 'Content-Type': 'application/merge-patch+json' }));
  };

  const register = async (n: NodeState) => {
    let res = await kite.request('POST', '/api/v1/nodes', nodeManifest(n));
    if (res.status === 409) res = await kite.request('GET', `/api/v1/nodes/${n.name}`);
    if (res.status !== 200 && res.status !== 201) throw new Error(`register node ${n.name}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    n.uid = res.json().metadata.uid;
    await writeNodeStatus(n);
    await renewLease(n);
  };

  const leasePath = (name: string) => `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
  const renewLease = async (n: NodeState) => {
    const patched = await kite.request('PATCH', leasePath(n.name), { spec: { holderIdentity: n.name, renewTime: microTime() } },
      { 'Content-Type': 'application/merge-patch+json' });
    if (patched.status === 200) return;
    if (patched.status !== 404) throw new Error(`renew lease ${n.name}: HTTP ${patched.status} ${patched.body.slice(0, 300)}`);
    await expect(`create lease ${n.name}`, kite.request('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: n.name, namespace: 'kube-node-lease',
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: n.name, uid: n.uid }],
      },
      spec: { holderIdentity: n.name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime() },
    }), [201, 409]);
  };

  const every = (n: NodeState, ms: number, what: string, fn: () => Promise<void>) => {
    const tick = () => {
      if (closed || !n.alive) return;
      fn().catch((err) => fail(`${what} ${n.name}`, err)).finally(() => {
        if (closed || !n.alive) return;
        const t = setTimeout(tick, ms);
        t.unref();
        n.timers.push(t);
        if (n.timers.length > 8) n.timers.splice(0, n.timers.length - 8);
      });
    };
    const t = setTimeout(tick, ms);
    t.unref();
    n.timers.push(t);
  };

  const heartbeat = (n: NodeState) => {
    every(n, opts.leaseRenewMs ?? 2000, 'renew lease of', () => renewLease(n));
    every(n, opts.statusUpdateMs ?? 10_000, 'status of', () => writeNodeStatus(n));
  };
  for (const n of nodes.values()) {
    await register(n);
    heartbeat(n);
  }

  // --- pods: the kubelet's part for pods bound to our nodes

  const busy = new Set<string>();

  const runningStatus = (pod: any, n: NodeState): object => {
    const now = time();
    const podIP = `10.244.${n.index}.${n.nextPodHost++ % 250 + 2}`;
    const containerStatus = (c: any) => ({
      name: c.name, image: c.image, imageID: `${c.image}@sha256:${'0'.repeat(64)}`,
      containerID: `containerd://${Buffer.from(`${pod.metadata.uid}/${c.name}`).toString('hex').slice(0, 64).padEnd(64, '0')}`,
      ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } },
    });
    const initStatus = (c: any) => ({
      name: c.name, image: c.image, imageID: `${c.image}@sha256:${'0'.repeat(64)}`,
      containerID: `containerd://${Buffer.from(`${pod.metadata.uid}/init/${c.name}`).toString('hex').slice(0, 64).padEnd(64, '0')}`,
      ready: true, started: false, restartCount: 0,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } },
    });
    const cond = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
    return {
      phase: 'Running',
      conditions: [cond('PodReadyToStartContainers'), cond('Initialized'), cond('Ready'), cond('ContainersReady'), cond('PodScheduled')],
      hostIP: n.internalIP, hostIPs: [{ ip: n.internalIP }],
      podIP, podIPs: [{ ip: podIP }],
      startTime: pod.status?.startTime ?? now,
      qosClass: pod.status?.qosClass,
      containerStatuses: (pod.spec?.containers ?? []).map(containerStatus),
      ...(pod.spec?.initContainers?.length ? { initContainerStatuses: pod.spec.initContainers.map(initStatus) } : {}),
    };
  };

  const handlePod = async (pod: any) => {
    const ns = pod.metadata?.namespace;
    const name = pod.metadata?.name;
    const key = `${ns}/${name}`;
    if (!ns || !name || busy.has(key)) return;
    const path = `/api/v1/namespaces/${ns}/pods/${name}`;
    const nodeName: string | undefined = pod.spec?.nodeName;
    const phase: string | undefined = pod.status?.phase;
    if (!nodeName) return;
    busy.add(key);
    try {
      const n = nodes.get(nodeName);
      if (!n || !n.alive) return;
      if (pod.metadata.deletionTimestamp) {
        // The containers are "stopped" at once; the kubelet then removes the pod for good.
        await expect(`delete ${key}`, kite.request('DELETE', path, {
          apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid },
        }), [200, 202, 404, 409]);
        return;
      }
      if (phase === 'Succeeded' || phase === 'Failed') return;
      if (phase === 'Running') {
        scheduleExit(pod, n);
        return;
      }
      await expect(`status of ${key}`, kite.request('PATCH', `${path}/status`, {
        status: runningStatus(pod, n),
      }, { 'Content-Type': 'application/merge-patch+json' }), [200, 404, 409]);
    } finally {
      busy.delete(key);
    }
  };

  // Pods annotated with an exit code: their containers stop after a moment.
  const exiting = new Map<string, NodeJS.Timeout>();
  const scheduleExit = (pod: any, n: NodeState) => {
    const raw = pod.metadata.annotations?.[EXIT_CODE_ANNOTATION];
    if (raw === undefined) return;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (exiting.has(key)) return;
    const exitCode = Number(raw) || 0;
    const runMs = Number(pod.metadata.annotations?.[RUN_MS_ANNOTATION] ?? 300);
    const t = setTimeout(() => {
      if (closed || !n.alive) {
        exiting.delete(key);
        return;
      }
      // The key stays until the write is done, so a resync in between does not exit the pod twice.
      void expect(`exit of ${key}`, kite.request('PATCH', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`, {
        status: exitedStatus(pod, exitCode),
      }, { 'Content-Type': 'application/merge-patch+json' }), [200, 404, 409])
        .catch((err) => fail('pod exit', err))
        .finally(() => exiting.delete(key));
    }, runMs);
    t.unref();
    exiting.set(key, t);
  };

  const exitedStatus = (pod: any, exitCode: number): object => {
    const now = time();
    const reason = exitCode === 0 ? 'Completed' : 'Error';
    const started = (c: any) => pod.status?.containerStatuses?.find((s: any) => s.name === c.name)?.state?.running?.startedAt ?? now;
    const cond = (type: string, status: string) => ({
      type, status, lastProbeTime: null, lastTransitionTime: now, ...(status === 'False' ? { reason: 'PodCompleted' } : {}),
    });
    return {
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      conditions: [cond('PodReadyToStartContainers', 'False'), cond('Initialized', 'True'), cond('Ready', 'False'),
        cond('ContainersReady', 'False'), cond('PodScheduled', 'True')],
      containerStatuses: (pod.spec?.containers ?? []).map((c: any) => ({
        ...(pod.status?.containerStatuses?.find((s: any) => s.name === c.name) ?? { name: c.name, image: c.image }),
        ready: false, started: false,
        state: { terminated: { exitCode, reason, startedAt: started(c), finishedAt: now } },
      })),
    };
  };

  const handle = (pod: any) => { void handlePod(pod).catch((err) => fail('pod', err)); };

  const resync = async () => {
    const res = await kite.request('GET', '/api/v1/pods');
    if (res.status !== 200) throw new Error(`list pods: HTTP ${res.status}`);
    const list = res.json();
    for (const pod of list.items ?? []) handle(pod);
    return String(list.metadata?.resourceVersion ?? '');
  };

  let watch: Awaited<ReturnType<Kite['stream']>> | undefined;
  let wakeWatch: (() => void) | undefined;
  const watchLoop = async () => {
    while (!closed) {
      try {
        const rv = await resync();
        watch = await kite.stream(`/api/v1/pods?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}`);
        if (watch.status !== 200) throw new Error(`watch pods: HTTP ${watch.status}`);
        while (!closed) {
          let ev: any;
          try {
            ev = await watch.nextJson(5000);
          } catch {
            if (watch.ended) break;
            continue;
          }
          if (ev.type === 'ERROR') break;
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') handle(ev.object);
        }
      } catch (err) {
        if (!closed) fail('pod watch', err);
        await new Promise<void>((r) => {
          const t = setTimeout(r, 500);
          wakeWatch = () => { clearTimeout(t); r(); };
        });
        wakeWatch = undefined;
      } finally {
        watch?.close();
        watch = undefined;
      }
    }
  };
  const watching = watchLoop();

  // Retries what a single event could not do (e.g. pods pending while every node was stopped).
  const resyncTimer = setInterval(() => { if (!closed) resync().catch((err) => fail('resync', err)); }, RESYNC_MS);
  resyncTimer.unref();

  const stopNode = (n: NodeState) => {
    n.alive = false;
    for (const t of n.timers) clearTimeout(t);
    n.timers = [];
  };

  return {
    names: [...opts.names],
    errors,
    stop(name) {
      const n = nodes.get(name);
      if (!n) throw new Error(`no fake node named ${name}`);
      stopNode(n);
    },
    async resume(name) {
      const n = nodes.get(name);
      if (!n) throw new Error(`no fake node named ${name}`);
      if (n.alive || closed) return;
      n.alive = true;
      await writeNodeStatus(n);
      await renewLease(n);
      heartbeat(n);
      await resync();
    },
    async close() {
      closed = true;
      clearInterval(resyncTimer);
      for (const n of nodes.values()) stopNode(n);
      for (const t of exiting.values()) clearTimeout(t);
      exiting.clear();
      watch?.close();
      wakeWatch?.();
      await watching;
    },
  };
}
