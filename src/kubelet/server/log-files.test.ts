import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, appendFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentPaths } from '../paths.js';
import { parseCriLine } from './cri-log.js';
import { CriLogFiles, readLog } from './log-files.js';
import { KubeletError, type LogOptions } from './types.js';

const base: LogOptions = { follow: false, previous: false, timestamps: false };

async function collect(it: AsyncIterable<Buffer>): Promise<string> {
  let s = '';
  for await (const c of it) s += c.toString();
  return s;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kite-logs-'));
  try { await fn(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

const lines = [
  '2024-01-01T00:00:01.000000001Z stdout F one',
  '2024-01-01T00:00:02.000000002Z stderr P tw',
  '2024-01-01T00:00:02.500000000Z stderr F o',
  '2024-01-01T00:00:03.000000003Z stdout F three',
  '',
].join('\n');

test('parseCriLine reads timestamp, stream, tag and text, and rejects other lines', () => {
  const e = parseCriLine(Buffer.from('2024-01-01T00:00:01.123456789Z stdout P hello world'))!;
  assert.equal(e.timestamp, '2024-01-01T00:00:01.123456789Z');
  assert.equal(e.stream, 'stdout');
  assert.equal(e.partial, true);
  assert.equal(e.text.toString(), 'hello world');
  assert.equal(parseCriLine(Buffer.from('2024-01-01T00:00:01Z stdout F'))!.text.length, 0);
  assert.equal(parseCriLine(Buffer.from('garbage')), undefined);
  assert.equal(parseCriLine(Buffer.from('2024-01-01T00:00:01Z stdin F x')), undefined);
});

test('readLog joins partial lines, tails whole messages, prefixes timestamps and honours since and limitBytes', () => withDir(async (dir) => {
  const path = join(dir, '0.log');
  await writeFile(path, lines);
  const never = new AbortController().signal;
  assert.equal(await collect(readLog(path, base, () => false, never)), 'one\ntwo\nthree\n');
  assert.equal(await collect(readLog(path, { ...base, tailLines: 2 }, () => false, never)), 'two\nthree\n');
  assert.equal(await collect(readLog(path, { ...base, tailLines: 0 }, () => false, never)), '');
  assert.equal(await collect(readLog(path, { ...base, tailLines: 1, timestamps: true }, () => false, never)), '2024-01-01T00:00:03.000000003Z three\n');
  assert.equal((await collect(readLog(path, { ...base, timestamps: true, tailLines: 2 }, () => false, never))).split('\n')[0], '2024-01-01T00:00:02.000000002Z two');
  assert.equal(await collect(readLog(path, { ...base, sinceTime: Date.parse('2024-01-01T00:00:02Z') }, () => false, never)), 'two\nthree\n');
  assert.equal(await collect(readLog(path, { ...base, limitBytes: 6 }, () => false, never)), 'one\ntw');
  assert.equal(await collect(readLog(path, { ...base, stream: 'Stderr' }, () => false, never)), 'two\n');
}));

test('readLog follows appended lines and continues in the new file after a rotation', () => withDir(async (dir) => {
  const path = join(dir, '0.log');
  await writeFile(path, '2024-01-01T00:00:01Z stdout F first\n');
  let running = true;
  const abort = new AbortController();
  const got: string[] = [];
  const done = (async () => {
    for await (const c of readLog(path, { ...base, follow: true }, () => running, abort.signal, 10)) got.push(c.toString());
  })();
  const until = async (n: number) => {
    const end = Date.now() + 5000;
    while (got.length < n) {
      if (Date.now() > end) throw new Error(`only ${got.length} chunks: ${got.join('|')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await until(1);
  await appendFile(path, '2024-01-01T00:00:02Z stdout P sec');
  await appendFile(path, 'ond-part\n2024-01-01T00:00:02Z stdout F !\n');
  await until(2);
  await appendFile(path, '2024-01-01T00:00:03Z stdout F before rotation\n');
  await rename(path, `${path}.20240101-000003`);
  await writeFile(path, '2024-01-01T00:00:04Z stdout F after rotation\n');
  await until(4);
  running = false;
  await done;
  assert.deepEqual(got, ['first\n', 'second-part!\n', 'before rotation\n', 'after rotation\n']);
}));

test('CriLogFiles finds the current and previous instance and words errors as the kubelet does', () => withDir(async (dir) => {
  const paths = agentPaths(dir);
  const logDir = join(paths.logs, 'default_web_uid-1', 'app');
  await mkdir(logDir, { recursive: true });
  await writeFile(join(logDir, '0.log'), '2024-01-01T00:00:01Z stdout F crashed\n');
  await writeFile(join(logDir, '1.log'), '2024-01-01T00:00:02Z stdout F running\n');
  const files = new CriLogFiles({
    paths,
    locate: (ns, pod, c) => {
      if (pod !== 'web') throw new KubeletError(404, `pod "${ns}/${pod}" does not exist`);
      return { podUID: 'uid-1', restartCount: c === 'app' ? 1 : 0, running: () => true };
    },
  });
  const signal = new AbortController().signal;
  assert.equal(await collect(await files.open('default', 'web', 'app', base, signal)), 'running\n');
  assert.equal(await collect(await files.open('default', 'web', 'app', { ...base, previous: true }, signal)), 'crashed\n');
  await assert.rejects(files.open('default', 'web', 'side', { ...base, previous: true }, signal),
    (e: KubeletError) => e.code === 400 && e.message === 'previous terminated container "side" in pod "web" not found');
  await assert.rejects(files.open('default', 'db', 'app', base, signal), (e: KubeletError) => e.code === 404);
}));

test('CriLogFiles: while a container waits to restart, its log and --previous are both the instance that just died', () => withDir(async (dir) => {
  const paths = agentPaths(dir);
  const logDir = join(paths.logs, 'default_web_uid-1', 'app');
  await mkdir(logDir, { recursive: true });
  await writeFile(join(logDir, '0.log'), '2024-01-01T00:00:01Z stdout F first\n');
  await writeFile(join(logDir, '1.log'), '2024-01-01T00:00:02Z stdout F second\n');
  const files = new CriLogFiles({ paths, locate: () => ({ podUID: 'uid-1', restartCount: 1, waiting: true, running: () => false }) });
  const signal = new AbortController().signal;
  assert.equal(await collect(await files.open('default', 'web', 'app', base, signal)), 'second\n');
  assert.equal(await collect(await files.open('default', 'web', 'app', { ...base, previous: true }, signal)), 'second\n');
}));
