// The service proxy benchmark's figures as text: the console tables and bench/results/proxy.md.
import type { LoadResult } from './proxy-loadgen.js';

export interface UpdateFigure {
  samples: number[];
  medianMs: number;
  maxMs: number;
  /** Most nft transactions applied from the change to the one carrying it (1: the first one did). */
  transactions: number;
  /** Longest run of `nft -f` for the transaction carrying the change. */
  nftMs: number;
  transactionLines: number;
}

export interface ProxyBenchResult {
  benchmark: 'proxy';
  date: string;
  machine: string;
  kernel: string;
  loadAverage: { before: number; after: number };
  setup: string;
  load: LoadResult[];
  updates: Record<string, UpdateFigure>;
  bulk?: {
    services: number;
    apiWritesMs: number;
    appliedAfterFirstWriteMs: number;
    appliedAfterLastWriteMs: number;
    transactions: number;
    lastNftMs: number;
    lastTransactionLines: number;
    serviceIpsInMap: number;
    lastServiceAnswers: boolean;
  };
}

type Row = string[];

function split(name: string): { mode: string; target: string } {
  const [mode, target] = name.split(' | ');
  return { mode: mode ?? name, target: target ?? '' };
}

function loadRows(out: ProxyBenchResult): Row[] {
  return out.load.map((r) => {
    const { mode, target } = split(r.name);
    // Each ClusterIP against the direct connections to the same pods, in the same mode.
    const pods = target.slice(target.lastIndexOf('('));
    const direct = out.load.find((d) => split(d.name).mode === mode && !split(d.name).target.startsWith('ClusterIP') && split(d.name).target.endsWith(pods));
    const rel = direct && direct !== r && direct.requestsPerSecond > 0 ? `${Math.round((100 * r.requestsPerSecond) / direct.requestsPerSecond)}%` : '';
    return [mode, target, r.requestsPerSecond.toLocaleString('en-US'), rel, r.latencyMs.p50.toFixed(2), r.latencyMs.p90.toFixed(2), r.latencyMs.p99.toFixed(2), String(r.errors)];
  });
}

function spreadRows(out: ProxyBenchResult): Row[] {
  return out.load.filter((r) => split(r.name).target.startsWith('ClusterIP') && Object.keys(r.byServer).length > 1).map((r) => {
    const total = Object.values(r.byServer).reduce((a, b) => a + b, 0) || 1;
    const shares = Object.keys(r.byServer).sort().map((k) => `${k} ${((100 * r.byServer[k]!) / total).toFixed(1)}%`);
    return [split(r.name).mode, shares.join(', ')];
  });
}

function updateRows(out: ProxyBenchResult): Row[] {
  const rows: Row[] = Object.entries(out.updates).map(([change, f]) => [
    `EndpointSlice ${change}`, f.medianMs.toFixed(1), f.maxMs.toFixed(1), f.samples.join(', '), String(f.transactions), f.nftMs.toFixed(1), String(f.transactionLines),
  ]);
  const b = out.bulk;
  if (b) {
    rows.push([`${b.services} Services (+ slices) created at once`, b.appliedAfterFirstWriteMs.toFixed(1), '',
      `API writes took ${b.apiWritesMs.toFixed(0)} ms; applied ${b.appliedAfterLastWriteMs.toFixed(1)} ms after the last`, String(b.transactions), b.lastNftMs.toFixed(1), String(b.lastTransactionLines)]);
  }
  return rows;
}

function text(head: Row, rows: Row[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: Row) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

function md(head: Row, rows: Row[], right: number[]): string {
  const align = head.map((_, i) => (right.includes(i) ? '---:' : '---'));
  return [head, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

const LOAD_HEAD = ['mode', 'target', 'requests/s', 'vs direct', 'p50 ms', 'p90 ms', 'p99 ms', 'errors'];
const SPREAD_HEAD = ['mode', 'requests per pod through the ClusterIP'];
const UPDATE_HEAD = ['change', 'median ms', 'max ms', 'samples (ms)', 'nft transactions', 'nft ms', 'lines'];

export function renderTables(out: ProxyBenchResult): string {
  return [
    `Service proxy on ${out.machine}, kernel ${out.kernel} (load average ${out.loadAverage.before} before, ${out.loadAverage.after} after)`, '',
    text(LOAD_HEAD, loadRows(out)), '',
    text(SPREAD_HEAD, spreadRows(out)), '',
    'Rule updates (change written to the API -> nft transaction applied):',
    text(UPDATE_HEAD.filter((_, i) => i !== 3), updateRows(out).map((r) => r.filter((_, i) => i !== 3))),
  ].join('\n');
}

export function renderMarkdown(out: ProxyBenchResult): string {
  return `# Service proxy benchmark

\`npm run bench:proxy\` (root). Setup: ${out.setup}.

Machine: ${out.machine}, kernel ${out.kernel}; run on ${out.date.slice(0, 10)}, load average ${out.loadAverage.before} before and ${out.loadAverage.after} after.
The load generator, the three servers, the API server and the proxier share the machine's cores
(with whatever else runs on it), and one node process generating the load is what limits the
rates: differences of up to a quarter between a ClusterIP and its direct connections are within
what repeated runs on this machine vary by.

## Requests

"vs direct" compares each ClusterIP with direct connections to the same pods in the same mode,
measured in the same run: the one-pod Service with that pod's IP, the three-pod Service with the
three pod IPs taken in turn. Direct connections pass the node's bridge and conntrack as well
(br_netfilter); what the ClusterIP adds is the proxy's nat chains on each connection's first
packet (dispatch map, random endpoint choice, DNAT) and the routed hop through the node instead of
the bridged one. Kept-alive connections pay it once per connection.

${md(LOAD_HEAD, loadRows(out), [2, 3, 4, 5, 6, 7])}

${md(SPREAD_HEAD, spreadRows(out), [])}

## Rule updates

From the API write (an EndpointSlice update, or the first of the Service and EndpointSlice
creates) to the nft transaction carrying the change having been applied in the node namespace,
through the proxier's watch, its rate-limited sync (at most one per 100 ms) and \`nft -f\`.
"nft transactions" counts those applied up to and including the one carrying the change; "nft
ms" is how long that \`nft -f\` ran (the longest over the rounds), "lines" its length.

${md(UPDATE_HEAD, updateRows(out), [1, 2, 4, 5, 6])}
${out.bulk ? `\nAfter the ${out.bulk.services} Services: ${out.bulk.serviceIpsInMap} entries in the service-ips map; the last Service ${out.bulk.lastServiceAnswers ? 'answered' : 'did not answer'} through its ClusterIP.\n` : ''}`;
}
