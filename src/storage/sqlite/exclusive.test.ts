import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBackend } from './sqlite.js';

test('sqlite refuses a second backend on a file another one has open', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kite-sqlite-exclusive-'));
  const path = join(dir, 'state.db');
  const first = new SqliteBackend({ path });
  await first.start();
  try {
    await first.create('/a', new TextEncoder().encode('1'));
    const second = new SqliteBackend({ path });
    await assert.rejects(second.start(), /in use by another process/);
    assert.equal((await first.get('/a'))?.modRevision, 1);
  } finally {
    await first.close();
    await rm(dir, { recursive: true, force: true });
  }
});
