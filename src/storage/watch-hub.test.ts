import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CompactedError, type StorageEvent } from './backend.js';
import { WatchHub } from './watch-hub.js';

const event = (rev: number, key = '/k'): StorageEvent => ({
  type: 'create',
  kv: { key, value: new Uint8Array([rev]), createRevision: rev, modRevision: rev },
});

/** A history of revisions 1..n, all under /k. */
function hubWithHistory(n: number): { hub: WatchHub; reads: number[] } {
  const reads: number[] = [];
  const hub = new WatchHub((prefix, from, to, limit) => {
    reads.push(from);
    const out: StorageEvent[] = [];
    for (let r = from; r <= Math.min(to, n) && out.length < limit; r++) out.push(event(r));
    return out.filter((e) => e.kv.key.startsWith(prefix));
  });
  return { hub, reads };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('WatchHub', () => {
  test('a watcher whose callback throws is ended with that error and gets nothing more', async () => {
    const { hub } = hubWithHistory(0);
    const seen: number[] = [];
    let error: Error | undefined;
    hub.add('/k', {
      onEvents: (evs) => { seen.push(...evs.map((e) => e.kv.modRevision)); throw new Error('boom'); },
      onError: (err) => { error = err; },
    }, 0, 0);
    hub.publish([event(1)]);
    await tick();
    hub.publish([event(2)]);
    await tick();
    assert.deepEqual(seen, [1]);
    assert.equal(error?.message, 'boom');
    assert.equal(hub.size, 0);
  });

  test('a compaction during a long replay fails the watcher with CompactedError', async () => {
    const { hub, reads } = hubWithHistory(2000);
    let error: Error | undefined;
    let delivered = 0;
    hub.add('/k', { startRevision: 1, onEvents: (evs) => { delivered += evs.length; }, onError: (err) => { error = err; } }, 2000, 0);
    await tick();
    hub.compact(1500);
    for (let i = 0; i < 10 && !error; i++) await tick();
    assert.ok(error instanceof CompactedError, `got ${error}`);
    assert.ok(delivered < 2000);
    assert.ok(reads.length >= 1);
  });

  test('live events published during a replay follow the history without duplicates', async () => {
    const { hub } = hubWithHistory(1200);
    const revs: number[] = [];
    hub.add('/k', { startRevision: 5, onEvents: (evs) => revs.push(...evs.map((e) => e.kv.modRevision)), onError: assert.fail }, 1200, 0);
    // An event the history already holds (1200) and new ones arrive while the replay is running.
    hub.publish([event(1200), event(1201)]);
    await tick();
    hub.publish([event(1202), event(1203, '/other')]);
    for (let i = 0; i < 10; i++) await tick();
    assert.deepEqual(revs, Array.from({ length: 1198 }, (_, i) => i + 5));
  });
});
