// Raw etcd put throughput and latency through the etcd3 client: the ceiling the etcd-backed API
// server is measured against. Prints nothing and never fails on time; callers report the figures.
import { Etcd3 } from 'etcd3';

export interface EtcdPutsResult {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export async function measureEtcdPuts(
  endpoint: string,
  opts: { concurrency: number; count: number; valueBytes?: number },
): Promise<EtcdPutsResult> {
  const client = new Etcd3({ hosts: endpoint });
  const value = Buffer.alloc(opts.valueBytes ?? 300, 'x');
  const run = `/bench/puts/${process.pid}-${Date.now()}/`;
  const latencies: number[] = [];
  let next = 0;
  try {
    // One warm-up put so connection set-up is not counted.
    await client.put(`${run}warmup`).value(value);
    const started = performance.now();
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, async () => {
      while (next < opts.count) {
        const i = next++;
        const t0 = performance.now();
        await client.put(`${run}${i}`).value(value);
        latencies.push(performance.now() - t0);
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    await client.delete().prefix(run);
    latencies.sort((a, b) => a - b);
    const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    return { perSecond: latencies.length / seconds, p50Ms: pick(0.5), p99Ms: pick(0.99) };
  } finally {
    client.close();
  }
}
