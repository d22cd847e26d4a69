// Controller throughput: how long the in-process controllers take to bring N Deployments × R
// replicas to their desired pod count, and the watch and work-queue rates they sustain meanwhile.
//
// Each datastore runs in its own child process (so peak RSS is that run's alone): the storage
// backend and API server as `kite server` composes them, the controllers via runControllers /
// allControllers behind the same leader election, and a separate HTTPS client that creates the
// Deployments (32 at a time) and watches pods and ReplicaSets until every Deployment has its pods
// and every ReplicaSet reports status.replicas == R. There is no kubelet, so the pods stay Pending:
// reaching the desired pod count is the end point.
//
// Env: KITE_BENCH_DEPLOYMENTS (1000), KITE_BENCH_REPLICAS (10), KITE_BENCH_CONCURRENCY (32),
// KITE_BENCH_DATASTORES (sqlite,etcd), KITE_BENCH_ROUNDS (3; the median round is reported),
// KITE_BENCH_TIMEOUT_S (600 per round),
// KITE_BENCH_CPU_PROF=1 writes a V8 CPU profile of each run to bench/results/profiles/.
// Prints a table and writes bench/results/controllers-<date>.json and controllers-latest.json.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { realClock } from '../src/apimachinery/clock.js';
import { createLogger } from '../src/apimachinery/log.js';
import type { KubeObject } from '../src/apimachinery/object.js';
import { ensureServerPKI } from '../src/apiserver/pki/index.js';
import { defaultComponents } from '../src/cli/components.js';
import { allControllers } from '../src/cli/controllers.js';
import type { Datastore } from '../src/cli/flags.js';
import { leaderIdentity, runControllers } from '../src/cli/run-controllers.js';
import type { Controller } from '../src/client/controller.js';
import { createInformerFactory, type SharedInformerFactory } from '../src/client/informers.js';
import { isAlreadyExists } from '../src/client/errors.js';
import { ApiClient, resourceForKind } from '../src/client/rest.js';
import { httpsTransport, inProcessTransport } from '../src/client/transport.js';
import { WorkQueue } from '../src/client/workqueue.js';
import { startEtcdProcess, type EtcdProcess } from '../src/storage/etcd/process.js';

const DEPLOYMENTS = Number(process.env.KITE_BENCH_DEPLOYMENTS ?? 1000);
const REPLICAS = Number(process.env.KITE_BENCH_REPLICAS ?? 10);
const CONCURRENCY = Number(process.env.KITE_BENCH_CONCURRENCY ?? 32);
const TIMEOUT_S = Number(process.env.KITE_BENCH_TIMEOUT_S ?? 600);
/** Each datastore runs this many times, each in a fresh process; the round with the median total time is reported. */
const ROUNDS = Number(process.env.KITE_BENCH_ROUNDS ?? 3);
const DATASTORES = (process.env.KITE_BENCH_DATASTORES ?? 'sqlite,etcd').split(',').map((s) => s.trim()).filter(Boolean);
const NAMESPACE = 'bench';
/** bench/ when run from source, dist/bench/ when compiled. */
const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, here.includes(`${sep}dist${sep}`) ? '../..' : '..');

interface QueueStat { name: string; adds: number; processed: number }
interface InformerStat { resource: string; events: number }

interface Row {
  datastore: string;
  /** Total seconds of every round; the other figures are the median round's. */
  roundTotals?: number[];
  deployments: number;
  replicas: number;
  /** Every Deployment had its pods and every ReplicaSet reported them before the deadline. */
  completed: boolean;
  totalSeconds: number;
  createSeconds: number;
  deploymentCreatesPerSecond: number;
  pods: number;
  podsPerSecond: number;
  timeToPodsP50Ms: number;
  timeToPodsP99Ms: number;
  timeToPodsMaxMs: number;
  readyReplicaSets: number;
  informerEvents: number;
  informerEventsPerSecond: number;
  queueAdds: number;
  queueProcessed: number;
  queueProcessedPerSecond: number;
  peakRssMiB: number;
  informers: InformerStat[];
  queues: QueueStat[];
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until(what: string, deadline: number, test: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

// Work queues live inside the controllers; the bench finds them by noting every queue that takes a key.
const queues = new Set<WorkQueue>();
const originalAdd = WorkQueue.prototype.add;
WorkQueue.prototype.add = function add(this: WorkQueue, key: string): void {
  queues.add(this);
  originalAdd.call(this, key);
};
function queueStats(): QueueStat[] {
  const byName = new Map<string, QueueStat>();
  for (const q of queues) {
    const s = byName.get(q.name || '(unnamed)') ?? { name: q.name || '(unnamed)', adds: 0, processed: 0 };
    s.adds += q.adds;
    s.processed += q.processed;
    byName.set(s.name, s);
  }
  return [...byName.values()];
}

function delta<T extends { events?: number; adds?: number; processed?: number }>(before: Map<string, T>, key: string, field: keyof T, now: T): number {
  const b = before.get(key);
  return (now[field] as number) - ((b?.[field] as number | undefined) ?? 0);
}

/** One datastore, in this (child) process. */
async function runOne(datastore: string, etcdEndpoint: string | undefined): Promise<Row> {
  const logger = createLogger({ sink: process.stderr, human: true, level: 'warn' });
  const dir = await mkdtemp(join(tmpdir(), 'kite-bench-controllers-'));
  const stop = new AbortController();
  const controllersStop = new AbortController();
  let controllersDone: Promise<void> = Promise.resolve();
  const closers: (() => Promise<void> | void)[] = [];
  try {
    const ds: Datastore = datastore === 'sqlite'
      ? { driver: 'sqlite', path: join(dir, 'state.db') }
      : { driver: 'etcd', endpoints: [etcdEndpoint!] };
    const [backend, pki, ApiServer] = await Promise.all([
      defaultComponents.createBackend(ds, logger.with({ component: 'storage' })),
      ensureServerPKI(join(dir, 'tls'), { hostnames: [], ips: [] }),
      defaultComponents.loadApiServer(),
    ]);
    await backend.start();
    closers.push(() => backend.close());
    const server = new ApiServer({
      backend, bindAddress: '127.0.0.1', port: 0, logger: logger.with({ component: 'apiserver' }),
      tls: { cert: pki.servingCert, key: pki.servingKey, clientCA: pki.caCert },
    });
    await server.start(stop.signal);
    closers.push(() => server.stopped);

    // The controllers, as `kite server` runs them; each is wrapped only to catch the informer factory.
    let factory: SharedInformerFactory | undefined;
    const controllers: Controller[] = allControllers().map((c) => ({
      name: c.name,
      run: (ctx, signal) => {
        factory ??= ctx.informers as SharedInformerFactory;
        return c.run(ctx, signal);
      },
    }));
    const cmClient = new ApiClient(inProcessTransport(
      () => server.connectInProcess!({ name: 'system:kube-controller-manager', groups: ['system:masters'] }), 'kite-controller-manager'));
    closers.push(() => cmClient.close());
    controllersDone = runControllers({
      client: cmClient, controllers: controllers, logger, signal: controllersStop.signal, host: 'bench',
      leaderElection: { identity: leaderIdentity('bench') },
    });

    // The user: HTTPS with the admin certificate.
    const client = new ApiClient(httpsTransport({
      server: `https://127.0.0.1:${server.address().port}`, ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey,
    }, 'kite-bench'));
    closers.push(() => client.close());

    const setupDeadline = Date.now() + 60_000;
    await until('the controllers to start', setupDeadline, () => factory !== undefined);
    await factory!.waitForSync();
    await until('informers to sync', setupDeadline, () => factory!.stats().every((s) => s.synced));
    try {
      await client.kind('v1', 'Namespace').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    // Pods need the namespace's default service account, which a controller creates.
    await until('the default service account', setupDeadline, async () => {
      try {
        await client.kind('v1', 'ServiceAccount').get(NAMESPACE, 'default');
        return true;
      } catch {
        return false;
      }
    });

    // The observer: its own informers over HTTPS, counting pods per Deployment and ReplicaSets at R.
    const observer = createInformerFactory(client, { clock: realClock, logger });
    const observing = new AbortController();
    const podsOf = new Map<string, number>();
    const reachedAt = new Map<string, number>();
    const readyRS = new Set<string>();
    let pods = 0;
    let lastPodAt = 0;
    const appOf = (o: KubeObject) => o.metadata?.labels?.['bench-app'];
    observer.informer(resourceForKind('v1', 'Pod'), { namespace: NAMESPACE }).addEventHandler({
      onAdd(p) {
        const app = appOf(p);
        if (!app) return;
        pods++;
        lastPodAt = performance.now();
        const n = (podsOf.get(app) ?? 0) + 1;
        podsOf.set(app, n);
        if (n >= REPLICAS && !reachedAt.has(app)) reachedAt.set(app, performance.now());
      },
      onDelete(p) {
        const app = appOf(p);
        if (!app) return;
        pods--;
        podsOf.set(app, (podsOf.get(app) ?? 1) - 1);
      },
    });
    const rsReady = (rs: KubeObject) => {
      const key = rs.metadata!.name!;
      if ((rs as { status?: { replicas?: number } }).status?.replicas === REPLICAS) readyRS.add(key);
      else readyRS.delete(key);
    };
    observer.informer(resourceForKind('apps/v1', 'ReplicaSet'), { namespace: NAMESPACE }).addEventHandler({
      onAdd: rsReady, onUpdate: (_o, n) => rsReady(n), onDelete: (rs) => readyRS.delete(rs.metadata!.name!),
    });
    observer.start(observing.signal);
    closers.push(() => { observing.abort(); return observer.stopped(); });
    await observer.waitForSync();

    // Baselines, so the rates count the run only (not start-up work on system namespaces).
    await sleep(500);
    const informersBefore = new Map(factory!.stats().map((s) => [s.resource, s]));
    const queuesBefore = new Map(queueStats().map((s) => [s.name, s]));

    const deployments = client.kind('apps/v1', 'Deployment');
    const createdAt = new Map<string, number>();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < DEPLOYMENTS) {
        const name = `web-${next++}`;
        createdAt.set(name, performance.now());
        await deployments.create(NAMESPACE, {
          apiVersion: 'apps/v1', kind: 'Deployment',
          metadata: { name, namespace: NAMESPACE },
          spec: {
            replicas: REPLICAS,
            selector: { matchLabels: { 'bench-app': name } },
            template: {
              metadata: { labels: { 'bench-app': name } },
              spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
            },
          },
        } as KubeObject);
      }
    }));
    const createSeconds = (performance.now() - t0) / 1000;
    process.stderr.write(`  ${datastore}: ${DEPLOYMENTS} deployments created in ${createSeconds.toFixed(1)} s\n`);

    const deadline = Date.now() + TIMEOUT_S * 1000;
    const target = DEPLOYMENTS * REPLICAS;
    let lastReport = Date.now();
    let completed = true;
    let doneAt = 0;
    while (!(pods >= target && reachedAt.size >= DEPLOYMENTS && readyRS.size >= DEPLOYMENTS)) {
      if (Date.now() > deadline) {
        completed = false;
        break;
      }
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        process.stderr.write(`  ${datastore}: ${((performance.now() - t0) / 1000).toFixed(0)} s: ${pods}/${target} pods, ${readyRS.size}/${DEPLOYMENTS} replicasets at ${REPLICAS}\n`);
      }
      await sleep(20);
    }
    doneAt = performance.now();
    const totalSeconds = (doneAt - t0) / 1000;

    const informers = factory!.stats().map((s) => ({ resource: s.resource, events: delta(informersBefore, s.resource, 'events', s) }))
      .filter((s) => s.events > 0).sort((a, b) => b.events - a.events);
    const qs = queueStats().map((s) => ({
      name: s.name, adds: delta(queuesBefore, s.name, 'adds', s), processed: delta(queuesBefore, s.name, 'processed', s),
    })).filter((s) => s.adds > 0 || s.processed > 0).sort((a, b) => b.processed - a.processed);
    const times = [...reachedAt].map(([app, at]) => at - createdAt.get(app)!).sort((a, b) => a - b);
    const informerEvents = informers.reduce((n, s) => n + s.events, 0);
    const queueProcessed = qs.reduce((n, s) => n + s.processed, 0);
    return {
      datastore,
      deployments: DEPLOYMENTS,
      replicas: REPLICAS,
      completed,
      totalSeconds,
      createSeconds,
      deploymentCreatesPerSecond: DEPLOYMENTS / createSeconds,
      pods,
      podsPerSecond: pods / Math.max(0.001, ((lastPodAt || doneAt) - t0) / 1000),
      timeToPodsP50Ms: percentile(times, 0.5),
      timeToPodsP99Ms: percentile(times, 0.99),
      timeToPodsMaxMs: times[times.length - 1] ?? 0,
      readyReplicaSets: readyRS.size,
      informerEvents,
      informerEventsPerSecond: informerEvents / totalSeconds,
      queueAdds: qs.reduce((n, s) => n + s.adds, 0),
      queueProcessed,
      queueProcessedPerSecond: queueProcessed / totalSeconds,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      informers,
      queues: qs,
    };
  } finally {
    // Controllers first (they release the lease while the API answers), then the API server, then storage.
    controllersStop.abort();
    await Promise.race([controllersDone.catch(() => undefined), sleep(10_000)]);
    stop.abort();
    for (const close of closers.reverse()) {
      await Promise.race([Promise.resolve(close()).catch(() => undefined), sleep(10_000)]);
    }
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs one datastore in a child process (this script again) and returns its row. */
async function runChild(datastore: string, etcdEndpoint: string | undefined, profileDir: string | undefined): Promise<Row> {
  const args = [...process.execArgv];
  // One file per thread (a TypeScript loader has its own); the main thread's is the largest.
  if (profileDir) args.push('--cpu-prof', '--cpu-prof-dir', profileDir);
  const child = spawn(process.execPath, [...args, process.argv[1]!], {
    env: { ...process.env, KITE_BENCH_CHILD: datastore, KITE_BENCH_ETCD: etcdEndpoint ?? '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${datastore} run exited with ${code}`);
  return JSON.parse(out.trim().split('\n').pop()!) as Row;
}

function table(rows: Row[]): string {
  const head = '| datastore | deployments × replicas | done | total s | deploy creates/s | pods/s | time-to-pods p50 ms | p99 ms | informer events/s | queue items/s | peak RSS MiB |\n'
    + '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|';
  return [head, ...rows.map((r) => `| ${r.datastore} | ${r.deployments} × ${r.replicas} | ${r.completed ? 'yes' : `no (${r.pods} pods, ${r.readyReplicaSets} RS)`} | ${r.totalSeconds.toFixed(1)} | ${r.deploymentCreatesPerSecond.toFixed(0)} | ${r.podsPerSecond.toFixed(0)} | ${r.timeToPodsP50Ms.toFixed(0)} | ${r.timeToPodsP99Ms.toFixed(0)} | ${r.informerEventsPerSecond.toFixed(0)} | ${r.queueProcessedPerSecond.toFixed(0)} | ${r.peakRssMiB.toFixed(0)} |`)].join('\n');
}

async function main(): Promise<void> {
  const child = process.env.KITE_BENCH_CHILD;
  if (child) {
    const row = await runOne(child, process.env.KITE_BENCH_ETCD || undefined);
    process.stdout.write(`${JSON.stringify(row)}\n`);
    process.exit(0);
  }
  const profileDir = process.env.KITE_BENCH_CPU_PROF ? join(repoRoot, 'bench', 'results', 'profiles') : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const rows: Row[] = [];
  for (const ds of DATASTORES) {
    const runs: Row[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      process.stderr.write(`${ds} round ${round + 1}/${ROUNDS}: ${DEPLOYMENTS} deployments × ${REPLICAS} replicas\n`);
      // A fresh etcd per round, so every round starts from an empty store.
      let etcd: EtcdProcess | undefined;
      try {
        if (ds === 'etcd') etcd = await startEtcdProcess();
        runs.push(await runChild(ds, etcd?.endpoint, profileDir && join(profileDir, `${ds}-${round + 1}`)));
      } finally {
        await etcd?.stop();
      }
      const r = runs[runs.length - 1]!;
      process.stderr.write(`  ${ds} round ${round + 1}: ${r.totalSeconds.toFixed(1)} s, ${r.podsPerSecond.toFixed(0)} pods/s\n`);
    }
    // Incomplete rounds sort last, so the median is a completed one when most are.
    const key = (r: Row) => (r.completed ? r.totalSeconds : Infinity);
    const median = [...runs].sort((a, b) => key(a) - key(b))[Math.floor(runs.length / 2)]!;
    rows.push({ ...median, roundTotals: runs.map((r) => Number(r.totalSeconds.toFixed(2))) });
  }
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const out = {
    benchmark: 'controllers', date: new Date().toISOString(), machine,
    deployments: DEPLOYMENTS, replicas: REPLICAS, createConcurrency: CONCURRENCY, rounds: ROUNDS,
    setup: 'API server, storage and all controllers in one process as `kite server` composes them; '
      + 'Deployments created and pods/ReplicaSets watched by a separate HTTPS client with the admin certificate; '
      + 'no kubelet, so pods stay Pending and the desired pod count is the end point',
    rows,
  };
  const dir = join(repoRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `controllers-${out.date.slice(0, 10)}.json`), `${JSON.stringify(out, null, 2)}\n`);
  await writeFile(join(dir, 'controllers-latest.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`Controllers: ${DEPLOYMENTS} Deployments × ${REPLICAS} replicas, median of ${ROUNDS} rounds (creates ${CONCURRENCY} at a time over HTTPS; `
    + `no kubelet, so "done" = every pod created, Pending, and every ReplicaSet at status.replicas == ${REPLICAS}) on ${machine}\n`);
  console.log(table(rows));
  for (const r of rows) {
    console.log(`\n${r.datastore}: total seconds per round: ${r.roundTotals?.join(', ')}`);
    console.log(`${r.datastore}: informer events by resource: ${r.informers.map((i) => `${i.resource} ${i.events}`).join(', ')}`);
    console.log(`${r.datastore}: queue items processed (adds): ${r.queues.map((q) => `${q.name} ${q.processed} (${q.adds})`).join(', ')}`);
  }
}

await main();
