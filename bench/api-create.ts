// API create throughput: configmap creates over HTTPS at 1, 16 and 64 concurrent clients against
// `kite server` on SQLite and on etcd, plus raw etcd puts on the same machine for reference.
// Prints a table and writes bench/results/api-create-<date>.json and api-create-latest.json.
import { Agent, request } from 'node:https';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startKite, type Kite } from '../test/e2e/harness.js';
import { measureEtcdPuts } from './etcd-puts.js';
import { startEtcdProcess } from '../src/storage/etcd/process.js';

const LEVELS = [1, 16, 64];
const COUNT = Number(process.env.KITE_BENCH_COUNT ?? 4000);
/** Each level runs this many times; the round with the median rate is reported (2 shared cores are noisy). */
const ROUNDS = Number(process.env.KITE_BENCH_ROUNDS ?? 3);

function median<T extends { perSecond: number }>(runs: T[]): T {
  return [...runs].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(runs.length / 2)];
}

interface Row { target: string; concurrency: number; perSecond: number; p50Ms: number; p99Ms: number; count: number }

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function createLoad(kite: Kite, namespace: string, concurrency: number, count: number): Promise<Omit<Row, 'target'>> {
  const tls = kite.tls();
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: tls.ca, cert: tls.cert, key: tls.key });
  const value = 'x'.repeat(200);
  const post = (name: string) => new Promise<void>((resolve, reject) => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { bench: 'create' } }, data: { value } });
    const req = request({
      host: '127.0.0.1', port: kite.port, method: 'POST', agent,
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`create ${name}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
  // Warm up connections and code paths.
  await Promise.all(Array.from({ length: concurrency }, (_, i) => post(`warm-${concurrency}-${i}`)));
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      await post(`cm-${concurrency}-${i}`);
      latencies.push(performance.now() - t0);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { concurrency, count, perSecond: count / seconds, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) };
}

async function benchKite(datastore: 'sqlite' | 'etcd'): Promise<Row[]> {
  const kite = await startKite({ datastore });
  const rows: Row[] = [];
  try {
    for (const c of LEVELS) {
      const runs = [];
      for (let round = 0; round < ROUNDS; round++) {
        const ns = `bench-${c}-${round}`;
        await kite.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
        runs.push(await createLoad(kite, ns, c, COUNT));
        process.stderr.write(`  ${datastore} c=${c} round ${round + 1}: ${runs[runs.length - 1].perSecond.toFixed(0)}/s\n`);
      }
      rows.push({ target: `kite api (${datastore})`, ...median(runs) });
    }
  } finally {
    await kite.close();
  }
  return rows;
}

async function benchRawEtcd(): Promise<Row[]> {
  const etcd = await startEtcdProcess();
  const rows: Row[] = [];
  try {
    for (const c of LEVELS) {
      const runs = [];
      for (let round = 0; round < ROUNDS; round++) {
        runs.push(await measureEtcdPuts(etcd.endpoint, { concurrency: c, count: COUNT, valueBytes: 300 }));
        process.stderr.write(`  raw etcd c=${c} round ${round + 1}: ${runs[runs.length - 1].perSecond.toFixed(0)}/s\n`);
      }
      rows.push({ target: 'raw etcd puts', concurrency: c, count: COUNT, ...median(runs) });
    }
  } finally {
    await etcd.stop();
  }
  return rows;
}

function table(rows: Row[]): string {
  const head = '| target | clients | ops/s | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|';
  return [head, ...rows.map((r) => `| ${r.target} | ${r.concurrency} | ${Math.round(r.perSecond)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} |`)].join('\n');
}

async function main(): Promise<void> {
  const rows = [...(await benchKite('sqlite')), ...(await benchKite('etcd')), ...(await benchRawEtcd())];
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const out = { benchmark: 'api-create', date: new Date().toISOString(), machine, countPerLevel: COUNT, rounds: ROUNDS, rows };
  const dir = join(repoRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `api-create-${out.date.slice(0, 10)}.json`), `${JSON.stringify(out, null, 2)}\n`);
  await writeFile(join(dir, 'api-create-latest.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`API creates (configmaps, ${COUNT} per level, median of ${ROUNDS} rounds) on ${machine}\n`);
  console.log(table(rows));
}

await main();
