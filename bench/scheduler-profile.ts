// The top self-time functions of a V8 .cpuprofile (as `--cpu-prof` writes them), with their
// share of the samples and the total (self + callees) time of the same functions.
//   node --import tsx bench/scheduler-profile.ts <file.cpuprofile> [top=30] [filter]
import { readFileSync } from 'node:fs';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const [file, topArg, filter] = process.argv.slice(2);
if (!file) throw new Error('usage: scheduler-profile.ts <file.cpuprofile> [top] [filter]');
const prof = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(src|bench|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
prof.samples.forEach((id, i) => {
  const dt = prof.timeDeltas[i] ?? 0;
  all += dt;
  const node = byId.get(id)!;
  const key = label(node.callFrame);
  self.set(key, (self.get(key) ?? 0) + dt);
  // Each function once per sample in its total, however deep it recurses.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = label(byId.get(cur)!.callFrame);
    if (seen.has(k)) continue;
    seen.add(k);
    total.set(k, (total.get(k) ?? 0) + dt);
  }
});
const top = Number(topArg ?? 30);
const pct = (v: number) => `${((100 * v) / all).toFixed(1)}%`.padStart(6);
console.log(`${(all / 1e6).toFixed(1)} s sampled\n\nself    total   function`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).filter(([k]) => !filter || k.includes(filter)).slice(0, top)) {
  console.log(`${pct(v)} ${pct(total.get(k) ?? 0)}  ${k}`);
}
console.log('\ntotal   function (by total time)');
for (const [k, v] of [...total].sort((a, b) => b[1] - a[1]).filter(([k]) => !filter || k.includes(filter)).slice(0, top)) {
  console.log(`${pct(v)}  ${k}`);
}
