// Watch behaviour every backend must share: ordered, gap-free, duplicate-free delivery from any
// retained revision into live events, several watchers, cancel, and compaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompactedError, type KeyValue } from './backend.js';
import { type BackendFactory, bytes, describeEvent, settle, text, WatchRecorder, withBackend } from './conformance-support.js';

export function defineWatchConformance(factory: BackendFactory): void {
  test('watch from a past revision replays history in order, then live events', () => withBackend(factory, async (b) => {
    const a1 = await b.create('/w/a', bytes('a1'));
    const a2 = await b.update('/w/a', bytes('a2'), a1.modRevision);
    await b.create('/other/x', bytes('not watched'));
    const c1 = await b.create('/w/c', bytes('c1'));
    const aDel = await b.delete('/w/a', a2.modRevision);

    const rec = new WatchRecorder();
    const w = b.watch('/w/', { startRevision: a1.modRevision, onEvents: rec.onEvents, onError: rec.onError });
    await rec.waitForEvents(4);
    const c2 = await b.update('/w/c', bytes('c2'), c1.modRevision);
    const d1 = await b.create('/w/d', bytes('d1'));
    await rec.waitForEvents(6);
    w.cancel();
    const r = (kv: KeyValue) => kv.modRevision;
    assert.deepEqual(rec.events.map(describeEvent), [
      `create /w/a=a1@${r(a1)}/c${r(a1)}`,
      `update /w/a=a2@${r(a2)}/c${r(a1)} prev=a1@${r(a1)}`,
      `create /w/c=c1@${r(c1)}/c${r(c1)}`,
      `delete /w/a=a2@${r(aDel)}/c${r(a1)} prev=a2@${r(a2)}`,
      `update /w/c=c2@${r(c2)}/c${r(c1)} prev=c1@${r(c1)}`,
      `create /w/d=d1@${r(d1)}/c${r(d1)}`,
    ]);
    assert.equal(rec.error, undefined);
  }));

  test('watch started while writes race delivers each write from the start revision once', () => withBackend(factory, async (b) => {
    const before: KeyValue[] = [];
    for (let i = 0; i < 20; i++) before.push(await b.create(`/race/pre${i}`, bytes(String(i))));
    const start = before[10].modRevision;
    const writes: Promise<KeyValue>[] = [];
    for (let i = 0; i < 60; i++) writes.push(b.create(`/race/live${i}`, bytes(String(i))));
    const rec = new WatchRecorder();
    const w = b.watch('/race/', { startRevision: start, onEvents: rec.onEvents, onError: rec.onError });
    for (let i = 60; i < 100; i++) writes.push(b.create(`/race/live${i}`, bytes(String(i))));
    const after = await Promise.all(writes);
    const expected = [...before, ...after].map((kv) => kv.modRevision).filter((rev) => rev >= start).sort((x, y) => x - y);
    await rec.waitForEvents(expected.length);
    await settle();
    w.cancel();
    assert.deepEqual(rec.revisions(), expected);
  }));

  test('watch from revision 0 delivers only future events', () => withBackend(factory, async (b) => {
    await b.create('/f/old', bytes('old'));
    const rec = new WatchRecorder();
    const w = b.watch('/f/', { onEvents: rec.onEvents, onError: rec.onError });
    await settle();
    const next = await b.create('/f/new', bytes('new'));
    await rec.waitForEvents(1);
    w.cancel();
    assert.deepEqual(rec.events.map(describeEvent), [`create /f/new=new@${next.modRevision}/c${next.modRevision}`]);
  }));

  test('several watchers each receive every event', () => withBackend(factory, async (b) => {
    const start = (await b.currentRevision()) + 1;
    const recs = [new WatchRecorder(), new WatchRecorder(), new WatchRecorder()];
    const watches = recs.map((rec) => b.watch('/m/', { startRevision: start, onEvents: rec.onEvents, onError: rec.onError }));
    const kv = await b.create('/m/k', bytes('1'));
    await b.update('/m/k', bytes('2'), kv.modRevision);
    await b.delete('/m/k');
    for (const rec of recs) await rec.waitForEvents(3);
    for (const w of watches) w.cancel();
    for (const rec of recs) assert.deepEqual(rec.events.map((e) => e.type), ['create', 'update', 'delete']);
    assert.deepEqual(recs[1].events.map(describeEvent), recs[0].events.map(describeEvent));
  }));

  test('cancel stops delivery', () => withBackend(factory, async (b) => {
    const start = (await b.currentRevision()) + 1;
    const cancelled = new WatchRecorder();
    const control = new WatchRecorder();
    const w = b.watch('/x/', { startRevision: start, onEvents: cancelled.onEvents, onError: cancelled.onError });
    const c = b.watch('/x/', { startRevision: start, onEvents: control.onEvents, onError: control.onError });
    await b.create('/x/1', bytes('1'));
    await cancelled.waitForEvents(1);
    w.cancel();
    await b.create('/x/2', bytes('2'));
    await b.create('/x/3', bytes('3'));
    await control.waitForEvents(3);
    await settle();
    c.cancel();
    assert.deepEqual(cancelled.events.map((e) => e.kv.key), ['/x/1']);
    assert.equal(cancelled.error, undefined);
  }));

  test('watch from before the compact revision fails with CompactedError', () => withBackend(factory, async (b) => {
    const v1 = await b.create('/wc/a', bytes('1'));
    const v2 = await b.update('/wc/a', bytes('2'), v1.modRevision);
    const v3 = await b.update('/wc/a', bytes('3'), v2.modRevision);
    await b.compact(v3.modRevision);
    const rec = new WatchRecorder();
    b.watch('/wc/', { startRevision: v1.modRevision, onEvents: rec.onEvents, onError: rec.onError });
    const err = await rec.waitForError();
    assert.ok(err instanceof CompactedError, `expected CompactedError, got ${err}`);
    assert.equal(err.compacted, v3.modRevision);
    assert.equal(rec.events.length, 0);

    // Watching from the compact revision itself still works (etcd may omit prevKv there: the
    // previous version is compacted).
    const ok = new WatchRecorder();
    const w = b.watch('/wc/', { startRevision: v3.modRevision, onEvents: ok.onEvents, onError: ok.onError });
    await ok.waitForEvents(1);
    w.cancel();
    assert.equal(ok.events[0].type, 'update');
    assert.equal(text(ok.events[0].kv.value), '3');
    const prev = ok.events[0].prevKv;
    if (prev) assert.equal(text(prev.value), '2');
  }));

  test('a long history replays without gaps', () => withBackend(factory, async (b) => {
    const first = await b.create('/long/k', bytes('0'));
    let kRev = first.modRevision;
    for (let i = 1; i < 1200; i++) {
      if (i % 3 === 0) await b.create(`/long/o${i}`, bytes(String(i)));
      else kRev = (await b.update('/long/k', bytes(String(i)), kRev)).modRevision;
    }
    const rec = new WatchRecorder();
    const w = b.watch('/long/', { startRevision: first.modRevision, onEvents: rec.onEvents, onError: rec.onError });
    await rec.waitForEvents(1200);
    w.cancel();
    const revs = rec.revisions();
    assert.equal(revs.length, 1200);
    assert.equal(revs[0], first.modRevision);
    for (let i = 1; i < revs.length; i++) assert.ok(revs[i] > revs[i - 1]);
    assert.equal(revs[revs.length - 1], await b.currentRevision());
    assert.deepEqual(rec.events.filter((e) => e.kv.key === '/long/k').map((e) => Number(text(e.kv.value))),
      Array.from({ length: 1200 }, (_, i) => i).filter((i) => i === 0 || i % 3 !== 0));
  }));
}
