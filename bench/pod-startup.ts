// Pod startup latency on a real node: `kite server` (API server, controllers, scheduler and the
// in-process node agent on its own containerd) in a child process on a temp data dir; pods of
// busybox `sleep 3600` (image imported at start, so no pull) created concurrently in rounds of 1,
// 10 and 100 on the one node. Latency as the Kubernetes pod startup SLO measures it: from the
// create request to the pod observed Running through a watch. Also the idle memory (VmRSS) of the
// server and of its containerd once the node is Ready and settled, and again after the 100-pod
// round with its pods deleted, and the same server's idle memory with --disable-agent.
//
// Needs root and /usr/bin/containerd (skips with the reason otherwise). Uses the agent's default
// pod network (bridge kite0, 10.42.0.0/24), so it refuses to run while kite0 exists or another
// agent's containerd runs, and marks the figures not comparable when one starts meanwhile.
// Env: KITE_BENCH_PODS (1,10,100), KITE_BENCH_IDLE_S (10), KITE_BENCH_TIMEOUT_S (180 per round),
// KITE_BENCH_SERVER=source runs the server from src/ under tsx (default: compiled, bin/kite.js),
// KITE_BENCH_SERVER=<path>/main.js another build,
// KITE_BENCH_CPU_PROF=1 writes a V8 CPU profile of the server to bench/results/profiles/pods/.
// Prints a table and writes bench/results/pods-<date>.json and pods-latest.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../src/apimachinery/object.js';
import { isAlreadyExists } from '../src/client/errors.js';
import { loadKubeconfig } from '../src/client/kubeconfig.js';
import { ApiClient } from '../src/client/rest.js';
import { httpsTransport } from '../src/client/transport.js';
import { BUSYBOX_IMAGE, agentPaths } from '../src/kubelet/paths.js';
import {
  containerdOf, cpuSeconds, run, isAlive, linkExists, machineBusySeconds, loadAverage, memoryOf, mountsUnder, otherAgents, processesUsing, removeLeftovers, type Memory,
} from './pod-startup-host.js';
import { criTimesByPod, sandboxIds, type CriTimes } from './pod-startup-cri-log.js';
import { watchPods, type PodTimes } from './pod-startup-watch.js';

const BATCHES = (process.env.KITE_BENCH_PODS ?? '1,10,100').split(',').map(Number).filter((n) => n > 0);
const IDLE_S = Number(process.env.KITE_BENCH_IDLE_S ?? 10);
const TIMEOUT_S = Number(process.env.KITE_BENCH_TIMEOUT_S ?? 180);
const NAMESPACE = 'bench-pods';
const NODE = 'kite-bench-node';
const BRIDGE = 'kite0';
const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, here.includes(`${sep}dist${sep}`) ? '../..' : '..');
/**
 * The server runs compiled (bin/kite.js, needs `npm run build`); KITE_BENCH_SERVER=source runs it
 * under tsx (which adds memory of its own), KITE_BENCH_SERVER=/path/to/main.js another build.
 */
const SERVER_FROM = process.env.KITE_BENCH_SERVER || 'dist';
const serverCommand = (): string[] => (SERVER_FROM === 'dist' ? [join(repoRoot, 'bin', 'kite.js')]
  : SERVER_FROM === 'source' ? ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts')] : [resolve(SERVER_FROM)]);

type ApiPod = Pod & KubeObject;

interface Round {
  pods: number;
  running: number;
  /** From the first create request to the last pod observed Running. */
  batchSeconds: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Medians of the stages seen through the watch: create answered, bound, first kubelet status, Running. */
  stagesP50Ms: { created: number; bound: number; kubeletStatus: number; running: number };
  /** Medians of each step's own duration, from containerd's log of the CRI calls (see pod-startup-cri-log.ts). */
  nodeStepsP50Ms: Record<NodeStep, number>;
  deleteSeconds: number;
  loadAverage: number[];
  /** CPU seconds per pod from the first create to the last Running: the server; containerd with the runc/CNI processes it reaped; the whole machine. */
  cpuPerPodMs: { server: number; containerd: number; machine: number };
}

const NODE_STEPS = ['boundToSandbox', 'runPodSandbox', 'sandboxToCreate', 'createContainer', 'createToStart', 'startContainer', 'startedToRunningSeen'] as const;
type NodeStep = typeof NODE_STEPS[number];

/** Each step's median; the bench's marks are performance.now(), containerd's wall-clock ms. */
function nodeSteps(pods: PodTimes[], cri: CriTimes[]): Record<NodeStep, number> {
  const perf = (wall: number | undefined) => (wall === undefined ? undefined : wall - performance.timeOrigin);
  const spans: Record<NodeStep, number[]> = Object.fromEntries(NODE_STEPS.map((k) => [k, []])) as never;
  pods.forEach((t, i) => {
    const c = cri[i];
    if (!c) return;
    const marks = [t.bound, perf(c.sandboxAsked), perf(c.sandboxDone), perf(c.createAsked), perf(c.createDone), perf(c.startAsked), perf(c.startDone), t.running];
    NODE_STEPS.forEach((k, j) => {
      const a = marks[j];
      const b = marks[j + 1];
      if (a !== undefined && b !== undefined) spans[k].push(b - a);
    });
  });
  return Object.fromEntries(NODE_STEPS.map((k) => [k, Math.round(percentile(spans[k].sort((a, b) => a - b), 0.5))])) as Record<NodeStep, number>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

async function until<T>(what: string, timeoutMs: number, test: () => Promise<T | undefined | false>, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await test().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

interface Server {
  child: ChildProcess;
  pid: number;
  client: ApiClient;
  log(): string;
  /** SIGTERM; SIGKILL after 30 s. Resolves once the process has exited. */
  stop(): Promise<void>;
}

async function startServer(dataDir: string, extraArgs: string[], profileDir?: string): Promise<Server> {
  const cmd = serverCommand();
  const prof = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const child = spawn(process.execPath, [...prof, ...cmd, 'server', '--data-dir', dataDir, '--port', '0', '--bind-address', '127.0.0.1',
    '--node-name', NODE, '--log-format', 'json', ...extraArgs], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let logText = '';
  const append = (d: Buffer) => { logText = (logText + d.toString()).slice(-200_000); };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(t);
  };
  try {
    const kubeconfig = join(dataDir, 'kubeconfig.yaml');
    const creds = await until('the kubeconfig', 60_000, async () => {
      if (child.exitCode !== null) throw new Error(`kite server exited with ${child.exitCode}:\n${logText.slice(-4000)}`);
      return existsSync(kubeconfig) ? loadKubeconfig(kubeconfig) : undefined;
    }, 100);
    const client = new ApiClient(httpsTransport(creds, 'kite-bench'));
    await until('the API server to be ready', 60_000, async () => {
      if (child.exitCode !== null) throw new Error(`kite server exited with ${child.exitCode}`);
      await client.kind('v1', 'Namespace').get(undefined, 'default');
      return true;
    }, 100);
    return { child, pid: child.pid!, client, log: () => logText, stop };
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- server log (tail) ---\n${logText.slice(-4000)}`);
  }
}

async function idleMemory(server: Server, containerdRoot: string | undefined): Promise<Memory & { loadAverage: number[] }> {
  await sleep(IDLE_S * 1000);
  return { ...(await memoryOf(server.pid, containerdRoot)), loadAverage: await loadAverage() };
}

function podManifest(name: string): ApiPod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: NAMESPACE, labels: { bench: 'pods' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{
        name: 'sleep', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'],
        resources: { requests: { cpu: '1m', memory: '4Mi' }, limits: { memory: '16Mi' } },
      }],
    },
  };
}

async function cpuMarks(server: Server) {
  const cd = await containerdOf(server.pid);
  const s = await cpuSeconds(server.pid);
  const c = cd ? await cpuSeconds(cd) : { self: 0, children: 0 };
  return { server: s.self, containerd: c.self + c.children, machine: await machineBusySeconds() };
}

async function podRound(server: Server, n: number, round: number, criLog: string): Promise<Round> {
  const pods = server.client.kind<ApiPod>('v1', 'Pod');
  const names = Array.from({ length: n }, (_, i) => `p${round}-${i}`);
  const times = new Map<string, PodTimes>(names.map((name) => [name, {}]));
  const watch = await watchPods(server.client, NAMESPACE, times);
  let deleteSeconds = 0;
  const deleteAll = async () => {
    // A 1 s grace period: busybox's sleep as PID 1 ignores SIGTERM. Then wait for them to be gone.
    const d0 = performance.now();
    await Promise.all(names.map((name) => pods.delete(NAMESPACE, name, { gracePeriodSeconds: 1 }).catch(() => undefined)));
    await until(`${n} pods deleted`, TIMEOUT_S * 1000, async () => (await pods.list(NAMESPACE)).items.length === 0, 200);
    deleteSeconds = (performance.now() - d0) / 1000;
  };
  let deleted = false;
  try {
    const cpu0 = await cpuMarks(server);
    const t0 = performance.now();
    await Promise.all(names.map(async (name) => {
      const t = times.get(name)!;
      t.start = performance.now();
      await pods.create(NAMESPACE, podManifest(name));
      t.created = performance.now();
    }));
    const allRunning = () => names.every((name) => times.get(name)!.running !== undefined);
    await until(`${n} pods Running`, TIMEOUT_S * 1000, async () => allRunning(), 10).catch((err: Error) => {
      const missing = names.filter((name) => times.get(name)!.running === undefined);
      process.stderr.write(`  ${missing.length} of ${n} pods not Running: ${missing.slice(0, 5).join(', ')}\n`);
      if (missing.length === n) throw err;
    });
    const doneNames = names.filter((name) => times.get(name)!.running !== undefined);
    const done = doneNames.map((name) => times.get(name)!);
    const cri = await criTimesByPod(criLog, NAMESPACE);
    const batchSeconds = (Math.max(...done.map((t) => t.running!)) - t0) / 1000;
    const lat = done.map((t) => t.running! - t.start!).sort((a, b) => a - b);
    const stage = (f: (t: PodTimes) => number | undefined) =>
      percentile(done.map((t) => (f(t) ?? NaN) - t.start!).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b), 0.5);
    const cpu1 = await cpuMarks(server);
    const perPod = (k: keyof typeof cpu0) => Math.round(((cpu1[k] - cpu0[k]) * 1000) / n);
    const load = await loadAverage();
    deleted = true;
    await deleteAll();
    return {
      pods: n, running: done.length, batchSeconds,
      p50Ms: percentile(lat, 0.5), p99Ms: percentile(lat, 0.99), maxMs: lat[lat.length - 1] ?? 0,
      nodeStepsP50Ms: nodeSteps(done, doneNames.map((name) => cri.get(name) ?? {})),
      stagesP50Ms: { created: stage((t) => t.created), bound: stage((t) => t.bound), kubeletStatus: stage((t) => t.kubeletStatus), running: stage((t) => t.running) },
      deleteSeconds, loadAverage: load,
      cpuPerPodMs: { server: perPod('server'), containerd: perPod('containerd'), machine: perPod('machine') },
    };
  } finally {
    watch.close();
    if (!deleted) await deleteAll().catch((e: Error) => process.stderr.write(`  ${e.message}\n`));
  }
}

/** The whole run with the agent: node Ready, idle memory, the rounds, memory after them, clean stop. */
async function withAgent(dir: string, profileDir: string | undefined, leftovers: string[], contended: string[]) {
  const paths = agentPaths(dir);
  const server = await startServer(dir, [], profileDir);
  try {
    const t0 = performance.now();
    await until('the node to be Ready', 120_000, async () => {
      const node = await server.client.kind<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>('v1', 'Node').get(undefined, NODE);
      return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    }, 200);
    const nodeReadySeconds = (performance.now() - t0) / 1000;
    process.stderr.write(`node Ready ${nodeReadySeconds.toFixed(1)} s after the API; idle ${IDLE_S} s\n`);
    try {
      await server.client.kind('v1', 'Namespace').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    await until('the default service account', 60_000, async () => server.client.kind('v1', 'ServiceAccount').get(NAMESPACE, 'default'));
    const idle = await idleMemory(server, paths.containerd.root);
    process.stderr.write(`idle: server ${idle.serverMiB} MiB, containerd ${idle.containerdMiB} MiB\n`);
    // One warm-up pod (first use of the code paths and of the image's snapshot), not reported.
    await podRound(server, 1, 0, paths.containerd.log);
    const rounds: Round[] = [];
    for (const [i, n] of BATCHES.entries()) {
      const r = await podRound(server, n, i + 1, paths.containerd.log);
      rounds.push(r);
      const others = await otherAgents(dir);
      if (others.length) contended.push(`round of ${n}: another node agent's containerd (${others.join(', ')}) ran beside ours on the same bridge`);
      process.stderr.write(`  ${n} pods: p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms, batch ${r.batchSeconds.toFixed(2)} s (load ${r.loadAverage.join(' ')})\n`);
    }
    // Deleted pods' sandboxes go away with the kubelet's cleanup, shortly after the API objects.
    await until('no pod shims', 60_000, async () => (await memoryOf(server.pid, paths.containerd.root)).shims === 0, 500).catch(() => undefined);
    const afterPods = await idleMemory(server, paths.containerd.root);
    process.stderr.write(`after the pods: server ${afterPods.serverMiB} MiB, containerd ${afterPods.containerdMiB} MiB, shims ${afterPods.shims}\n`);
    return { nodeReadySeconds, idle, afterPods, rounds };
  } finally {
    const containerdPids = (await processesUsing(paths.containerd.config)).filter((pid) => pid !== server.pid);
    await server.stop();
    server.client.close();
    await until('the server\'s containerd to exit', 30_000, async () => containerdPids.every((pid) => !isAlive(pid)), 200)
      .catch(() => leftovers.push(`containerd ${containerdPids.join(',')} still running after the server stopped`));
    leftovers.push(...await removeLeftovers(dir, BRIDGE, await sandboxIds(paths.containerd.log)));
    if (leftovers.length) process.stderr.write(`left after the server stopped (removed now): ${leftovers.join('; ')}\n`);
  }
}

async function withoutAgent(dir: string) {
  const server = await startServer(dir, ['--disable-agent']);
  try {
    const idle = await idleMemory(server, undefined);
    process.stderr.write(`--disable-agent idle: server ${idle.serverMiB} MiB\n`);
    return idle;
  } finally {
    await server.stop();
    server.client.close();
  }
}

function table(rounds: Round[]): string {
  const head = '| pods | Running | p50 s | p99 s | max s | batch s | stages p50 ms (created / bound / kubelet status / Running) | CPU ms/pod (server / containerd / machine) | load avg |\n|---:|---:|---:|---:|---:|---:|---|---|---|';
  return [head, ...rounds.map((r) => `| ${r.pods} | ${r.running} | ${(r.p50Ms / 1000).toFixed(3)} | ${(r.p99Ms / 1000).toFixed(3)} | ${(r.maxMs / 1000).toFixed(3)} | ${r.batchSeconds.toFixed(2)} | `
    + `${[r.stagesP50Ms.created, r.stagesP50Ms.bound, r.stagesP50Ms.kubeletStatus, r.stagesP50Ms.running].map((x) => x.toFixed(0)).join(' / ')} | ${r.cpuPerPodMs.server} / ${r.cpuPerPodMs.containerd} / ${r.cpuPerPodMs.machine} | ${r.loadAverage.join(' ')} |`)].join('\n');
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) return void console.log('skipped: the pod startup benchmark needs root');
  if (!existsSync('/usr/bin/containerd')) return void console.log('skipped: /usr/bin/containerd is missing');
  // Every agent uses the bridge kite0 and 10.42.0.0/24: two at once would share them.
  if (linkExists(BRIDGE) || (await otherAgents('/none/')).length) return void console.log(`skipped: another node agent is running here (${BRIDGE} exists or its containerd runs)`);
  const profileDir = process.env.KITE_BENCH_CPU_PROF ? join(repoRoot, 'bench', 'results', 'profiles', 'pods') : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const root = await mkdtemp(join(tmpdir(), 'kite-bench-pods-'));
  const leftovers: string[] = [];
  const contended: string[] = [];
  let agent: Awaited<ReturnType<typeof withAgent>>;
  let noAgent: Awaited<ReturnType<typeof withoutAgent>>;
  try {
    agent = await withAgent(join(root, 'agent'), profileDir, leftovers, contended);
    noAgent = await withoutAgent(join(root, 'no-agent'));
  } finally {
    const mounts = await mountsUnder(root);
    if (mounts.length === 0) await rm(root, { recursive: true, force: true });
    else process.stderr.write(`not removing ${root}: still mounted: ${mounts.join(', ')}\n`);
  }
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const out = {
    benchmark: 'pods', date: new Date().toISOString(), machine, server: SERVER_FROM === 'dist' ? 'bin/kite.js (compiled)' : SERVER_FROM === 'source' ? 'src/cli/main.ts under tsx' : `${SERVER_FROM} (compiled elsewhere)`,
    commit: await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot }).then((r) => r.stdout.trim()).catch(() => 'unknown'),
    setup: '`kite server` (SQLite) with its in-process node agent and own containerd, one node; busybox `sleep 3600` pods (image imported '
      + 'at start), each batch created concurrently over HTTPS; latency = create request → Running seen through a watch; '
      + 'memory = VmRSS after idling; the containerd-shims of running pods are counted apart',
    targets: { p50Ms: 500, p99Ms: 1000, idleServerPlusContainerdMiB: 150 },
    nodeReadySeconds: agent.nodeReadySeconds,
    memory: { idle: agent.idle, afterPodsDeleted: agent.afterPods, disableAgentIdle: noAgent },
    rounds: agent.rounds,
    leftoversAfterStop: leftovers,
    /** Non-empty when another node agent ran meanwhile (its pods shared the bridge and the CPU): the figures are not comparable. */
    contended,
  };
  const dir = join(repoRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `pods-${out.date.slice(0, 10)}.json`), `${JSON.stringify(out, null, 2)}\n`);
  await writeFile(join(dir, 'pods-latest.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`Pod startup on one node (create → Running via watch, image present) on ${machine}\n`);
  console.log(table(agent.rounds));
  console.log(`\nOn the node, medians of each step (ms; CRI calls as containerd logs them):\n| pods | ${NODE_STEPS.join(' | ')} |\n|---:|${NODE_STEPS.map(() => '---:').join('|')}|`);
  for (const r of agent.rounds) console.log(`| ${r.pods} | ${NODE_STEPS.map((k) => r.nodeStepsP50Ms[k]).join(' | ')} |`);
  const m = (x: Memory) => `server ${x.serverMiB} MiB + containerd ${x.containerdMiB} MiB = ${(x.serverMiB + x.containerdMiB).toFixed(1)} MiB`;
  console.log(`\nIdle RSS after ${IDLE_S} s, node Ready: ${m(agent.idle)} (load ${agent.idle.loadAverage.join(' ')})`);
  console.log(`Idle RSS after the rounds, pods deleted: ${m(agent.afterPods)}${agent.afterPods.shims ? `, ${agent.afterPods.shims} shims ${agent.afterPods.shimsMiB} MiB` : ''}`);
  console.log(`Idle RSS with --disable-agent: server ${noAgent.serverMiB} MiB`);
  if (contended.length) console.log(`NOT COMPARABLE: ${contended.join('; ')}`);
  const unexpected = leftovers.filter((l) => !/^bridge \S+$/.test(l));
  console.log(`Clean stop: ${unexpected.length ? `left ${unexpected.join('; ')}` : 'nothing left (containerd exited, no NAT rules, mounts or processes; the bridge removed)'}`);
}

await main();
