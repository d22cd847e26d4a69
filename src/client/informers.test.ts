import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../apiserver/testing/fixture.js';
import { FakeClock } from '../apimachinery/clock.js';
import type { KubeObject } from '../apimachinery/object.js';
import { inProcessTransport, type RequestOptions, type Transport, type TransportStream } from './transport.js';
import { ApiClient, resourceForKind } from './rest.js';
import { createInformerFactory, type SharedInformerFactory } from './informers.js';
import type { EventHandler } from './informer-types.js';
import { createLogger, type Logger } from '../apimachinery/log.js';

const controller = { name: 'system:kube-controller-manager', groups: ['system:masters'] };
const configMaps = resourceForKind('v1', 'ConfigMap');

/** Counts lists and watches, tracks open watch streams, and can cut or refuse them. */
class ObservedTransport implements Transport {
  lists: string[] = [];
  watches: string[] = [];
  readonly open = new Set<TransportStream>();
  refuse = false;

  constructor(private readonly inner: Transport) {}

  request(method: string, path: string, opts?: RequestOptions) {
    if (method === 'GET' && !path.includes('watch=true')) this.lists.push(path);
    return this.inner.request(method, path, opts);
  }

  async stream(path: string, opts?: RequestOptions): Promise<TransportStream> {
    if (this.refuse) throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    this.watches.push(path);
    const s = await this.inner.stream(path, opts);
    const open = this.open;
    const tracked: TransportStream = {
      status: s.status,
      headers: s.headers,
      close: () => { open.delete(tracked); s.close(); },
      lines: s.lines,
    };
    tracked.lines = (async function* () {
      try {
        yield* s.lines;
      } finally {
        open.delete(tracked);
      }
    })();
    open.add(tracked);
    return tracked;
  }

  /** Cuts every open watch as a network failure would. */
  cut(): void {
    for (const s of [...this.open]) s.close();
  }

  close(): void {
    this.inner.close();
  }
}

/** A recorder of handler calls as `add x`, `update x`, `delete x`. */
function recorder(): { calls: string[]; handler: EventHandler } {
  const calls: string[] = [];
  return {
    calls,
    handler: {
      onAdd: (o) => calls.push(`add ${o.metadata?.name}`),
      onUpdate: (_o, n) => calls.push(`update ${n.metadata?.name}`),
      onDelete: (o) => calls.push(`delete ${o.metadata?.name}`),
    },
  };
}

function capture(lines: string[]): Logger {
  return createLogger({ sink: { write: (l) => { lines.push(l); } }, human: false, level: 'debug' });
}

function cm(name: string, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data };
}

describe('informers', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.close(); });

  let nsSeq = 0;
  async function setup(o: { logger?: Logger; pageSize?: number } = {}): Promise<{ ns: string; t: ObservedTransport; client: ApiClient; clock: FakeClock; factory: SharedInformerFactory; abort: AbortController; done: () => Promise<void> }> {
    const ns = `inf-${++nsSeq}`;
    const t = new ObservedTransport(inProcessTransport(() => s.server.connectInProcess(controller)));
    const client = new ApiClient(t);
    await client.kind('v1', 'Namespace').create(undefined, { metadata: { name: ns } });
    const clock = new FakeClock(1_000_000);
    const factory = createInformerFactory(client, { clock, logger: o.logger, watcher: { pageSize: o.pageSize } });
    const abort = new AbortController();
    const done = async () => {
      abort.abort();
      await factory.stopped();
      client.close();
    };
    return { ns, t, client, clock, factory, abort, done };
  }

  /** Polls (moving the fake clock so backoffs elapse) until `cond` holds; bounded. */
  async function eventually(clock: FakeClock, cond: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 2000; i++) {
      if (cond()) return;
      clock.advance(1000);
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.fail(`timed out waiting for ${what}`);
  }

  test('lists existing objects, then sees creates, updates and deletes', async () => {
    const { ns, client, clock, factory, abort, done } = await setup();
    try {
      const cms = client.resource(configMaps);
      await cms.create(ns, cm('a'));
      const inf = factory.informer(configMaps, { namespace: ns });
      const rec = recorder();
      inf.addEventHandler(rec.handler);
      factory.start(abort.signal);
      await factory.waitForSync(abort.signal);
      assert.ok(inf.hasSynced());
      assert.deepEqual(rec.calls, ['add a']);
      assert.equal(inf.store.get(`${ns}/a`)?.kind, 'ConfigMap');

      await cms.create(ns, cm('b'));
      await cms.patch(ns, 'a', { data: { k: 'v' } }, 'merge');
      await cms.delete(ns, 'b');
      await eventually(clock, () => rec.calls.length === 4, 'four notifications');
      assert.deepEqual(rec.calls, ['add a', 'add b', 'update a', 'delete b']);
      assert.deepEqual(inf.store.keys(), [`${ns}/a`]);
      assert.deepEqual((inf.store.get(`${ns}/a`) as { data?: unknown }).data, { k: 'v' });
      assert.equal(factory.stats()[0]?.events, 4);
    } finally {
      await done();
    }
  });

  test('two requests for the same resource and options share one list and one watch', async () => {
    const { ns, t, factory, abort, done } = await setup();
    try {
      const a = factory.informer(configMaps, { namespace: ns });
      const b = factory.informer(configMaps, { namespace: ns });
      assert.equal(a, b);
      const other = factory.informer(configMaps, { namespace: ns, labelSelector: 'x=y' });
      assert.notEqual(a, other);
      factory.start(abort.signal);
      await factory.waitForSync(abort.signal);
      assert.equal(t.lists.filter((p) => p.includes('/configmaps')).length, 2);
    } finally {
      await done();
    }
  });

  test('indexes find objects by namespace and by custom index', async () => {
    const { ns, client, clock, factory, abort, done } = await setup();
    try {
      const cms = client.resource(configMaps);
      await cms.create(ns, { ...cm('red'), metadata: { name: 'red', labels: { color: 'red' } } });
      await cms.create(ns, { ...cm('blue'), metadata: { name: 'blue', labels: { color: 'blue' } } });
      const inf = factory.informer(configMaps);
      inf.addIndex('color', (o) => (o.metadata?.labels?.color ? [o.metadata.labels.color] : []));
      factory.start(abort.signal);
      await factory.waitForSync(abort.signal);
      assert.deepEqual(inf.store.byIndex('namespace', ns).map((o) => o.metadata?.name).sort(), ['blue', 'red']);
      assert.deepEqual(inf.store.byIndex('color', 'red').map((o) => o.metadata?.name), ['red']);
      await cms.patch(ns, 'red', { metadata: { labels: { color: 'blue' } } }, 'merge');
      await eventually(clock, () => inf.store.byIndex('color', 'blue').length === 2, 'reindexed red');
      assert.deepEqual(inf.store.byIndex('color', 'red'), []);
    } finally {
      await done();
    }
  });

  test('a handler added after sync gets adds for what the store holds; a throwing handler harms no one', async () => {
    const logged: string[] = [];
    const { ns, client, clock, factory, abort, done } = await setup({ logger: capture(logged) });
    try {
      const cms = client.resource(configMaps);
      await cms.create(ns, cm('x'));
      await cms.create(ns, cm('y'));
      const inf = factory.informer(configMaps, { namespace: ns });
      inf.addEventHandler({ onAdd: () => { throw new Error('boom'); } });
      factory.start(abort.signal);
      await factory.waitForSync(abort.signal);
      const rec = recorder();
      inf.addEventHandler(rec.handler);
      assert.deepEqual(rec.calls.sort(), ['add x', 'add y']);
      await cms.create(ns, cm('z'));
      await eventually(clock, () => rec.calls.length === 3, 'add z');
      assert.equal(rec.calls[2], 'add z');
      assert.ok(logged.filter((l) => l.includes('event handler failed')).length >= 3);
    } finally {
      await done();
    }
  });

  test('after history is compacted, lists again on 410 and reports deletes missed meanwhile', async () => {
    const { ns, t, client, clock, factory, abort, done } = await setup();
    try {
      const cms = client.resource(configMaps);
      await cms.create(ns, cm('keep'));
      await cms.create(ns, cm('gone'));
      await cms.create(ns, cm('same'));
      await cms.create(ns, cm('reborn'));
      const inf = factory.informer(configMaps, { namespace: ns });
      const rec = recorder();
      inf.addEventHandler(rec.handler);
      factory.start(abort.signal);
      await factory.waitForSync(abort.signal);
      await eventually(clock, () => t.open.size === 1, 'the watch to open');
      const listsBefore = t.lists.length;

      t.refuse = true;
      t.cut();
      await cms.delete(ns, 'gone');
      await cms.create(ns, cm('new'));
      await cms.patch(ns, 'keep', { data: { v: '2' } }, 'merge');
      await cms.delete(ns, 'reborn');
      await cms.create(ns, cm('reborn'));
      await s.backend.compact(await s.backend.currentRevision());
      t.refuse = false;

      await eventually(clock, () => rec.calls.length === 9, 'the re-list diff');
      assert.ok(t.lists.length > listsBefore, 'listed again');
      // Unchanged objects get no update; one recreated under the same name is a delete and an add.
      assert.deepEqual(rec.calls.slice(4).sort(), ['add new', 'add reborn', 'delete gone', 'delete reborn', 'update keep']);
      assert.deepEqual(inf.store.keys().sort(), [`${ns}/keep`, `${ns}/new`, `${ns}/reborn`, `${ns}/same`]);
    } finally {
      await done();
    }
  });

  test('resumes from the last resourceVersion after a watch ends, without listing again', async () => {
    const { ns, t, client, clock, factory, abort, done } = await setup();
    try {
      const cms = client.resource(configMaps);
      await cms.create(ns, cm('one'));
      const inf = factory.informer(configMaps, { namespace: ns });
      const rec = recorder();
      inf.addEventHandler(rec.handler);
      factory.start(abort.signal);
      await factory.waitForSync(abort.signal);
      await cms.create(ns, cm('two'));
      await eventually(clock, () => rec.calls.length === 2, 'add two');
      const lists = t.lists.length;
      const watches = t.watches.length;

      t.cut();
      await cms.create(ns, cm('three'));
      await eventually(clock, () => rec.calls.length === 3, 'add three');
      assert.ok(t.watches.length > watches, 'watched again');
      assert.equal(t.lists.length, lists, 'no new list');
      assert.deepEqual(rec.calls, ['add one', 'add two', 'add three']);
      const resumedFrom = new URL(t.watches.at(-1)!, 'http://x').searchParams;
      assert.equal(resumedFrom.get('allowWatchBookmarks'), 'true');
      const two = inf.store.get(`${ns}/two`)!;
      assert.ok(Number(resumedFrom.get('resourceVersion')) >= Number(two.metadata?.resourceVersion));
      const timeout = Number(resumedFrom.get('timeoutSeconds'));
      assert.ok(timeout >= 300 && timeout <= 600);
    } finally {
      await done();
    }
  });

  test('stops on abort with no stream left open', async () => {
    const { ns, t, clock, factory, abort, client } = await setup();
    factory.informer(configMaps, { namespace: ns });
    factory.informer(resourceForKind('v1', 'Secret'), { namespace: ns });
    factory.start(abort.signal);
    await factory.waitForSync(abort.signal);
    await eventually(clock, () => t.open.size === 2, 'both watches to open');
    abort.abort();
    await factory.stopped();
    assert.equal(t.open.size, 0);
    client.close();
  });

  test('informers asked for after start are started too', async () => {
    const { ns, factory, abort, done, client } = await setup();
    try {
      await client.resource(configMaps).create(ns, cm('late'));
      factory.start(abort.signal);
      const inf = factory.informer(configMaps, { namespace: ns });
      await factory.waitForSync(abort.signal);
      assert.deepEqual(inf.store.keys(), [`${ns}/late`]);
    } finally {
      await done();
    }
  });

  test('pages the initial list', async () => {
    const { ns, t, client, factory, abort, done } = await setup({ pageSize: 2 });
    try {
      const cms = client.resource(configMaps);
      for (const n of ['p1', 'p2', 'p3', 'p4', 'p5']) await cms.create(ns, cm(n));
      const inf = factory.informer(configMaps, { namespace: ns });
      factory.start(abort.signal);
      await factory.waitForSync(abort.signal);
      assert.equal(inf.store.keys().length, 5);
      const lists = t.lists.filter((p) => p.includes('/configmaps'));
      assert.equal(lists.length, 3);
      assert.ok(lists.every((p) => p.includes('limit=2')));
      assert.ok(lists.slice(1).every((p) => p.includes('continue=')));
    } finally {
      await done();
    }
  });

  test('waitForSync rejects when its signal aborts first', async () => {
    const { ns, factory, client } = await setup();
    factory.informer(configMaps, { namespace: ns });
    const waiting = new AbortController();
    const pending = factory.waitForSync(waiting.signal);
    waiting.abort();
    await assert.rejects(pending);
    client.close();
  });
});
