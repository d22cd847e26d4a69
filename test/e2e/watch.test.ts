// Watches as kubectl and raw clients use them: `get -w`, resuming from a resourceVersion with
// ordered replay, synthetic ADDED events, selectors, timeoutSeconds, bookmarks and watch-list.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { plainPost, type HttpStream } from './https.js';
import { parseTable } from './kubectl.js';
import type { Kite } from './server-process.js';
import { describeBothStores, uniqueName } from './suites.js';
import { cmPath, configMap, createNamespace, createObject, getObject } from './fixtures.js';

interface WatchEvent {
  type: string;
  object: any;
}

/** Reads events until `count` have arrived (BOOKMARKs are returned too unless skipped). */
async function readEvents(stream: HttpStream, count: number, opts: { skipBookmarks?: boolean; timeoutMs?: number } = {}): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  while (out.length < count) {
    const ev = await stream.nextJson<WatchEvent>(opts.timeoutMs ?? 10_000);
    if (opts.skipBookmarks && ev.type === 'BOOKMARK') continue;
    out.push(ev);
  }
  return out;
}

async function patchData(kite: Kite, ns: string, name: string, data: Record<string, string | null>): Promise<any> {
  const res = await kite.request('PATCH', cmPath(ns, name), { data }, { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(res.status, 200, res.body);
  return res.json();
}

async function patchLabels(kite: Kite, ns: string, name: string, labels: Record<string, string | null>): Promise<any> {
  const res = await kite.request('PATCH', cmPath(ns, name), { metadata: { labels } }, { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(res.status, 200, res.body);
  return res.json();
}

async function deleteCm(kite: Kite, ns: string, name: string): Promise<void> {
  const res = await kite.request('DELETE', cmPath(ns, name), { propagationPolicy: 'Background' });
  assert.ok(res.status === 200 || res.status === 202, `DELETE ${name}: ${res.status} ${res.body}`);
}

async function listRv(kite: Kite, ns: string): Promise<string> {
  const list = await getObject(kite, cmPath(ns));
  assert.match(list.metadata.resourceVersion, /^[1-9]\d*$/, 'list resourceVersion');
  return list.metadata.resourceVersion;
}

describeBothStores('watch', (ctx) => {
  it('kubectl get -w shows a configmap created after the list', async () => {
    const { kite } = ctx;
    const ns = uniqueName('getw');
    await createNamespace(kite, ns);
    await createObject(kite, cmPath(ns), configMap(ns, 'seed', { a: '1' }));
    const w = kite.spawnKubectl(['get', 'cm', '-n', ns, '-w', '-v=6']);
    try {
      await w.waitFor((out) => /^seed\s+1\s+\S+$/m.test(out), 20_000, 'the listed configmap');
      await w.waitFor((_, err) => /watch=true/.test(err), 20_000, 'the watch request to be answered');
      await createObject(kite, cmPath(ns), configMap(ns, 'later', { a: '1', b: '2' }));
      await w.waitFor((out) => /^later\s+2\s+\S+$/m.test(out), 20_000, 'the configmap created afterwards');
      const rows = parseTable(w.stdout());
      assert.deepEqual(rows.map((r) => r.NAME), ['seed', 'later']);
    } finally {
      await w.kill();
    }
  });

  it('kubectl get NAME -w shows a later change after the synthetic ADDED', async () => {
    const { kite } = ctx;
    const ns = uniqueName('getnw');
    await createNamespace(kite, ns);
    await createObject(kite, cmPath(ns), configMap(ns, 'x', { a: '1' }));
    const w = kite.spawnKubectl(['get', 'cm', 'x', '-n', ns, '-w', '-v=6']);
    try {
      await w.waitFor((out) => /^x\s+1\s+\S+$/m.test(out), 20_000, 'the initial row');
      await w.waitFor((_, err) => /watch=true/.test(err), 20_000, 'the watch request to be answered');
      // kubectl drops the first watch event (the synthetic ADDED for resourceVersion=0), so this
      // change only shows if the server sent that ADDED first.
      await patchData(kite, ns, 'x', { b: '2', c: '3' });
      await w.waitFor((out) => /^x\s+3\s+\S+$/m.test(out), 20_000, 'the modified row');
      assert.deepEqual(parseTable(w.stdout()).map((r) => r.DATA), ['1', '3']);
    } finally {
      await w.kill();
    }
  });

  it('kubectl get -w --output-watch-events shows ADDED, MODIFIED and DELETED', async () => {
    const { kite } = ctx;
    const ns = uniqueName('getwe');
    await createNamespace(kite, ns);
    const w = kite.spawnKubectl(['get', 'cm', '-n', ns, '-w', '--output-watch-events', '-v=6']);
    try {
      await w.waitFor((_, err) => /watch=true/.test(err), 20_000, 'the watch request to be answered');
      await createObject(kite, cmPath(ns), configMap(ns, 'ev', { a: '1' }));
      await w.waitFor((out) => /^ADDED\s+ev\s+1\s/m.test(out), 20_000, 'the ADDED row');
      await patchData(kite, ns, 'ev', { b: '2' });
      await w.waitFor((out) => /^MODIFIED\s+ev\s+2\s/m.test(out), 20_000, 'the MODIFIED row');
      await deleteCm(kite, ns, 'ev');
      await w.waitFor((out) => /^DELETED\s+ev\s+2\s/m.test(out), 20_000, 'the DELETED row');
      const rows = parseTable(w.stdout());
      assert.deepEqual(rows.map((r) => [r.EVENT, r.NAME, r.DATA]), [['ADDED', 'ev', '1'], ['MODIFIED', 'ev', '2'], ['DELETED', 'ev', '2']]);
    } finally {
      await w.kill();
    }
  });

  it('replays events after a resourceVersion in order, with their resourceVersions', async () => {
    const { kite } = ctx;
    const ns = uniqueName('replay');
    await createNamespace(kite, ns);
    const start = await listRv(kite, ns);
    const a1 = await createObject(kite, cmPath(ns), configMap(ns, 'a', { v: '1' }));
    const a2 = await patchData(kite, ns, 'a', { v: '2' });
    const b1 = await createObject(kite, cmPath(ns), configMap(ns, 'b', { v: '1' }));
    await deleteCm(kite, ns, 'a');

    const stream = await kite.stream(`${cmPath(ns)}?watch=true&resourceVersion=${start}`);
    try {
      assert.equal(stream.status, 200);
      assert.match(String(stream.headers['content-type']), /^application\/json/);
      const events = await readEvents(stream, 4, { skipBookmarks: true });
      assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [
        ['ADDED', 'a'], ['MODIFIED', 'a'], ['ADDED', 'b'], ['DELETED', 'a'],
      ]);
      for (const e of events) {
        assert.equal(e.object.kind, 'ConfigMap');
        assert.equal(e.object.apiVersion, 'v1');
      }
      assert.equal(events[0].object.metadata.resourceVersion, a1.metadata.resourceVersion);
      assert.equal(events[1].object.metadata.resourceVersion, a2.metadata.resourceVersion);
      assert.equal(events[2].object.metadata.resourceVersion, b1.metadata.resourceVersion);
      assert.deepEqual(events[1].object.data, { v: '2' });
      assert.ok(BigInt(events[3].object.metadata.resourceVersion) > BigInt(b1.metadata.resourceVersion),
        'the DELETED event carries the resourceVersion of the delete');
      // Nothing else is pending in this namespace.
      assert.equal(stream.lines.filter((l) => !l.includes('"BOOKMARK"')).length, 4);

      // Resuming from the middle skips what came before.
      const resumed = await kite.stream(`${cmPath(ns)}?watch=true&resourceVersion=${a2.metadata.resourceVersion}`);
      try {
        const rest = await readEvents(resumed, 2, { skipBookmarks: true });
        assert.deepEqual(rest.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'b'], ['DELETED', 'a']]);
      } finally {
        resumed.close();
      }
    } finally {
      stream.close();
    }
  });

  it('sends synthetic ADDED events for resourceVersion 0, then live changes', async () => {
    const { kite } = ctx;
    const ns = uniqueName('rv0');
    await createNamespace(kite, ns);
    await createObject(kite, cmPath(ns), configMap(ns, 'one', { v: '1' }));
    await createObject(kite, cmPath(ns), configMap(ns, 'two', { v: '1' }));
    for (const query of ['resourceVersion=0', '']) {
      const stream = await kite.stream(`${cmPath(ns)}?watch=true${query ? `&${query}` : ''}`);
      try {
        const initial = await readEvents(stream, 2, { skipBookmarks: true });
        assert.deepEqual(initial.map((e) => e.type), ['ADDED', 'ADDED'], `with ${query || 'no resourceVersion'}`);
        assert.deepEqual(initial.map((e) => e.object.metadata.name).sort(), ['one', 'two']);
        const live = await patchData(kite, ns, 'one', { v: query ? '2' : '3' });
        const [ev] = await readEvents(stream, 1, { skipBookmarks: true });
        assert.equal(ev.type, 'MODIFIED');
        assert.equal(ev.object.metadata.name, 'one');
        assert.equal(ev.object.metadata.resourceVersion, live.metadata.resourceVersion);
      } finally {
        stream.close();
      }
    }
  });

  it('filters watches by label and field selectors', async () => {
    const { kite } = ctx;
    const ns = uniqueName('wsel');
    await createNamespace(kite, ns);
    const start = await listRv(kite, ns);
    const byLabel = await kite.stream(`${cmPath(ns)}?watch=true&resourceVersion=${start}&labelSelector=${encodeURIComponent('app=w')}`);
    const byName = await kite.stream(`${cmPath(ns)}?watch=true&resourceVersion=${start}&fieldSelector=${encodeURIComponent('metadata.name=plain')}`);
    try {
      await createObject(kite, cmPath(ns), configMap(ns, 'plain', { v: '1' }));
      await createObject(kite, cmPath(ns), configMap(ns, 'labelled', { v: '1' }, { app: 'w' }));
      await patchLabels(kite, ns, 'plain', { app: 'w' }); // starts matching app=w
      await patchLabels(kite, ns, 'labelled', { app: null }); // stops matching app=w
      await deleteCm(kite, ns, 'plain');

      const labelled = await readEvents(byLabel, 4, { skipBookmarks: true });
      // An object entering the selection arrives as ADDED, one leaving it as DELETED.
      assert.deepEqual(labelled.map((e) => [e.type, e.object.metadata.name]), [
        ['ADDED', 'labelled'], ['ADDED', 'plain'], ['DELETED', 'labelled'], ['DELETED', 'plain'],
      ]);
      const named = await readEvents(byName, 3, { skipBookmarks: true });
      assert.deepEqual(named.map((e) => [e.type, e.object.metadata.name]), [
        ['ADDED', 'plain'], ['MODIFIED', 'plain'], ['DELETED', 'plain'],
      ]);
    } finally {
      byLabel.close();
      byName.close();
    }
  });

  it('ends a watch after timeoutSeconds', async () => {
    const { kite } = ctx;
    const ns = uniqueName('wtimeout');
    await createNamespace(kite, ns);
    const stream = await kite.stream(`${cmPath(ns)}?watch=true&timeoutSeconds=1&resourceVersion=${await listRv(kite, ns)}`);
    try {
      assert.equal(stream.status, 200);
      await stream.waitEnd(15_000);
      assert.ok(stream.ended);
      assert.ok(stream.lines.every((l) => JSON.parse(l).type === 'BOOKMARK'), `unexpected events: ${stream.lines.join('\n')}`);
    } finally {
      stream.close();
    }
  });

  it('sends well-formed BOOKMARK events when they are asked for and sent', async (t) => {
    const { kite } = ctx;
    const ns = uniqueName('bookmark');
    await createNamespace(kite, ns);
    const stream = await kite.stream(`${cmPath(ns)}?watch=true&allowWatchBookmarks=true&timeoutSeconds=2&resourceVersion=${await listRv(kite, ns)}`);
    try {
      await createObject(kite, cmPath(ns), configMap(ns, 'b', { v: '1' }));
      await stream.waitEnd(15_000);
      const events = stream.lines.map((l) => JSON.parse(l) as WatchEvent);
      assert.ok(events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'b'));
      const bookmarks = events.filter((e) => e.type === 'BOOKMARK');
      if (bookmarks.length === 0) {
        t.diagnostic('no BOOKMARK arrived within the watch; nothing to check');
        return;
      }
      for (const b of bookmarks) {
        assert.equal(b.object.kind, 'ConfigMap');
        assert.equal(b.object.apiVersion, 'v1');
        assert.match(b.object.metadata.resourceVersion, /^[1-9]\d*$/);
      }
    } finally {
      stream.close();
    }
  });

  it('either serves watch-list with the initial-events-end bookmark or rejects it', async () => {
    const { kite } = ctx;
    const ns = uniqueName('watchlist');
    await createNamespace(kite, ns);
    await createObject(kite, cmPath(ns), configMap(ns, 'one', { v: '1' }));
    await createObject(kite, cmPath(ns), configMap(ns, 'two', { v: '1' }));
    const stream = await kite.stream(
      `${cmPath(ns)}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=30`,
    );
    try {
      if (stream.status !== 200) {
        assert.ok(stream.status === 400 || stream.status === 422, `watch-list answered ${stream.status}`);
        return;
      }
      const added: string[] = [];
      for (;;) {
        const ev = await stream.nextJson<WatchEvent>(10_000);
        if (ev.type === 'ADDED') {
          added.push(ev.object.metadata.name);
          continue;
        }
        assert.equal(ev.type, 'BOOKMARK', `unexpected ${ev.type} before the initial-events-end bookmark`);
        if (ev.object.metadata.annotations?.['k8s.io/initial-events-end'] === 'true') {
          assert.match(ev.object.metadata.resourceVersion, /^[1-9]\d*$/);
          break;
        }
      }
      assert.deepEqual(added.sort(), ['one', 'two']);
    } finally {
      stream.close();
    }
  });

  it('answers 410 Expired for a compacted resourceVersion', async (t) => {
    const { kite } = ctx;
    // Compaction is only reachable from outside through etcd itself: compact etcd past the
    // revisions of some writes and watch from before them.
    if (kite.datastore !== 'etcd' || !kite.etcdEndpoint) {
      t.skip('the SQLite store offers no way to force compaction from outside');
      return;
    }
    const ns = uniqueName('compact');
    await createNamespace(kite, ns);
    const old = await listRv(kite, ns);
    for (let i = 0; i < 5; i++) await createObject(kite, cmPath(ns), configMap(ns, `c${i}`, { v: '1' }));
    const latest = await listRv(kite, ns);
    const res = await etcdCompact(kite.etcdEndpoint, latest);
    if (!res) {
      t.skip('etcd revisions do not match resourceVersions; cannot compact precisely');
      return;
    }
    const stream = await kite.stream(`${cmPath(ns)}?watch=true&resourceVersion=${old}`);
    try {
      if (stream.status === 410) {
        await stream.waitEnd(10_000);
        const status = JSON.parse(stream.lines.join(''));
        assert.equal(status.reason, 'Expired');
        assert.equal(status.code, 410);
        return;
      }
      assert.equal(stream.status, 200);
      // Otherwise the first event must be an ERROR carrying the 410 Status (a watch cache may
      // still hold the events, in which case they are replayed instead).
      const ev = await stream.nextJson<WatchEvent>(10_000);
      if (ev.type === 'ERROR') {
        assert.equal(ev.object.kind, 'Status');
        assert.equal(ev.object.code, 410);
        assert.equal(ev.object.reason, 'Expired');
      } else {
        t.diagnostic(`the watch cache still served revision ${old} after etcd compaction (${ev.type})`);
      }
    } finally {
      stream.close();
    }
  });
});

/** Compacts etcd at `revision` through its JSON gateway; false when etcd rejects it. */
async function etcdCompact(endpoint: string, revision: string): Promise<boolean> {
  const res = await plainPost(`${endpoint}/v3/kv/compaction`, JSON.stringify({ revision, physical: true }));
  return res.status === 200;
}
