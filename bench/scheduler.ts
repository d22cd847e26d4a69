// Scheduling throughput and latency, after kube-scheduler's scheduler_perf: N nodes, M pods, the
// workloads of bench/scheduler-workloads.ts; (a) the scheduler alone against an in-process API
// server on SQLite, (b) end to end with simulated nodes and pods created over HTTPS. Every case
// runs in its own child process. Prints a table and writes bench/results/scheduler-<date>.json
// and scheduler-latest.json.
//
//   node --import tsx bench/scheduler.ts [--mode alone|e2e|both] [--workloads basic,preemption,...]
//     [--nodes N] [--pods M] [--init-pods K] [--stream] [--concurrency C] [--timeout S] [--cpu-prof]
//
// Without --workloads: basic at 5,000 and 500 nodes (10,000 pods), node-affinity, anti-affinity,
// topology-spread and preemption at their default sizes alone, and basic at 500 nodes end to end.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { KubeObject } from '../src/apimachinery/object.js';
import { ApiClient } from '../src/client/rest.js';
import { httpsTransport } from '../src/client/transport.js';
import { pooled, runCase, type RunOptions } from './scheduler-run.js';
import { table, type CaseResult } from './scheduler-stats.js';
import { NAMESPACE, defaultCases, workloads, type Case } from './scheduler-workloads.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, here.includes(`${sep}dist${sep}`) ? '../..' : '..');

interface ChildJob { case: Case; opts: RunOptions }

/** The e2e load generator: creates the pods over HTTPS and prints their creation times. */
async function loadGen(spec: { server: string; ca: string; cert: string; key: string; workload: string; pods: number; concurrency: number }): Promise<void> {
  const client = new ApiClient(httpsTransport({ server: spec.server, ca: spec.ca, cert: spec.cert, key: spec.key }, 'kite-bench-loadgen'));
  const w = workloads[spec.workload]!;
  const created: Record<string, number> = {};
  const start = Date.now();
  await pooled(spec.pods, spec.concurrency, async (i) => {
    const p = w.pod(i);
    created[p.metadata!.name!] = Date.now();
    await client.kind('v1', 'Pod').create(NAMESPACE, p as KubeObject);
  });
  client.close();
  process.stdout.write(`${JSON.stringify({ start, created })}\n`);
}

async function runChild(job: ChildJob): Promise<CaseResult> {
  const args = [...process.execArgv];
  const child = spawn(process.execPath, [...args, '--max-old-space-size=4096', process.argv[1]!], {
    env: { ...process.env, KITE_BENCH_CHILD: JSON.stringify(job) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`${job.opts.mode} ${job.case.workload} exited with ${code}`);
  return JSON.parse(out.trim().split('\n').pop()!) as CaseResult;
}

async function main(): Promise<void> {
  if (process.env.KITE_BENCH_LOADGEN) {
    await loadGen(JSON.parse(process.env.KITE_BENCH_LOADGEN));
    process.exit(0);
  }
  if (process.env.KITE_BENCH_CHILD) {
    const job = JSON.parse(process.env.KITE_BENCH_CHILD) as ChildJob;
    process.stdout.write(`${JSON.stringify(await runCase(job.case, job.opts))}\n`);
    process.exit(0);
  }
  const { values } = parseArgs({
    options: {
      mode: { type: 'string', default: '' }, workloads: { type: 'string' }, nodes: { type: 'string' }, pods: { type: 'string' },
      'init-pods': { type: 'string' }, stream: { type: 'boolean', default: false }, concurrency: { type: 'string', default: '64' },
      timeout: { type: 'string', default: '300' }, 'cpu-prof': { type: 'boolean', default: false },
    },
  });
  const base = { stream: values.stream!, concurrency: Number(values.concurrency), timeoutS: Number(values.timeout) };
  const jobs: ChildJob[] = [];
  if (values.workloads) {
    const modes = values.mode === 'both' ? ['alone', 'e2e'] as const : [values.mode === 'e2e' ? 'e2e' as const : 'alone' as const];
    for (const name of values.workloads.split(',').map((s) => s.trim()).filter(Boolean)) {
      const w = workloads[name];
      if (!w) throw new Error(`unknown workload ${name}; known: ${Object.keys(workloads).join(', ')}`);
      const c: Case = {
        workload: name, nodes: Number(values.nodes ?? w.nodes), pods: Number(values.pods ?? w.pods),
        initPods: Number(values['init-pods'] ?? w.initPods),
      };
      for (const mode of modes) jobs.push({ case: c, opts: { ...base, mode } });
    }
  } else {
    if (values.mode !== 'e2e') for (const c of defaultCases()) jobs.push({ case: c, opts: { ...base, mode: 'alone' } });
    if (values.mode !== 'alone') jobs.push({ case: { workload: 'basic', nodes: 500, initPods: 0, pods: 5000 }, opts: { ...base, mode: 'e2e' } });
  }
  const profileDir = values['cpu-prof'] ? join(repoRoot, 'bench', 'results', 'profiles') : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const rows: CaseResult[] = [];
  // The machine may be shared: the 1-minute load average before and after says how much.
  const loadBefore = Number(loadavg()[0]!.toFixed(2));
  for (const job of jobs) {
    const c = job.case;
    process.stderr.write(`${job.opts.mode} ${c.workload}: ${c.nodes} nodes, ${c.initPods} init pods, ${c.pods} pods\n`);
    const profileFile = profileDir && join(profileDir, `scheduler-${job.opts.mode}-${c.workload}-${c.nodes}.cpuprofile`);
    const r = await runChild({ ...job, opts: { ...job.opts, profileFile } });
    if (profileFile) process.stderr.write(`  CPU profile of the measured phase: ${profileFile}\n`);
    process.stderr.write(`  ${r.note?.startsWith('skipped') ? r.note : `${r.podsPerSecond.toFixed(0)} pods/s, latency p50 ${r.latencyMs.p50.toFixed(0)} ms`}\n`);
    rows.push(r);
  }
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const out = {
    benchmark: 'scheduler', date: new Date().toISOString(), machine,
    loadAverage: { before: loadBefore, after: Number(loadavg()[0]!.toFixed(2)) },
    setup: 'alone: API server on SQLite, nodes and init pods created through the API, the scheduler with the default profile over the in-process transport, '
      + 'a pod counted when its binding returned; e2e: the same server with simulated nodes and the scheduler in one process, pods created over HTTPS '
      + 'by a load generator process, a pod counted when Running',
    rows,
  };
  const dir = join(repoRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `scheduler-${out.date.slice(0, 10)}.json`), `${JSON.stringify(out, null, 2)}\n`);
  await writeFile(join(dir, 'scheduler-latest.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`Scheduling on ${machine} (load average ${out.loadAverage.before} before, ${out.loadAverage.after} after): pods/s average and over 1 s windows; latency from creation (from the scheduler's start for pods `
    + 'created before it) to bound (alone) or Running (e2e)\n');
  console.log(table(rows));
  for (const r of rows) if (r.note?.startsWith('skipped')) console.log(`\n${r.mode} ${r.workload}: ${r.note}`);
}

await main();
