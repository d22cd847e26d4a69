import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteBackend } from './sqlite.js';

const here = fileURLToPath(import.meta.url);
// Run from source under tsx, or compiled from dist with plain node.
const writerScript = join(dirname(here), `durability-writer${extname(here)}`);
const nodeArgs = extname(here) === '.ts' ? ['--import', 'tsx'] : [];

test('sqlite keeps every acknowledged write when the writer is killed with SIGKILL', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kite-durability-'));
  try {
    const path = join(dir, 'state.db');
    const child = spawn(process.execPath, [...nodeArgs, writerScript, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.split('\n').length > 500 && child.exitCode === null && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      void exited.then(() => reject(new Error(`writer exited before it was killed: ${err}`)));
    });
    assert.equal(await exited, 'SIGKILL');

    // Only whole lines are acknowledgements; a torn last line is not.
    const acked = out.split('\n').slice(0, -1).map(Number);
    assert.ok(acked.length >= 500, `only ${acked.length} acknowledgements`);

    const backend = new SqliteBackend({ path });
    await backend.start();
    try {
      for (const i of acked) {
        const kv = await backend.get(`/durable/${i}`);
        assert.ok(kv, `acknowledged key /durable/${i} lost`);
        assert.equal(new TextDecoder().decode(kv.value), `value-${i}`);
      }
      assert.ok(await backend.currentRevision() >= acked.length);
      assert.equal(await backend.count('/durable/'), await backend.currentRevision());
    } finally {
      await backend.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
