// Crash safety of the SQLite store: a write the server acknowledged survives kill -9, and the
// revision counter keeps climbing after the restart.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { pollUntil } from './polling.js';
import type { Kite } from './server-process.js';
import { describeWithServer, uniqueName } from './suites.js';
import { cmPath, configMap, createNamespace, getObject } from './fixtures.js';

const WORKERS = 4;
/** Acknowledged creates to wait for before pulling the plug. */
const ACKED_BEFORE_KILL = 60;

interface CreateLoop {
  acked: Map<string, string>; // name → resourceVersion from the 201
  attempted: Set<string>;
  done: Promise<void>;
}

/** Creates configmaps from WORKERS parallel loops until a request fails (the server is gone). */
function createUntilFailure(kite: Kite, ns: string, prefix: string): CreateLoop {
  const acked = new Map<string, string>();
  const attempted = new Set<string>();
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped) {
      const name = `${prefix}-${next++}`;
      attempted.add(name);
      try {
        const res = await kite.request('POST', cmPath(ns), configMap(ns, name, { payload: 'x'.repeat(256) }));
        if (res.status !== 201) throw new Error(`POST ${name}: ${res.status} ${res.body}`);
        acked.set(name, res.json().metadata.resourceVersion);
      } catch {
        stopped = true;
      }
    }
  };
  const done = Promise.all(Array.from({ length: WORKERS }, worker)).then(() => undefined);
  return { acked, attempted, done };
}

describeWithServer('durability [sqlite]', 'sqlite', (ctx) => {
  it('keeps every acknowledged create across kill -9, twice over', async (t) => {
    const { kite } = ctx;
    const ns = uniqueName('durable');
    await createNamespace(kite, ns);
    const allAcked = new Map<string, string>();
    const allAttempted = new Set<string>();
    for (const round of [1, 2]) {
      const startRv = (await getObject(kite, cmPath(ns))).metadata.resourceVersion as string;
      const loop = createUntilFailure(kite, ns, `r${round}`);
      try {
        await pollUntil(`${ACKED_BEFORE_KILL} acknowledged creates`, () => loop.acked.size >= ACKED_BEFORE_KILL, 60_000, 5);
      } finally {
        // Kill while the workers still have requests in flight.
        await kite.kill9();
      }
      await loop.done;
      t.diagnostic(`round ${round}: ${loop.acked.size} creates acknowledged, ${loop.attempted.size} attempted before kill -9`);
      for (const [name, rv] of loop.acked) allAcked.set(name, rv);
      for (const name of loop.attempted) allAttempted.add(name);

      await kite.restart();
      const list = await getObject(kite, cmPath(ns));
      const names: string[] = list.items.map((i: any) => i.metadata.name);
      assert.equal(new Set(names).size, names.length, 'duplicate names in the list');
      const missing = [...allAcked.keys()].filter((n) => !names.includes(n));
      assert.deepEqual(missing, [], `round ${round}: acknowledged creates lost after kill -9`);
      const unknown = names.filter((n) => !allAttempted.has(n));
      assert.deepEqual(unknown, [], 'objects that were never created appeared');
      for (const item of list.items) {
        const rv = allAcked.get(item.metadata.name);
        if (rv !== undefined) assert.equal(item.metadata.resourceVersion, rv, `${item.metadata.name} changed its resourceVersion`);
      }

      // The history survived too: a watch from before the loop replays this round's creates in order.
      const roundNames = names.filter((n) => n.startsWith(`r${round}-`));
      const replay = await kite.stream(`${cmPath(ns)}?watch=true&resourceVersion=${startRv}`);
      try {
        const events: any[] = [];
        while (events.length < roundNames.length) {
          const ev = await replay.nextJson(10_000);
          if (ev.type !== 'BOOKMARK') events.push(ev);
        }
        assert.ok(events.every((e) => e.type === 'ADDED'), events.map((e) => e.type).join(','));
        assert.deepEqual(events.map((e) => e.object.metadata.name).sort(), [...roundNames].sort());
        const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
        assert.deepEqual([...rvs].sort((a, b) => a - b), rvs, 'events replayed out of order');
      } finally {
        replay.close();
      }

      // New writes get resourceVersions above everything handed out before the crash.
      const maxBefore = Math.max(...[...allAcked.values()].map(Number), Number(list.metadata.resourceVersion));
      allAttempted.add(`after-${round}`);
      const res = await kite.request('POST', cmPath(ns), configMap(ns, `after-${round}`, { a: '1' }));
      assert.equal(res.status, 201, res.body);
      assert.ok(Number(res.json().metadata.resourceVersion) > maxBefore,
        `resourceVersion ${res.json().metadata.resourceVersion} after restart is not above ${maxBefore}`);
    }
  });
});
