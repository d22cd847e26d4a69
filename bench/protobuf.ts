// Protobuf encode/decode throughput of realistic objects (a Pod, a Deployment, a ConfigMap from
// the codec's round-trip fixtures) against JSON.stringify/JSON.parse of the same objects. The
// protobuf figures include the "k8s\0" envelope, as on the wire. Each case runs for a fixed time
// after a warm-up; prints a table and writes bench/results/protobuf-<date>.json and protobuf-latest.json.
//
//   node --import tsx bench/protobuf.ts [--seconds 1]
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { unwrapEnvelope, wrapEnvelope } from '../src/apimachinery/protobuf-envelope.js';
import { decodeObject, encodeObject } from '../src/api/protobuf/index.js';
import { coreFixtures } from '../src/api/protobuf/fixtures-core.js';
import { groupFixtures } from '../src/api/protobuf/fixtures-groups.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, here.includes(`${sep}dist${sep}`) ? '../..' : '..');

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '1' } } });
const seconds = Number(values.seconds);

const subjects = [
  { kind: 'Pod', apiVersion: 'v1', definition: 'io.k8s.api.core.v1.Pod', obj: coreFixtures.Pod },
  { kind: 'Deployment', apiVersion: 'apps/v1', definition: 'io.k8s.api.apps.v1.Deployment', obj: groupFixtures.Deployment },
  { kind: 'ConfigMap', apiVersion: 'v1', definition: 'io.k8s.api.core.v1.ConfigMap', obj: coreFixtures.ConfigMap },
];

interface Row { kind: string; format: 'protobuf' | 'json'; op: 'encode' | 'decode'; bytes: number; objectsPerSecond: number; mbPerSecond: number }

/** Runs `fn` in batches for `seconds` (after a quarter of that as warm-up); operations per second. */
function measure(fn: () => void): number {
  const run = (ms: number) => {
    let n = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      for (let i = 0; i < 50; i++) fn();
      n += 50;
    }
    return n;
  };
  run(seconds * 250);
  const start = performance.now();
  const n = run(seconds * 1000);
  return n / ((performance.now() - start) / 1000);
}

const rows: Row[] = [];
for (const s of subjects) {
  const full = { apiVersion: s.apiVersion, kind: s.kind, ...s.obj };
  const typeMeta = { apiVersion: s.apiVersion, kind: s.kind };
  const pb = wrapEnvelope(typeMeta, encodeObject(full, s.definition));
  const json = JSON.stringify(full);
  const jsonBytes = Buffer.byteLength(json);
  const add = (format: Row['format'], op: Row['op'], bytes: number, ops: number) =>
    rows.push({ kind: s.kind, format, op, bytes, objectsPerSecond: Math.round(ops), mbPerSecond: Number(((ops * bytes) / 1e6).toFixed(1)) });
  add('protobuf', 'encode', pb.length, measure(() => wrapEnvelope(typeMeta, encodeObject(full, s.definition))));
  add('protobuf', 'decode', pb.length, measure(() => decodeObject(unwrapEnvelope(pb).raw, s.definition)));
  add('json', 'encode', jsonBytes, measure(() => Buffer.from(JSON.stringify(full))));
  const jsonBuf = Buffer.from(json);
  add('json', 'decode', jsonBytes, measure(() => JSON.parse(jsonBuf.toString('utf8'))));
}

const pad = (v: unknown, n: number) => String(v).padStart(n);
console.log(`${'kind'.padEnd(11)}${'format'.padEnd(10)}${'op'.padEnd(8)}${pad('bytes', 7)}${pad('objects/s', 12)}${pad('MB/s', 8)}`);
for (const r of rows) {
  console.log(`${r.kind.padEnd(11)}${r.format.padEnd(10)}${r.op.padEnd(8)}${pad(r.bytes, 7)}${pad(r.objectsPerSecond.toLocaleString('en-US'), 12)}${pad(r.mbPerSecond, 8)}`);
}

const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
const result = { benchmark: 'protobuf', date: new Date().toISOString(), machine, secondsPerCase: seconds, rows };
const dir = join(repoRoot, 'bench', 'results');
await mkdir(dir, { recursive: true });
const text = `${JSON.stringify(result, null, 2)}\n`;
await writeFile(join(dir, `protobuf-${result.date.slice(0, 10)}.json`), text);
await writeFile(join(dir, 'protobuf-latest.json'), text);
console.log(`\n${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; written to bench/results/protobuf-latest.json`);
