// The service proxy benchmark's load generator. It runs inside the client pod's network namespace
// (started under nsenter by bench/proxy.ts), so every request it makes crosses the bridge and the
// node's nftables rules exactly as a pod's would. Closed loop: `concurrency` workers each send
// one GET at a time, either on a new TCP connection per request or on kept-alive connections; the
// cases take turns in slices (each slice with its own unmeasured warm-up). One JSON line per case
// on stdout.
//
//   node bench/proxy-loadgen.js '<JSON array of LoadCase>' <slices>
import { Agent, request } from 'node:http';

export interface LoadCase {
  name: string;
  /** `ip:port` targets, used in turn. */
  targets: string[];
  keepAlive: boolean;
  concurrency: number;
  /** Measured time in all, over every slice. */
  seconds: number;
  /** Unmeasured time at the start of each slice. */
  warmupSeconds: number;
}

export interface LoadResult {
  name: string;
  requests: number;
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Answers by the name the server put in its body. */
  byServer: Record<string, number>;
  /** Errors by code (ECONNRESET, ECONNREFUSED, …). */
  errorCodes: Record<string, number>;
}

function get(target: string, agent: Agent | false): Promise<string> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    // Without an agent the client closes the connection itself once the answer is in: the TIME_WAIT
    // stays on the client's side, where connect() reuses it safely (tcp_tw_reuse), rather than on the
    // server's, where a new SYN from a reused port would meet it and wait a second to be retried.
    const req = request({ host, port, path: '/', agent, headers: { connection: 'keep-alive' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => {
        if (!agent) req.socket?.destroy();
        if (res.statusCode === 200) resolve(body);
        else reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { code: `HTTP${res.statusCode}` }));
      });
      res.on('error', reject);
    });
    req.setTimeout(5000, () => req.destroy(Object.assign(new Error('timed out'), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end();
  });
}

/** What one measured slice of a case collected. */
interface Sample { requests: number; errors: number; ms: number; latencies: number[]; byServer: Record<string, number>; errorCodes: Record<string, number> }

async function measure(c: LoadCase, seconds: number, warmupSeconds: number, into: Sample): Promise<void> {
  const agent = c.keepAlive ? new Agent({ keepAlive: true, maxSockets: c.concurrency, maxFreeSockets: c.concurrency }) : false;
  let measuring = false;
  let next = 0;
  const measureFrom = performance.now() + warmupSeconds * 1000;
  const measureTo = measureFrom + seconds * 1000;
  const worker = async () => {
    for (;;) {
      const now = performance.now();
      if (now >= measureTo) return;
      if (!measuring && now >= measureFrom) measuring = true;
      const target = c.targets[next++ % c.targets.length]!;
      const t0 = performance.now();
      try {
        const body = await get(target, agent);
        const t1 = performance.now();
        if (measuring && t0 >= measureFrom && t1 <= measureTo) {
          into.requests++;
          into.latencies.push(t1 - t0);
          into.byServer[body] = (into.byServer[body] ?? 0) + 1;
        }
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'ERROR';
        if (measuring) { into.errors++; into.errorCodes[code] = (into.errorCodes[code] ?? 0) + 1; }
        // A refused or reset connection returns at once: do not spin on it.
        await new Promise((r) => setTimeout(r, 1));
      }
    }
  };
  await Promise.all(Array.from({ length: c.concurrency }, worker));
  into.ms += seconds * 1000;
  if (agent) agent.destroy();
}

function summarize(c: LoadCase, s: Sample): LoadResult {
  const latencies = s.latencies.sort((a, b) => a - b);
  const pct = (p: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0).toFixed(3));
  const seconds = s.ms / 1000;
  return {
    name: c.name, requests: s.requests, errors: s.errors, seconds, requestsPerSecond: Math.round(s.requests / seconds),
    latencyMs: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: pct(1) }, byServer: s.byServer, errorCodes: s.errorCodes,
  };
}

/**
 * Runs every case for its `seconds`, cut into `slices` turns taken case after case, so that a
 * change in the machine's background load falls on every case alike rather than on one.
 */
export async function runCases(cases: LoadCase[], slices: number, onSlice?: (done: number, of: number) => void): Promise<LoadResult[]> {
  const samples = cases.map((): Sample => ({ requests: 0, errors: 0, ms: 0, latencies: [], byServer: {}, errorCodes: {} }));
  for (let i = 0; i < slices; i++) {
    for (const [k, c] of cases.entries()) await measure(c, c.seconds / slices, c.warmupSeconds, samples[k]!);
    onSlice?.(i + 1, slices);
  }
  return cases.map((c, k) => summarize(c, samples[k]!));
}

async function main(): Promise<void> {
  const cases = JSON.parse(process.argv[2] ?? '[]') as LoadCase[];
  const results = await runCases(cases, Number(process.argv[3] ?? 1), (done, of) => process.stderr.write(`  slice ${done}/${of} of every case done\n`));
  for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
}

void main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
