import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CompactedError } from '../backend.js';
import { SqliteBackend } from './sqlite.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function withDir(body: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kite-sqlite-'));
  try {
    await body(join(dir, 'state.db'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function rowCount(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return Number(db.prepare('SELECT COUNT(*) FROM kv').pluck().get());
  } finally {
    db.close();
  }
}

/** 100 versions of /k, 10 keys created then deleted, 5 live keys: 125 revisions. */
async function writeHistory(b: SqliteBackend): Promise<void> {
  let rev = (await b.create('/k', bytes('0'))).modRevision;
  for (let i = 1; i < 100; i++) rev = (await b.update('/k', bytes(String(i)), rev)).modRevision;
  for (let i = 0; i < 10; i++) await b.create(`/d/${i}`, bytes('d'));
  for (let i = 0; i < 10; i++) await b.delete(`/d/${i}`);
  for (let i = 0; i < 5; i++) await b.create(`/live/${i}`, bytes(`l${i}`));
}

describe('sqlite backend', () => {
  test('compaction deletes superseded rows and tombstones in small batches', () => withDir(async (path) => {
    // The backend holds the file exclusively, so rows are counted while it is closed.
    const writer = new SqliteBackend({ path });
    await writer.start();
    await writeHistory(writer);
    await writer.close();
    assert.equal(rowCount(path), 125);

    const compactor = new SqliteBackend({ path, compactBatch: 7 });
    await compactor.start();
    await compactor.compact(125);
    await compactor.close();
    assert.equal(rowCount(path), 6);

    const b = new SqliteBackend({ path });
    await b.start();
    try {
      assert.equal(text((await b.get('/k'))!.value), '99');
      assert.deepEqual((await b.list('/live/', { revision: 125 })).items.map((kv) => text(kv.value)), ['l0', 'l1', 'l2', 'l3', 'l4']);
      assert.equal(await b.count('/d/'), 0);
    } finally {
      await b.close();
    }
  }));

  test('writers are served between compaction batches', () => withDir(async (path) => {
    // NORMAL acknowledges at commit, so the order seen here is the order of the commits.
    const b = new SqliteBackend({ path, compactBatch: 1, synchronous: 'NORMAL' });
    await b.start();
    try {
      await writeHistory(b);
      const order: string[] = [];
      const compaction = b.compact(120).then(() => order.push('compacted'));
      const write = b.create('/during', bytes('x')).then(() => order.push('written'));
      await Promise.all([compaction, write]);
      assert.deepEqual(order, ['written', 'compacted']);
    } finally {
      await b.close();
    }
  }));

  test('a reopened database keeps its values, revision and compact revision', () => withDir(async (path) => {
    const first = new SqliteBackend({ path });
    await first.start();
    await writeHistory(first);
    await first.compact(110);
    await first.close();

    const b = new SqliteBackend({ path });
    await b.start();
    try {
      assert.equal(await b.currentRevision(), 125);
      assert.equal(await b.compactRevision(), 110);
      await assert.rejects(b.get('/k', { revision: 109 }), CompactedError);
      assert.equal(text((await b.get('/k'))!.value), '99');
      const next = await b.create('/after-reopen', bytes('y'));
      assert.equal(next.modRevision, 126);
    } finally {
      await b.close();
    }
  }));

  test('the revision never goes back after the newest rows are compacted away', () => withDir(async (path) => {
    const first = new SqliteBackend({ path });
    await first.start();
    await first.create('/a', bytes('1'));
    await first.delete('/a');
    await first.create('/b', bytes('1'));
    await first.compact(3);
    await first.close();

    const b = new SqliteBackend({ path });
    await b.start();
    try {
      assert.equal(await b.currentRevision(), 3);
      assert.equal((await b.create('/c', bytes('1'))).modRevision, 4);
    } finally {
      await b.close();
    }
  }));
});
