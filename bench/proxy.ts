// Service proxy throughput, latency and rule update latency, on the real kernel: network namespaces
// of the benchmark's own (bench/proxy-netns.ts) shaped like one node with a bridge, a client pod and
// three server pods; the real Proxier programming its nftables table inside the node namespace from
// an in-process API server; a load generator in the client pod (bench/proxy-loadgen.ts). In one run
// it measures requests/s and latency through a ClusterIP against direct connections to the same
// pods (a Service of one pod against its pod IP, a Service of three against the three pod IPs in
// turn), with a new TCP connection per request and with kept-alive connections;
// how the ClusterIP spreads requests over the pods; and the time from an EndpointSlice change
// (3 → 0 → 3 endpoints, 100 Services added at once) to the nft transaction applied. Needs root.
// Prints tables and writes bench/results/proxy-<date>.json, proxy-latest.json and proxy.md.
//
//   node dist/bench/proxy.js [--seconds 10] [--slices 5] [--concurrency 32] [--rounds 5] [--services 100]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { realClock } from '../src/apimachinery/clock.js';
import { startTestServer, type TestServer } from '../src/apiserver/testing/fixture.js';
import { createInformerFactory } from '../src/client/informers.js';
import { ApiClient } from '../src/client/rest.js';
import { inProcessTransport } from '../src/client/transport.js';
import { spawnRunner, type CommandRunner } from '../src/proxy/nft.js';
import { Proxier } from '../src/proxy/proxier.js';
import type { LoadCase, LoadResult } from './proxy-loadgen.js';
import { createNetwork, deleteNetwork, GATEWAY, httpGetIn, planNetwork, poll, SERVER_PORT, waitForServers, type BenchNetwork } from './proxy-netns.js';
import { renderMarkdown, renderTables, type ProxyBenchResult, type UpdateFigure } from './proxy-report.js';

type Obj = any;

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, here.includes(`${sep}dist${sep}`) ? '../..' : '..');
const ext = extname(fileURLToPath(import.meta.url));
const NAMESPACE = 'bench';
const CLUSTER_IP = '10.43.0.80';
/** A second Service whose only endpoint is the pod the direct cases use. */
const ONE_POD_CLUSTER_IP = '10.43.0.81';
const NODE_NAME = 'bench-node';

/** Every nft transaction the proxier applied, with when it finished; waiters are told at once. */
class TransactionLog {
  readonly applied: { at: number; durationMs: number; lines: number; text: string }[] = [];
  private waiters: (() => void)[] = [];
  readonly run: CommandRunner = async (argv, stdin) => {
    const start = performance.now();
    const result = await spawnRunner(argv, stdin);
    if (result.code === 0 && stdin && argv.includes('-f')) {
      const at = performance.now();
      this.applied.push({ at, durationMs: at - start, lines: stdin.split('\n').length - 1, text: stdin });
      for (const w of this.waiters.splice(0)) w();
    }
    return result;
  };

  /** The first transaction finished after `since` whose text satisfies `done`, and how many came before it. */
  async waitFor(since: number, done: (text: string) => boolean, timeoutMs = 30_000): Promise<{ at: number; index: number; count: number; durationMs: number; lines: number }> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const after = this.applied.map((t, index) => ({ ...t, index })).filter((t) => t.at >= since);
      const hit = after.find((t) => done(t.text));
      if (hit) return { at: hit.at, index: hit.index, count: after.indexOf(hit) + 1, durationMs: hit.durationMs, lines: hit.lines };
      const left = deadline - performance.now();
      if (left <= 0) throw new Error('timed out waiting for the nft transaction');
      await new Promise<void>((r) => { const t = setTimeout(r, left); this.waiters.push(() => { clearTimeout(t); r(); }); });
    }
  }
}

const routed = (ip: string) => new RegExp(`(^|[ ,{])${ip.replaceAll('.', '\\.')} \\. tcp \\. 80 : goto (?!reject-chain)`);
const rejected = (ip: string) => new RegExp(`(^|[ ,{])${ip.replaceAll('.', '\\.')} \\. tcp \\. 80 : goto reject-chain`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function runLoad(net: BenchNetwork, cases: LoadCase[], slices: number, onResult: (r: LoadResult) => void): Promise<void> {
  const script = join(here, `proxy-loadgen${ext}`);
  const child = spawn('nsenter', [`--net=/run/netns/${net.client.netns}`, process.execPath, ...process.execArgv, script, JSON.stringify(cases), String(slices)], { stdio: ['ignore', 'pipe', 'inherit'] });
  net.processes.push(child);
  let buf = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    buf += c;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (line) onResult(JSON.parse(line) as LoadResult);
    }
  });
  return new Promise((ok, fail) => child.once('exit', (code) => (code === 0 ? ok() : fail(new Error(`load generator exited with ${code}`)))));
}

function figure(samples: number[], transactions: number[], nftMs: number[], lines: number[]): UpdateFigure {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    samples: samples.map((s) => Number(s.toFixed(1))), medianMs: Number(sorted[Math.floor((sorted.length - 1) / 2)]!.toFixed(1)), maxMs: Number(sorted[sorted.length - 1]!.toFixed(1)),
    transactions: Math.max(...transactions), nftMs: Number(Math.max(...nftMs).toFixed(1)), transactionLines: Math.max(...lines),
  };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) return void console.log('skipped: the service proxy benchmark needs root (it makes network namespaces and nftables rules)');
  for (const bin of ['/usr/sbin/nft', '/usr/bin/nsenter']) if (!existsSync(bin)) return void console.log(`skipped: the service proxy benchmark needs ${bin}`);
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' }, slices: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '32' },
      rounds: { type: 'string', default: '5' }, services: { type: 'string', default: '100' },
    },
  });
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  const net = planNetwork(3);
  const log = new TransactionLog();
  const abort = new AbortController();
  let s: TestServer | undefined;
  let client: ApiClient | undefined;
  let running: Promise<void> | undefined;
  let tableLeft = false;
  let teardown: Promise<void> | undefined;
  const stop = () => teardown ??= (async () => {
    abort.abort();
    await running?.catch(() => undefined);
    if (running) tableLeft = spawnSync('ip', ['netns', 'exec', net.node, 'nft', 'list', 'table', 'ip', 'kite-proxy']).status === 0;
    await deleteNetwork(net);
    client?.close();
    await s?.close();
  })();
  const onSignal = (sig: NodeJS.Signals) => {
    process.stderr.write(`${sig}: removing the benchmark's namespaces and processes\n`);
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const loadBefore = Number(loadavg()[0]!.toFixed(2));
  const load: LoadResult[] = [];
  const updates: Record<string, UpdateFigure> = {};
  let bulk: ProxyBenchResult['bulk'];
  try {
    process.stderr.write(`network namespaces ${net.node}, ${net.client.netns}, ${net.servers.map((p) => p.netns).join(', ')}\n`);
    createNetwork(net);
    await waitForServers(net);

    s = await startTestServer();
    const server = s;
    client = new ApiClient(inProcessTransport(() => server.server.connectInProcess({ name: 'admin', groups: ['system:masters'] }), 'kite-bench'));
    await client.kind('v1', 'Namespace').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    const services = client.kind<Obj>('v1', 'Service');
    const slices = client.kind<Obj>('discovery.k8s.io/v1', 'EndpointSlice');
    const endpoints = net.servers.map((p) => ({ addresses: [p.ip], nodeName: NODE_NAME, conditions: { ready: true } }));
    const makeService = (name: string, clusterIP?: string) => services.create(NAMESPACE, {
      apiVersion: 'v1', kind: 'Service', metadata: { name },
      spec: { ...(clusterIP ? { clusterIP } : {}), selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: SERVER_PORT, protocol: 'TCP' }] },
    });
    const makeSlice = (name: string, eps = endpoints) => slices.create(NAMESPACE, {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${name}-1`, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4', ports: [{ name: 'http', port: SERVER_PORT, protocol: 'TCP' }], endpoints: eps,
    });
    await makeService('web', CLUSTER_IP);
    await makeSlice('web');
    await makeService('web-one', ONE_POD_CLUSTER_IP);
    await makeSlice('web-one', endpoints.slice(0, 1));

    const proxier = new Proxier({
      informers: createInformerFactory(client, { clock: realClock }), nodeName: NODE_NAME, nodeIPs: [GATEWAY],
      clusterCIDR: '10.42.0.0/16', nftCommand: ['ip', 'netns', 'exec', net.node, 'nft'], run: log.run,
    });
    running = proxier.start(abort.signal);
    await proxier.ready;
    for (const ip of [CLUSTER_IP, ONE_POD_CLUSTER_IP]) await poll(`${ip} answering from the client pod`, () => httpGetIn(net.client.netns, `http://${ip}/`));

    // Throughput and latency, every case in this one run: each ClusterIP against direct
    // connections to the same pods (one pod, and the three pods in turn).
    const pod = `${net.servers[0]!.ip}:${SERVER_PORT}`;
    const cases: LoadCase[] = [];
    for (const keepAlive of [false, true]) {
      const mode = keepAlive ? 'keep-alive' : 'new connection';
      const base = { keepAlive, concurrency, seconds, warmupSeconds: 0.5 };
      cases.push({ ...base, name: `${mode} | pod IP (1 pod)`, targets: [pod] });
      cases.push({ ...base, name: `${mode} | ClusterIP (1 pod)`, targets: [`${ONE_POD_CLUSTER_IP}:80`] });
      cases.push({ ...base, name: `${mode} | pod IPs in turn (3 pods)`, targets: net.servers.map((p) => `${p.ip}:${SERVER_PORT}`) });
      cases.push({ ...base, name: `${mode} | ClusterIP (3 pods)`, targets: [`${CLUSTER_IP}:80`] });
    }
    const turns = Number(values.slices);
    process.stderr.write(`${cases.length} load cases of ${seconds} s each (in ${turns} turns), ${concurrency} concurrent requests\n`);
    await runLoad(net, cases, turns, (r) => {
      load.push(r);
      process.stderr.write(`  ${r.name}: ${r.requestsPerSecond} requests/s, p99 ${r.latencyMs.p99} ms, ${r.errors} errors\n`);
    });

    // Rule updates: the EndpointSlice emptied and refilled, apart enough for each to settle.
    const rounds = Number(values.rounds);
    const down: number[][] = [[], [], [], []];
    const up: number[][] = [[], [], [], []];
    for (let i = 0; i < rounds; i++) {
      for (const [to, into, done] of [[[], down, rejected(CLUSTER_IP)], [endpoints, up, routed(CLUSTER_IP)]] as const) {
        const slice = await slices.get(NAMESPACE, 'web-1');
        const t0 = performance.now();
        await slices.update(NAMESPACE, { ...slice, endpoints: to });
        const hit = await log.waitFor(t0, (text) => done.test(text));
        into[0]!.push(hit.at - t0); into[1]!.push(hit.count); into[2]!.push(hit.durationMs); into[3]!.push(hit.lines);
        await sleep(1500);
      }
    }
    updates['3 → 0 endpoints'] = figure(down[0]!, down[1]!, down[2]!, down[3]!);
    updates['0 → 3 endpoints'] = figure(up[0]!, up[1]!, up[2]!, up[3]!);
    if (httpGetIn(net.client.netns, `http://${CLUSTER_IP}/`) === undefined) throw new Error('the ClusterIP does not answer after the updates');
    process.stderr.write(`endpoint updates: ${JSON.stringify(updates)}\n`);

    // Many Services at once: created 16 at a time, each with a slice of the three pods.
    const count = Number(values.services);
    const ips: string[] = [];
    const t0 = performance.now();
    let nextIndex = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (nextIndex < count) {
        const name = `bulk-${nextIndex++}`;
        ips.push((await makeService(name)).spec.clusterIP as string);
        await makeSlice(name);
      }
    }));
    const written = performance.now();
    const patterns = ips.map(routed);
    const hit = await log.waitFor(t0, (text) => patterns.every((p) => p.test(text)));
    const listed = spawnSync('ip', ['netns', 'exec', net.node, 'nft', 'list', 'map', 'ip', 'kite-proxy', 'service-ips'], { encoding: 'utf8' }).stdout;
    const inMap = listed.split(/goto/).length - 1;
    const probe = httpGetIn(net.client.netns, `http://${ips[ips.length - 1]}/`);
    bulk = {
      services: count, apiWritesMs: Number((written - t0).toFixed(1)), appliedAfterFirstWriteMs: Number((hit.at - t0).toFixed(1)),
      appliedAfterLastWriteMs: Number((hit.at - written).toFixed(1)), transactions: hit.count, lastNftMs: Number(hit.durationMs.toFixed(1)),
      lastTransactionLines: hit.lines, serviceIpsInMap: inMap, lastServiceAnswers: probe !== undefined,
    };
    process.stderr.write(`${count} services: ${JSON.stringify(bulk)}\n`);
  } finally {
    await stop();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  const planned = [net.node, net.client.netns, ...net.servers.map((p) => p.netns)];
  const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]!).filter((n) => planned.includes(n));
  if (tableLeft || left.length > 0) throw new Error(`teardown left ${tableLeft ? 'the nft table' : ''} ${left.join(', ')}`);

  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const out: ProxyBenchResult = {
    benchmark: 'proxy', date: new Date().toISOString(), machine,
    kernel: spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim(),
    loadAverage: { before: loadBefore, after: Number(loadavg()[0]!.toFixed(2)) },
    setup: `network namespaces: a node with a Linux bridge (hairpin, br_netfilter on, IP forwarding) and veths to a client pod and 3 server pods `
      + `(node HTTP servers answering their name); the Proxier's nftables table in the node namespace, fed by an in-process API server; `
      + `Services ${CLUSTER_IP}:80 -> the 3 pods:${SERVER_PORT} and ${ONE_POD_CLUSTER_IP}:80 -> the first pod; a node load generator in the client pod, `
      + `${concurrency} requests in flight, ${seconds} s measured per case in ${values.slices} turns taken case after case (0.5 s warm-up each), all cases in one run`,
    load, updates, bulk,
  };
  const dir = join(repoRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `proxy-${out.date.slice(0, 10)}.json`), `${JSON.stringify(out, null, 2)}\n`);
  await writeFile(join(dir, 'proxy-latest.json'), `${JSON.stringify(out, null, 2)}\n`);
  await writeFile(join(dir, 'proxy.md'), renderMarkdown(out));
  console.log(renderTables(out));
}

void main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
