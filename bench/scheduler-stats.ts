// Figures for the scheduling benchmark: throughput over 1 s windows and per-pod latency
// percentiles, as scheduler_perf reports them, and the printed table.

export interface Percentiles { p50: number; p90: number; p99: number }

export interface CaseResult {
  mode: 'alone' | 'e2e';
  workload: string;
  nodes: number;
  initPods: number;
  pods: number;
  /** Pods created before the scheduler started (false: created while it ran). */
  precreated: boolean;
  completed: boolean;
  /** Measured pods that reached the end point (bound, or Running end to end). */
  done: number;
  seconds: number;
  podsPerSecond: number;
  /** Pods per 1 s window, over the windows of the run. */
  windowPodsPerSecond: Percentiles;
  /** Creation (or scheduler start, when precreated) to bound / Running, in ms. */
  latencyMs: Percentiles;
  /** FailedScheduling events recorded during the run. */
  failedScheduling: number;
  peakRssMiB: number;
  note?: string;
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function percentiles(values: number[]): Percentiles {
  const s = [...values].sort((a, b) => a - b);
  return { p50: percentile(s, 0.5), p90: percentile(s, 0.9), p99: percentile(s, 0.99) };
}

/**
 * Counts per 1 s window from `start`: completion times (ms, same clock) bucketed by second; the
 * last, partial window is scaled to a rate only when it is at least half a second long.
 */
export function windowRates(times: number[], start: number, end: number): number[] {
  const span = end - start;
  if (span <= 0 || times.length === 0) return [];
  const full = Math.floor(span / 1000);
  const counts = new Array<number>(full + 1).fill(0);
  for (const t of times) counts[Math.min(full, Math.max(0, Math.floor((t - start) / 1000)))]!++;
  const rest = span - full * 1000;
  const rates = counts.slice(0, full);
  if (rest >= 500) rates.push((counts[full]! * 1000) / rest);
  else if (full > 0) rates[full - 1]! += counts[full]!;
  else rates.push((counts[0]! * 1000) / span);
  return rates;
}

const n0 = (x: number) => x.toFixed(0);

export function table(rows: CaseResult[]): string {
  const head = '| mode | workload | nodes | init pods | pods | done | s | pods/s avg | p50 | p90 | p99 | latency p50 ms | p90 | p99 | failed sched. | RSS MiB |\n'
    + '|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  return [head, ...rows.map((r) => `| ${r.mode} | ${r.workload}${r.precreated ? '' : ' (streamed)'} | ${r.nodes} | ${r.initPods} | ${r.pods} | `
    + `${r.completed ? 'yes' : `no (${r.done})`} | ${r.seconds.toFixed(1)} | ${n0(r.podsPerSecond)} | `
    + `${n0(r.windowPodsPerSecond.p50)} | ${n0(r.windowPodsPerSecond.p90)} | ${n0(r.windowPodsPerSecond.p99)} | `
    + `${n0(r.latencyMs.p50)} | ${n0(r.latencyMs.p90)} | ${n0(r.latencyMs.p99)} | ${r.failedScheduling} | ${n0(r.peakRssMiB)} |`)].join('\n');
}
