// The one behaviour suite every storage backend must pass, so the drivers stay interchangeable.
// Each driver's test file calls `runBackendConformance` with a factory for fresh, unstarted backends;
// the suite starts each backend and calls `cleanup` (which closes it) at the end of every test.
// Tests assume nothing about absolute revision numbers, so one etcd can serve every test under
// per-test key prefixes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompactedError, ConflictError, FutureRevisionError, KeyExistsError, NotFoundError, type KeyValue,
} from './backend.js';
import { assertKv, type BackendFactory, bytes, casIncrement, text, withBackend } from './conformance-support.js';
import { defineWatchConformance } from './conformance-watch.js';

export type { BackendFactory } from './conformance-support.js';

const isConflict = (e: unknown): e is ConflictError => e instanceof ConflictError;

export function runBackendConformance(name: string, factory: BackendFactory): void {
  describe(`${name} backend conformance`, () => {
    defineCrudTests(factory);
    defineListTests(factory);
    defineWatchConformance(factory);
    defineCompactionTests(factory);
    defineConcurrencyTests(factory);
  });
}

function defineCrudTests(factory: BackendFactory): void {
  test('create, get, update and delete round-trip values and revisions', () => withBackend(factory, async (b) => {
    const created = await b.create('/r/pods/a', bytes('v1'));
    assert.equal(created.createRevision, created.modRevision);
    assertKv(await b.get('/r/pods/a'), '/r/pods/a', 'v1', created.modRevision);
    assert.equal(await b.currentRevision(), created.modRevision);

    const updated = await b.update('/r/pods/a', bytes('v2'), created.modRevision);
    assert.ok(updated.modRevision > created.modRevision);
    assert.equal(updated.createRevision, created.createRevision);
    assert.equal(text(updated.value), 'v2');
    assertKv(await b.get('/r/pods/a'), '/r/pods/a', 'v2', updated.modRevision);

    const deleted = await b.delete('/r/pods/a', updated.modRevision);
    assert.ok(deleted.modRevision > updated.modRevision);
    assert.equal(deleted.createRevision, created.createRevision);
    assert.equal(text(deleted.value), 'v2');
    assert.equal(await b.get('/r/pods/a'), undefined);
    assert.equal(await b.currentRevision(), deleted.modRevision);
    assert.equal(await b.get('/r/pods/never'), undefined);
  }));

  test('create fails with KeyExistsError on a live key and succeeds again after delete', () => withBackend(factory, async (b) => {
    const first = await b.create('/r/k', bytes('1'));
    await assert.rejects(b.create('/r/k', bytes('2')), (e: unknown) => e instanceof KeyExistsError && e.key === '/r/k');
    assertKv(await b.get('/r/k'), '/r/k', '1', first.modRevision);
    await b.delete('/r/k');
    const again = await b.create('/r/k', bytes('3'));
    assert.ok(again.createRevision > first.createRevision);
    assert.equal(again.createRevision, again.modRevision);
  }));

  test('update and delete are compare-and-swap on modRevision', () => withBackend(factory, async (b) => {
    const v1 = await b.create('/r/cas', bytes('1'));
    const v2 = await b.update('/r/cas', bytes('2'), v1.modRevision);
    await assert.rejects(b.update('/r/cas', bytes('stale'), v1.modRevision), (e: unknown) => {
      assert.ok(e instanceof ConflictError);
      assert.equal(e.key, '/r/cas');
      if (e.current) assertKv(e.current, '/r/cas', '2', v2.modRevision);
      return true;
    });
    await assert.rejects(b.update('/r/cas', bytes('unconditional'), 0), ConflictError);
    await assert.rejects(b.delete('/r/cas', v1.modRevision), ConflictError);
    assertKv(await b.get('/r/cas'), '/r/cas', '2', v2.modRevision);
    await assert.rejects(b.update('/r/absent', bytes('x'), v1.modRevision), NotFoundError);
    await assert.rejects(b.update('/r/absent', bytes('x'), 0), NotFoundError);
    await assert.rejects(b.delete('/r/absent', v1.modRevision), NotFoundError);
    await assert.rejects(b.delete('/r/absent'), NotFoundError);
    const gone = await b.delete('/r/cas');
    assert.equal(text(gone.value), '2');
    await assert.rejects(b.delete('/r/cas'), NotFoundError);
    await assert.rejects(b.update('/r/cas', bytes('x'), gone.modRevision), NotFoundError);
  }));

  test('revisions are global across keys and strictly increasing', () => withBackend(factory, async (b) => {
    const start = await b.currentRevision();
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) {
      const kv = await b.create(`/r/g/${i % 2 ? 'odd' : 'even'}/${i}`, bytes(String(i)));
      seen.push(kv.modRevision);
    }
    assert.ok(seen[0] > start);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `revision ${seen[i]} after ${seen[i - 1]}`);
    assert.equal(await b.currentRevision(), seen[seen.length - 1]);
  }));

  test('get and list at a past revision see the values of that revision', () => withBackend(factory, async (b) => {
    const a1 = await b.create('/r/h/a', bytes('a1'));
    const b1 = await b.create('/r/h/b', bytes('b1'));
    const a2 = await b.update('/r/h/a', bytes('a2'), a1.modRevision);
    await b.delete('/r/h/b', b1.modRevision);
    await b.create('/r/h/c', bytes('c1'));

    assertKv(await b.get('/r/h/a', { revision: a1.modRevision }), '/r/h/a', 'a1', a1.modRevision);
    assert.equal(await b.get('/r/h/b', { revision: a1.modRevision }), undefined);
    assertKv(await b.get('/r/h/b', { revision: a2.modRevision }), '/r/h/b', 'b1');
    const past = await b.list('/r/h/', { revision: a2.modRevision });
    assert.equal(past.revision, a2.modRevision);
    assert.deepEqual(past.items.map((kv) => `${kv.key}=${text(kv.value)}`), ['/r/h/a=a2', '/r/h/b=b1']);
    const now = await b.list('/r/h/');
    assert.equal(now.revision, await b.currentRevision());
    assert.deepEqual(now.items.map((kv) => `${kv.key}=${text(kv.value)}`), ['/r/h/a=a2', '/r/h/c=c1']);

    const future = (await b.currentRevision()) + 5;
    await assert.rejects(b.get('/r/h/a', { revision: future }), FutureRevisionError);
    await assert.rejects(b.list('/r/h/', { revision: future }), FutureRevisionError);
  }));
}

function defineListTests(factory: BackendFactory): void {
  test('list and count keep sibling prefixes apart', () => withBackend(factory, async (b) => {
    for (const k of ['/a/1', '/a/2', '/ab/1', '/a', '/b/1', '/a/3/x']) await b.create(k, bytes(k));
    const a = await b.list('/a/');
    assert.deepEqual(a.items.map((kv) => kv.key), ['/a/1', '/a/2', '/a/3/x']);
    assert.equal(a.more, false);
    assert.deepEqual((await b.list('/ab/')).items.map((kv) => kv.key), ['/ab/1']);
    assert.equal(await b.count('/a/'), 3);
    assert.equal(await b.count('/ab/'), 1);
    assert.equal(await b.count('/c/'), 0);
    await b.delete('/a/2');
    assert.equal(await b.count('/a/'), 2);
    assert.deepEqual((await b.list('/a/')).items.map((kv) => kv.key), ['/a/1', '/a/3/x']);
  }));

  test('paging with limit and after yields every key exactly once at one revision', () => withBackend(factory, async (b) => {
    const keys: string[] = [];
    for (let i = 0; i < 23; i++) {
      const key = `/p/items/${String(i).padStart(3, '0')}`;
      keys.push(key);
      await b.create(key, bytes(`v${i}`));
    }
    await b.create('/p/itemsx', bytes('outside'));
    const first = await b.list('/p/items/', { limit: 5 });
    assert.equal(first.items.length, 5);
    assert.equal(first.more, true);
    const at = first.revision;
    const seen = first.items.map((kv) => kv.key);
    let after = seen[seen.length - 1];
    let pages = 1;
    for (;;) {
      // Writes between pages must not show up in pages read at the first page's revision.
      await b.create(`/p/items/${String(100 + pages).padStart(3, '0')}`, bytes('late'));
      await b.update(keys[22], bytes(`late${pages}`), (await b.get(keys[22]))!.modRevision);
      const page = await b.list('/p/items/', { limit: 5, after, revision: at });
      pages++;
      assert.equal(page.revision, at);
      for (const kv of page.items) if (kv.key === keys[22]) assert.equal(text(kv.value), 'v22');
      seen.push(...page.items.map((kv) => kv.key));
      if (!page.more) break;
      assert.equal(page.items.length, 5);
      after = page.items[page.items.length - 1].key;
    }
    assert.equal(pages, 5);
    assert.deepEqual(seen, keys);
    const exact = await b.list('/p/items/', { limit: 23, revision: at });
    assert.equal(exact.items.length, 23);
    assert.equal(exact.more, false);
  }));
}

function defineCompactionTests(factory: BackendFactory): void {
  test('compaction fails old reads and keeps the latest values', () => withBackend(factory, async (b) => {
    const a1 = await b.create('/c/a', bytes('a1'));
    const a2 = await b.update('/c/a', bytes('a2'), a1.modRevision);
    const b1 = await b.create('/c/b', bytes('b1'));
    const gone = await b.create('/c/gone', bytes('g'));
    await b.delete('/c/gone', gone.modRevision);
    const a3 = await b.update('/c/a', bytes('a3'), a2.modRevision);
    const c1 = await b.create('/c/c', bytes('c1'));

    await b.compact(a3.modRevision);
    assert.equal(await b.compactRevision(), a3.modRevision);
    await assert.rejects(b.get('/c/a', { revision: a2.modRevision }), (e: unknown) =>
      e instanceof CompactedError && e.requested === a2.modRevision && e.compacted === a3.modRevision);
    await assert.rejects(b.list('/c/', { revision: a1.modRevision }), CompactedError);
    assertKv(await b.get('/c/a', { revision: a3.modRevision }), '/c/a', 'a3', a3.modRevision);
    assertKv(await b.get('/c/b', { revision: a3.modRevision }), '/c/b', 'b1', b1.modRevision);
    const latest = await b.list('/c/');
    assert.deepEqual(latest.items.map((kv) => `${kv.key}=${text(kv.value)}@${kv.modRevision}`),
      [`/c/a=a3@${a3.modRevision}`, `/c/b=b1@${b1.modRevision}`, `/c/c=c1@${c1.modRevision}`]);
    assert.equal(await b.count('/c/'), 3);

    // The live versions stay updatable and deletable by their revisions.
    const b2 = await b.update('/c/b', bytes('b2'), b1.modRevision);
    assert.equal(b2.createRevision, b1.createRevision);
    await b.create('/c/gone', bytes('again'));
    await assert.rejects(b.compact(a3.modRevision), CompactedError);
    await assert.rejects(b.compact((await b.currentRevision()) + 10), FutureRevisionError);
    await b.compact(await b.currentRevision());
    assertKv(await b.get('/c/b'), '/c/b', 'b2', b2.modRevision);
    assert.equal(await b.count('/c/'), 4);
  }));

  test('compaction keeps what a read at the compacted revision needs', () => withBackend(factory, async (b) => {
    const x1 = await b.create('/cc/x', bytes('x1'));
    const x2 = await b.update('/cc/x', bytes('x2'), x1.modRevision);
    const y1 = await b.create('/cc/y', bytes('y1'));
    const yDel = await b.delete('/cc/y', y1.modRevision);
    await b.update('/cc/x', bytes('x3'), x2.modRevision);
    await b.compact(yDel.modRevision);
    const at = await b.list('/cc/', { revision: yDel.modRevision });
    assert.deepEqual(at.items.map((kv) => `${kv.key}=${text(kv.value)}`), ['/cc/x=x2']);
    assert.equal(await b.get('/cc/y', { revision: yDel.modRevision }), undefined);
  }));
}

function defineConcurrencyTests(factory: BackendFactory): void {
  test('50 concurrent writers doing 20 CAS increments each end at exactly 1000', () => withBackend(factory, async (b) => {
    await b.create('/n/counter', bytes('0'));
    const writers = Array.from({ length: 50 }, async () => {
      for (let i = 0; i < 20; i++) await casIncrement(b, '/n/counter', isConflict);
    });
    await Promise.all(writers);
    assert.equal(text((await b.get('/n/counter'))!.value), '1000');
  }));

  test('concurrent creates of distinct keys all land with distinct revisions', () => withBackend(factory, async (b) => {
    const created: KeyValue[] = await Promise.all(
      Array.from({ length: 200 }, (_, i) => b.create(`/n/many/${String(i).padStart(4, '0')}`, bytes(String(i)))));
    const revisions = new Set(created.map((kv) => kv.modRevision));
    assert.equal(revisions.size, 200);
    assert.equal(await b.count('/n/many/'), 200);
    assert.equal(await b.currentRevision(), Math.max(...revisions));
    const listed = await b.list('/n/many/');
    for (const kv of listed.items) assert.equal(text(kv.value), String(Number(kv.key.slice('/n/many/'.length))));
  }));
}
