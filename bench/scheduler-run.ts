// One case of the scheduling benchmark, in this process: a real API server on SQLite in a temp
// dir, nodes and init pods created through the API, then either
//  - alone: the scheduler (default profile, in-process client, real event recorder) with the
//    measured pods created before it starts (or streamed while it runs); a pod is done when its
//    Bind returned (the Scheduled event), or
//  - e2e: simulated nodes and the scheduler in this process, the pods created over HTTPS by a
//    load generator in another process; a pod is done when the simulated kubelet reports it Running.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { realClock } from '../src/apimachinery/clock.js';
import { createLogger, type Logger } from '../src/apimachinery/log.js';
import type { KubeObject } from '../src/apimachinery/object.js';
import { ensureServerPKI } from '../src/apiserver/pki/index.js';
import { defaultComponents, type ApiServerInstance } from '../src/cli/components.js';
import { createEventRecorder } from '../src/client/events.js';
import { createInformerFactory } from '../src/client/informers.js';
import { ApiClient, resourceForKind } from '../src/client/rest.js';
import { directTransport, inProcessTransport } from '../src/client/transport.js';
import { SimulatedNodes } from '../src/kubelet/simulated/index.js';
import { Scheduler } from '../src/scheduler/scheduler.js';
import { defaultProfile, defaultRegistry } from '../src/scheduler/plugins/registry.js';
import { percentiles, windowRates, type CaseResult } from './scheduler-stats.js';
import { MEASURED_PREFIX, NAMESPACE, workloads, type Case } from './scheduler-workloads.js';

export interface RunOptions {
  mode: 'alone' | 'e2e';
  /** Create the measured pods while the scheduler runs (always so end to end). */
  stream: boolean;
  /** Creates in flight. */
  concurrency: number;
  timeoutS: number;
  /** Write a V8 CPU profile of the measured phase (not the set-up) here. */
  profileFile?: string;
}

/** A CPU profile of this process from now until stop(), through the inspector. */
async function startProfiler(): Promise<{ stop(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  const post = <T>(method: string): Promise<T> => new Promise((resolve, reject) => {
    session.post(method, (err, res) => (err ? reject(err) : resolve(res as T)));
  });
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await post<{ profile: unknown }>('Profiler.stop');
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `make(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function pooled(count: number, concurrency: number, make: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await make(next++);
  }));
}

export interface Cluster {
  server: ApiServerInstance;
  client(user: string): ApiClient;
  pki: Awaited<ReturnType<typeof ensureServerPKI>>;
  close(): Promise<void>;
}

export async function startCluster(logger: Logger): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'kite-bench-scheduler-'));
  const [backend, pki, ApiServer] = await Promise.all([
    defaultComponents.createBackend({ driver: 'sqlite', path: join(dir, 'state.db') }, logger.with({ component: 'storage' })),
    ensureServerPKI(join(dir, 'tls'), { hostnames: [], ips: [] }),
    defaultComponents.loadApiServer(),
  ]);
  await backend.start();
  const stop = new AbortController();
  const server = new ApiServer({
    backend, bindAddress: '127.0.0.1', port: 0, logger: logger.with({ component: 'apiserver' }),
    tls: { cert: pki.servingCert, key: pki.servingKey, clientCA: pki.caCert },
  });
  await server.start(stop.signal);
  const clients: ApiClient[] = [];
  return {
    server, pki,
    client(user) {
      const u = { name: user, groups: ['system:masters'] };
      // As kite server does: direct calls into the handler; KITE_BENCH_TRANSPORT=socket compares with the in-process socket.
      const c = new ApiClient(server.directHandler && process.env.KITE_BENCH_TRANSPORT !== 'socket'
        ? directTransport(server.directHandler(u), user)
        : inProcessTransport(() => server.connectInProcess!(u), user));
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      stop.abort();
      await Promise.race([server.stopped.catch(() => undefined), sleep(10_000)]);
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs one case and returns its figures. */
export async function runCase(c: Case, opts: RunOptions): Promise<CaseResult> {
  const w = workloads[c.workload];
  if (!w) throw new Error(`unknown workload ${c.workload}`);
  const logger = createLogger({ sink: process.stderr, human: true, level: 'warn' });
  const log = (msg: string) => process.stderr.write(`  [${opts.mode} ${c.workload} ${c.nodes}n/${c.pods}p] ${msg}\n`);
  const registry = defaultRegistry();
  const base = {
    mode: opts.mode, workload: c.workload, nodes: c.nodes, initPods: c.initPods, pods: c.pods,
    precreated: opts.mode === 'alone' && !opts.stream,
  };
  if (w.needsPreemption && !('DefaultPreemption' in registry)) {
    return {
      ...base, completed: false, done: 0, seconds: 0, podsPerSecond: 0, windowPodsPerSecond: percentiles([]), latencyMs: percentiles([]),
      failedScheduling: 0, peakRssMiB: 0, note: 'skipped: the DefaultPreemption plugin is not registered',
    };
  }
  const cluster = await startCluster(logger);
  const stop = new AbortController();
  const running: Promise<unknown>[] = [];
  try {
    const admin = cluster.client('bench-admin');
    await admin.kind('v1', 'Namespace').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } } as KubeObject);
    for (const [name, value] of Object.entries(w.priorityClasses ?? {})) {
      await admin.kind('scheduling.k8s.io/v1', 'PriorityClass').create(undefined, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value } as KubeObject);
    }
    const t = performance.now();
    let nodeNames: string[];
    if (opts.mode === 'alone') {
      await pooled(c.nodes, opts.concurrency, (i) => admin.kind('v1', 'Node').create(undefined, w.node(i) as KubeObject));
      nodeNames = Array.from({ length: c.nodes }, (_, i) => w.node(i).metadata!.name!);
    } else {
      const sim = new SimulatedNodes({
        client: cluster.client('system:node-simulator'), clock: realClock, logger,
        nodes: Array.from({ length: c.nodes }, (_, i) => {
          const n = w.node(i);
          return { name: n.metadata!.name!, labels: n.metadata!.labels, capacity: { cpu: '4', memory: '32Gi', pods: '110' } };
        }),
      });
      running.push(sim.start(stop.signal));
      await sim.ready;
      nodeNames = sim.nodeNames;
    }
    await pooled(c.initPods, opts.concurrency, (i) => admin.kind('v1', 'Pod').create(NAMESPACE, w.initPod(i, nodeNames[i % nodeNames.length]!) as KubeObject));
    log(`${c.nodes} nodes and ${c.initPods} init pods in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // Victims of preemption have no kubelet to finish their graceful deletion: finish it here.
    const pods = admin.kind<Pod & KubeObject>('v1', 'Pod');
    if (w.needsPreemption && opts.mode === 'alone') {
      const watcher = createInformerFactory(admin, { clock: realClock, logger });
      watcher.informer<Pod & KubeObject>(resourceForKind('v1', 'Pod'), { namespace: NAMESPACE }).addEventHandler({
        onUpdate: (_o, p) => {
          if (p.metadata?.deletionTimestamp) void pods.delete(NAMESPACE, p.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => undefined);
        },
      });
      watcher.start(stop.signal);
      await watcher.waitForSync(stop.signal);
    }

    const created = new Map<string, number>();
    const doneAt = new Map<string, number>();
    let failedScheduling = 0;
    const createMeasured = () => pooled(c.pods, opts.concurrency, async (i) => {
      const p = w.pod(i);
      created.set(p.metadata!.name!, performance.now());
      await pods.create(NAMESPACE, p as Pod & KubeObject);
    });

    // The scheduler, as schedulerController composes it, with its Scheduled events counted.
    const schedClient = cluster.client('system:kube-scheduler');
    const events = createEventRecorder(schedClient, { component: 'default-scheduler', clock: realClock, logger });
    const informers = createInformerFactory(schedClient, { clock: realClock, logger });
    const scheduler = new Scheduler({
      client: schedClient, clock: realClock, logger: logger.with({ component: 'scheduler' }), registry, informers,
      profiles: [defaultProfile(registry)],
      recorder: {
        event(o, type, reason, message) {
          const name = o.metadata?.name ?? '';
          if (reason === 'FailedScheduling') failedScheduling++;
          else if (opts.mode === 'alone' && reason === 'Scheduled' && name.startsWith(MEASURED_PREFIX)) doneAt.set(name, performance.now());
          events.event(o, type, reason, message);
        },
      },
    });
    if (opts.mode === 'e2e') {
      const observer = createInformerFactory(admin, { clock: realClock, logger });
      observer.informer<Pod & KubeObject>(resourceForKind('v1', 'Pod'), { namespace: NAMESPACE }).addEventHandler({
        onUpdate: (_o, p) => {
          const name = p.metadata?.name ?? '';
          if (p.status?.phase === 'Running' && name.startsWith(MEASURED_PREFIX) && !doneAt.has(name)) doneAt.set(name, Date.now());
        },
      });
      observer.start(stop.signal);
      await observer.waitForSync(stop.signal);
    }
    if (base.precreated) {
      const t1 = performance.now();
      await createMeasured();
      log(`${c.pods} pods created in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    }
    scheduler.watch(informers);
    informers.start(stop.signal);
    await informers.waitForSync(stop.signal);
    const profiler = opts.profileFile ? await startProfiler() : undefined;
    let t0 = performance.now();
    running.push(scheduler.run(stop.signal));
    let load: Promise<number> | undefined;
    if (opts.mode === 'e2e') {
      load = loadGenerator(cluster, c, opts, created);
      running.push(load);
    } else if (opts.stream) running.push(createMeasured());

    const deadline = Date.now() + opts.timeoutS * 1000;
    let lastReport = Date.now();
    while (doneAt.size < c.pods && Date.now() < deadline) {
      await sleep(20);
      if (Date.now() - lastReport >= 5000) {
        lastReport = Date.now();
        log(`${doneAt.size}/${c.pods} ${opts.mode === 'e2e' ? 'running' : 'bound'}`);
      }
    }
    if (profiler) await profiler.stop(opts.profileFile!);
    if (load) t0 = await load;
    // Let the event writes finish before the server stops (they are not part of the figures).
    await Promise.race([events.flush(), sleep(10_000)]);
    const times = [...doneAt.values()];
    const end = times.length ? Math.max(...times) : t0;
    const latencies = [...doneAt].map(([name, at]) => at - Math.max(t0, created.get(name) ?? t0));
    const seconds = (end - t0) / 1000;
    return {
      ...base,
      completed: doneAt.size >= c.pods, done: doneAt.size, seconds,
      podsPerSecond: seconds > 0 ? doneAt.size / seconds : 0,
      windowPodsPerSecond: percentiles(windowRates(times, t0, end)),
      latencyMs: percentiles(latencies),
      failedScheduling,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      ...(base.precreated ? { note: 'latency counted from the scheduler start for pods created before it' } : {}),
    };
  } finally {
    stop.abort();
    await Promise.race([Promise.allSettled(running), sleep(10_000)]);
    await cluster.close();
  }
}

/**
 * Creates the measured pods over HTTPS from another process (this script with
 * KITE_BENCH_LOADGEN set), so the load generator's work does not share the server's event loop;
 * it reports when it started creating and each pod's creation time (epoch ms).
 */
async function loadGenerator(cluster: Cluster, c: Case, opts: RunOptions, created: Map<string, number>): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--cpu-prof')), process.argv[1]!], {
    env: {
      ...process.env,
      KITE_BENCH_LOADGEN: JSON.stringify({
        server: `https://127.0.0.1:${cluster.server.address().port}`, ca: cluster.pki.caCert, cert: cluster.pki.adminCert, key: cluster.pki.adminKey,
        workload: c.workload, pods: c.pods, concurrency: opts.concurrency,
      }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  const report = JSON.parse(out.trim().split('\n').pop()!) as { start: number; created: Record<string, number> };
  for (const [name, at] of Object.entries(report.created)) created.set(name, at);
  return report.start;
}
