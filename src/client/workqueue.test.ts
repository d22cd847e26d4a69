import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../apimachinery/clock.js";
import { ItemExponentialRateLimiter } from "./ratelimit.js";
import { WorkQueue } from "./workqueue.js";

const newQueue = (clock = new FakeClock()) => ({
  clock,
  q: new WorkQueue({ clock, rateLimiter: new ItemExponentialRateLimiter(5, 40), name: "test" }),
});

/** Lets pending promise callbacks run; no time passes on the fake clock. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Takes every key ready now, marking each done. */
async function drainReady(q: WorkQueue): Promise<string[]> {
  const out: string[] = [];
  while (q.len() > 0) {
    const k = (await q.get())!;
    out.push(k);
    q.done(k);
  }
  return out;
}

describe("WorkQueue", () => {
  const dedupCases: { name: string; adds: string[]; want: string[] }[] = [
    { name: "hands keys out in FIFO order", adds: ["a", "b", "c"], want: ["a", "b", "c"] },
    { name: "does not queue a waiting key twice", adds: ["a", "b", "a", "a", "b"], want: ["a", "b"] },
    { name: "keeps the first position of a repeated key", adds: ["b", "a", "b"], want: ["b", "a"] },
  ];
  for (const c of dedupCases) {
    it(c.name, async () => {
      const { q } = newQueue();
      for (const k of c.adds) q.add(k);
      assert.equal(q.len(), c.want.length);
      assert.equal(q.adds, c.want.length);
      assert.deepEqual(await drainReady(q), c.want);
      assert.equal(q.processed, c.want.length);
    });
  }

  it("resolves a waiting get when a key arrives", async () => {
    const { q } = newQueue();
    let got: string | undefined;
    void q.get().then((k) => (got = k));
    await tick();
    assert.equal(got, undefined);
    q.add("a");
    await tick();
    assert.equal(got, "a");
    assert.equal(q.len(), 0);
  });

  it("serves waiting gets in the order they were made", async () => {
    const { q } = newQueue();
    const first = q.get();
    const second = q.get();
    q.add("a");
    q.add("b");
    assert.deepEqual(await Promise.all([first, second]), ["a", "b"]);
  });

  it("holds back a key added while it is processed until done, then runs it once more", async () => {
    const { q } = newQueue();
    q.add("a");
    assert.equal(await q.get(), "a");
    q.add("a");
    q.add("a");
    q.add("b");
    assert.equal(q.len(), 1, "only b is ready; a is being processed");
    assert.equal(await q.get(), "b");
    q.done("b");
    assert.equal(q.len(), 0);
    q.done("a");
    assert.equal(q.len(), 1);
    assert.equal(await q.get(), "a");
    q.done("a");
    assert.equal(q.len(), 0);
    assert.equal(q.processed, 3);
  });

  it("ignores done for a key that is not being processed", () => {
    const { q } = newQueue();
    q.add("a");
    q.done("a");
    q.done("zzz");
    assert.equal(q.len(), 1);
    assert.equal(q.processed, 0);
  });

  const afterCases: { name: string; calls: [number, number][]; /* [at, ms] */ wantAt: number }[] = [
    { name: "adds the key once its delay has passed", calls: [[0, 100]], wantAt: 100 },
    { name: "lets an earlier time replace a later one", calls: [[0, 100], [0, 30]], wantAt: 30 },
    { name: "keeps the earlier time over a later request", calls: [[0, 30], [0, 100]], wantAt: 30 },
    { name: "compares absolute times, not delays", calls: [[0, 50], [20, 40]], wantAt: 50 },
    { name: "a later call that is due sooner wins", calls: [[0, 100], [20, 40]], wantAt: 60 },
    { name: "adds at once for a zero delay", calls: [[0, 0]], wantAt: 0 },
    { name: "adds at once for a negative delay", calls: [[0, -5]], wantAt: 0 },
  ];
  for (const c of afterCases) {
    it(`addAfter ${c.name}`, async () => {
      const { q, clock } = newQueue();
      for (const [at, ms] of c.calls) {
        clock.advance(at - clock.now());
        q.addAfter("k", ms);
      }
      if (c.wantAt > clock.now()) {
        clock.advance(c.wantAt - 1 - clock.now());
        assert.equal(q.len(), 0, "not ready a millisecond early");
        clock.advance(1);
      }
      assert.equal(q.len(), 1);
      assert.deepEqual(await drainReady(q), ["k"]);
      clock.advance(1000);
      assert.equal(q.len(), 0, "fires only once");
      assert.equal(clock.pending(), 0);
    });
  }

  it("addAfter of a key already waiting in the queue does not queue it twice", async () => {
    const { q, clock } = newQueue();
    q.add("k");
    q.addAfter("k", 10);
    clock.advance(10);
    assert.deepEqual(await drainReady(q), ["k"]);
  });

  it("addRateLimited backs off per key, and forget resets the backoff", async () => {
    const { q, clock } = newQueue();
    const readyAfter: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = clock.now();
      q.addRateLimited("k");
      while (q.len() === 0) clock.advance(1);
      readyAfter.push(clock.now() - start);
      await drainReady(q);
    }
    assert.deepEqual(readyAfter, [5, 10, 20, 40, 40]);
    assert.equal(q.numRequeues("k"), 5);
    q.forget("k");
    assert.equal(q.numRequeues("k"), 0);
    q.addRateLimited("k");
    clock.advance(5);
    assert.equal(q.len(), 1);
  });

  it("uses the controller default limiter when none is given", () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addRateLimited("k");
    clock.advance(4);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.equal(q.len(), 1);
  });

  it("after shutDown drains the queued keys, then returns undefined", async () => {
    const { q } = newQueue();
    q.add("a");
    q.add("b");
    q.shutDown();
    assert.equal(q.shuttingDown(), true);
    q.add("c");
    assert.equal(q.len(), 2, "adds after shutDown are ignored");
    assert.equal(await q.get(), "a");
    assert.equal(await q.get(), "b");
    assert.equal(await q.get(), undefined);
    assert.equal(await q.get(), undefined);
  });

  it("shutDown wakes waiting gets with undefined", async () => {
    const { q } = newQueue();
    const waiting = [q.get(), q.get()];
    q.shutDown();
    assert.deepEqual(await Promise.all(waiting), [undefined, undefined]);
  });

  it("shutDown drops delayed keys and ignores later delayed adds", async () => {
    const { q, clock } = newQueue();
    q.addAfter("a", 10);
    q.shutDown();
    q.addAfter("b", 10);
    q.addRateLimited("c");
    assert.equal(clock.pending(), 0);
    clock.advance(1000);
    assert.equal(q.len(), 0);
    assert.equal(await q.get(), undefined);
  });

  it("still hands out a key re-added before shutDown once its processing is done", async () => {
    const { q } = newQueue();
    q.add("a");
    assert.equal(await q.get(), "a");
    q.add("a");
    q.shutDown();
    q.done("a");
    assert.equal(await q.get(), "a");
    q.done("a");
    assert.equal(await q.get(), undefined);
  });

  it("counts adds and processed keys", async () => {
    const { q } = newQueue();
    for (const k of ["a", "b", "a", "c"]) q.add(k);
    const a = (await q.get())!;
    q.add(a); // accepted: a was no longer waiting
    q.done(a);
    await drainReady(q);
    assert.equal(q.adds, 4);
    assert.equal(q.processed, 4);
  });
});
