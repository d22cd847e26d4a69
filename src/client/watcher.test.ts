import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../apimachinery/clock.js';
import type { KubeObject, WatchEvent } from '../apimachinery/object.js';
import { StatusError } from '../apimachinery/status.js';
import type { List, ListOptions, ResourceRef, WatchOptions, WatchStream } from './rest.js';
import { runWatcher, type WatchableResource, type WatcherEvent, type WatcherState } from './watcher.js';

const ref: ResourceRef = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true };

function obj(name: string, rv: string): KubeObject {
  return { metadata: { name, namespace: 'ns', resourceVersion: rv } };
}

/** A watch stream the test feeds by hand. */
class ScriptedStream implements WatchStream<KubeObject> {
  private queue: (WatchEvent | { end: true } | { fail: Error })[] = [];
  private wake: (() => void) | undefined;
  closed = false;

  push(ev: WatchEvent | { end: true } | { fail: Error }): void {
    this.queue.push(ev);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    for (;;) {
      while (this.queue.length === 0 && !this.closed) await new Promise<void>((r) => { this.wake = r; });
      if (this.closed) return;
      const next = this.queue.shift()!;
      if ('end' in next) return;
      if ('fail' in next) throw next.fail;
      yield next;
    }
  }
}

/** Lists from `pages` in turn; each watch() takes the next scripted answer. */
class ScriptedResource implements WatchableResource<KubeObject> {
  readonly ref = ref;
  lists: ListOptions[] = [];
  watches: WatchOptions[] = [];
  streams: ScriptedStream[] = [];
  listAnswers: (List<KubeObject>[] | Error)[] = [];
  watchAnswers: (ScriptedStream | Error)[] = [];
  private listPage = 0;

  async list(_ns?: string, opts: ListOptions = {}): Promise<List<KubeObject>> {
    this.lists.push(opts);
    const answer = this.listAnswers[0];
    if (!answer) throw new Error('no list scripted');
    if (answer instanceof Error) {
      this.listAnswers.shift();
      throw answer;
    }
    const page = answer[this.listPage++]!;
    if (this.listPage === answer.length) {
      this.listPage = 0;
      if (this.listAnswers.length > 1) this.listAnswers.shift();
    }
    return page;
  }

  async watch(_ns?: string, opts: WatchOptions = {}): Promise<WatchStream<KubeObject>> {
    this.watches.push(opts);
    const answer = this.watchAnswers.shift() ?? new ScriptedStream();
    if (answer instanceof Error) throw answer;
    this.streams.push(answer);
    return answer;
  }
}

function page(items: KubeObject[], rv: string, cont?: string): List<KubeObject> {
  return { metadata: { resourceVersion: rv, continue: cont }, items };
}

const expired = () => new StatusError(410, 'Expired', 'too old resource version');

async function until(cond: () => boolean, what: string, clock?: FakeClock, stepMs = 0): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    if (clock && stepMs) clock.advance(stepMs);
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`timed out waiting for ${what}`);
}

function start(res: ScriptedResource, clock = new FakeClock(), extra: { pageSize?: number } = {}) {
  const events: WatcherEvent[] = [];
  const states: WatcherState[] = [];
  const abort = new AbortController();
  const done = runWatcher(res, {
    clock, random: () => 0, backoff: { initialMs: 100, maxMs: 1000 }, onState: (s) => states.push(s), ...extra,
  }, abort.signal, (ev) => { events.push(ev); });
  return { events, states, abort, done, clock };
}

describe('runWatcher', () => {
  test('pages the list with limit and continue, then watches from its version with bookmarks', async () => {
    const res = new ScriptedResource();
    res.listAnswers = [[page([obj('a', '5')], '10', 'c1'), page([obj('b', '7')], '10')]];
    const w = start(res, new FakeClock(), { pageSize: 1 });
    await until(() => res.watches.length === 1, 'the watch');
    assert.deepEqual(res.lists.map((l) => [l.limit, l.continue]), [[1, undefined], [1, 'c1']]);
    assert.equal(w.events.length, 1);
    const replace = w.events[0]!;
    assert.equal(replace.type, 'replace');
    assert.equal(replace.type === 'replace' && replace.resourceVersion, '10');
    assert.deepEqual(replace.type === 'replace' && replace.items.map((i) => [i.metadata?.name, i.kind, i.apiVersion]), [['a', 'ConfigMap', 'v1'], ['b', 'ConfigMap', 'v1']]);
    const wo = res.watches[0]!;
    assert.equal(wo.resourceVersion, '10');
    assert.equal(wo.allowWatchBookmarks, true);
    assert.ok(wo.timeoutSeconds! >= 300 && wo.timeoutSeconds! <= 600);
    w.abort.abort();
    await w.done;
    assert.ok(res.streams[0]!.closed);
  });

  test('emits each change and resumes right away from the last version, bookmarks included, when a watch ends', async () => {
    const res = new ScriptedResource();
    res.listAnswers = [[page([], '10')]];
    const w = start(res);
    await until(() => res.streams.length === 1, 'the watch');
    const s = res.streams[0]!;
    s.push({ type: 'ADDED', object: obj('a', '11') });
    s.push({ type: 'MODIFIED', object: obj('a', '12') });
    s.push({ type: 'DELETED', object: obj('a', '13') });
    s.push({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '20' } } });
    s.push({ end: true });
    await until(() => res.watches.length === 2, 'the second watch');
    assert.deepEqual(w.events.slice(1).map((e) => e.type !== 'replace' && `${e.type} ${e.object.metadata?.resourceVersion}`), ['added 11', 'modified 12', 'deleted 13']);
    assert.equal(res.watches[1]!.resourceVersion, '20');
    assert.equal(res.lists.length, 1);
    assert.ok(!w.states.some((st) => st.phase === 'Backoff'), 'no backoff after a watch that delivered events');
    w.abort.abort();
    await w.done;
  });

  test('lists again on an ERROR event with code 410 and on a 410 answer to the watch', async () => {
    const res = new ScriptedResource();
    res.listAnswers = [[page([obj('a', '5')], '10')], [page([obj('b', '30')], '30')], [page([], '40')]];
    const first = new ScriptedStream();
    res.watchAnswers = [first, expired()];
    const w = start(res);
    await until(() => res.streams.length === 1, 'the watch');
    first.push({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' } as unknown as KubeObject });
    await until(() => res.watches.length === 3, 'the third watch');
    assert.deepEqual(w.events.map((e) => e.type === 'replace' && e.resourceVersion), ['10', '30', '40']);
    assert.deepEqual(res.watches.map((o) => o.resourceVersion), ['10', '30', '40']);
    assert.ok(first.closed);
    w.abort.abort();
    await w.done;
  });

  test('backs off on the clock after failures, doubling up to the cap, and resumes from the same version', async () => {
    const res = new ScriptedResource();
    res.listAnswers = [[page([], '10')]];
    const fail = () => Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    res.watchAnswers = [fail(), fail(), fail(), fail(), fail()];
    const clock = new FakeClock();
    const w = start(res, clock);
    await until(() => w.states.at(-1)?.phase === 'Backoff', 'the first backoff');
    await new Promise((r) => setImmediate(r));
    assert.equal(res.watches.length, 1, 'no retry before the clock moves');
    await until(() => res.streams.length === 1, 'a watch that opens', clock, 50);
    const delays = w.states.flatMap((st) => (st.phase === 'Backoff' ? [st.delayMs] : []));
    assert.deepEqual(delays, [100, 200, 400, 800, 1000]);
    assert.ok(res.watches.every((o) => o.resourceVersion === '10'));
    w.abort.abort();
    await w.done;
  });

  test('a watch that ends at once without events backs off; an ERROR other than 410 resumes after a backoff', async () => {
    const res = new ScriptedResource();
    res.listAnswers = [[page([], '10')]];
    const short = new ScriptedStream();
    short.push({ end: true });
    const erroring = new ScriptedStream();
    erroring.push({ type: 'ERROR', object: { kind: 'Status', code: 500, reason: 'InternalError', message: 'oops' } as unknown as KubeObject });
    res.watchAnswers = [short, erroring];
    const clock = new FakeClock();
    const w = start(res, clock);
    await until(() => res.watches.length === 3, 'the third watch', clock, 100);
    assert.deepEqual(w.states.filter((st) => st.phase === 'Backoff').length, 2);
    assert.equal(res.lists.length, 1);
    w.abort.abort();
    await w.done;
  });

  test('retries a failed list after a backoff', async () => {
    const res = new ScriptedResource();
    res.listAnswers = [new Error('unavailable'), [page([obj('a', '3')], '10')]];
    const clock = new FakeClock();
    const w = start(res, clock);
    await until(() => res.watches.length === 1, 'the watch', clock, 100);
    assert.equal(res.lists.length, 2);
    assert.equal(w.events.length, 1);
    w.abort.abort();
    await w.done;
  });

  test('stops during a backoff and during a watch, leaving no stream open', async () => {
    const res = new ScriptedResource();
    res.listAnswers = [[page([], '10')]];
    res.watchAnswers = [new Error('down')];
    const w = start(res);
    await until(() => w.states.at(-1)?.phase === 'Backoff', 'the backoff');
    w.abort.abort();
    await w.done;
    assert.equal(w.states.at(-1)?.phase, 'Stopped');
    assert.equal(w.clock.pending(), 0);

    const res2 = new ScriptedResource();
    res2.listAnswers = [[page([], '10')]];
    const w2 = start(res2);
    await until(() => res2.streams.length === 1, 'the watch');
    w2.abort.abort();
    await w2.done;
    assert.ok(res2.streams[0]!.closed);
  });
});
