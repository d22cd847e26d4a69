import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../apimachinery/log.js';
import { MemoryBackend } from '../storage/memory/memory.js';
import { defaultComponents, type ServerComponents } from './components.js';
import { parseServerFlags } from './flags.js';
import { runServer } from './server.js';

async function serve(t: { after(fn: () => Promise<void>): void }, disableControllers: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'kite-server-controllers-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const flags = parseServerFlags({ dataDir: join(dir, 'data'), port: '0', bindAddress: '127.0.0.1', logFormat: 'text' },
    { uid: 1000, home: dir, cwd: dir, isTTY: false });
  const lines: string[] = [];
  const logger = createLogger({ sink: { write: (l) => { lines.push(l); } }, human: true });
  const components: ServerComponents = { ...defaultComponents, createBackend: async () => new MemoryBackend() };
  const abort = new AbortController();
  const done = runServer(flags, { signal: abort.signal, logger, hostnames: ['node-a'], ips: [], components, disableControllers });
  const waitFor = async (re: RegExp) => {
    const deadline = Date.now() + 15_000;
    while (!lines.some((l) => re.test(l))) {
      if (Date.now() > deadline) throw new Error(`no log line matching ${re}:\n${lines.join('')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { lines, abort, done, waitFor };
}

test('kite server runs the controllers in-process behind the lease, and releases it on stop', async (t) => {
  const s = await serve(t, false);
  await s.waitFor(/kubectl get ns/);
  await s.waitFor(/controller-manager: started namespace controller/);
  await s.waitFor(/leader-election: acquired leader lease as node-a_/);
  s.abort.abort();
  assert.equal(await s.done, 0);
  const text = s.lines.join('');
  assert.match(text, /controller-manager: controllers stopped/);
  assert.match(text, /leader-election: released leader lease/);
  assert.match(s.lines.at(-1)!, /stopped/);
});

test('kite server --disable-controllers runs none', async (t) => {
  const s = await serve(t, true);
  await s.waitFor(/kubectl get ns/);
  await s.waitFor(/controller-manager: disabled/);
  s.abort.abort();
  assert.equal(await s.done, 0);
  assert.doesNotMatch(s.lines.join(''), /started namespace controller/);
});
