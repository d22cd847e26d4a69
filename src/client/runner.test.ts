import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../apimachinery/clock.js";
import { ItemExponentialRateLimiter } from "./ratelimit.js";
import { runWorkers, type ReconcileResult } from "./runner.js";
import { WorkQueue } from "./workqueue.js";
import { StatusError } from "../apimachinery/status.js";

const tick = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

function setup(workers = 3) {
  const clock = new FakeClock();
  const queue = new WorkQueue({ clock, rateLimiter: new ItemExponentialRateLimiter(5, 1000) });
  const abort = new AbortController();
  return { clock, queue, abort, workers };
}

/** A reconcile whose calls stay in flight until the test releases them. */
function gatedReconcile() {
  const inFlight = new Map<string, number>();
  const calls: string[] = [];
  const gates: { key: string; release: (r?: ReconcileResult) => void; fail: (e: unknown) => void }[] = [];
  let maxPerKey = 0;
  let maxTotal = 0;
  let total = 0;
  const reconcile = (key: string): Promise<ReconcileResult> => {
    calls.push(key);
    const n = (inFlight.get(key) ?? 0) + 1;
    inFlight.set(key, n);
    total++;
    maxPerKey = Math.max(maxPerKey, n);
    maxTotal = Math.max(maxTotal, total);
    return new Promise<ReconcileResult>((resolve, reject) => {
      const finish = () => {
        inFlight.set(key, inFlight.get(key)! - 1);
        total--;
      };
      gates.push({
        key,
        release: (r) => (finish(), resolve(r)),
        fail: (e) => (finish(), reject(e)),
      });
    });
  };
  const open = (key: string) => {
    const i = gates.findIndex((g) => g.key === key);
    assert.ok(i >= 0, `${key} is in flight`);
    return gates.splice(i, 1)[0]!;
  };
  return {
    reconcile,
    calls,
    open,
    inFlight: () => gates.map((g) => g.key),
    stats: () => ({ maxPerKey, maxTotal }),
  };
}

describe("runWorkers", () => {
  it("drops a key whose write was refused because its namespace is terminating", async () => {
    const { clock, queue, abort } = setup(1);
    const errors: string[] = [];
    let calls = 0;
    const done = runWorkers(queue, async () => {
      calls++;
      throw new StatusError(403, "Forbidden", "unable to create new content in namespace x because it is being terminated", {
        causes: [{ reason: "NamespaceTerminating", message: "namespace x is being terminated" }],
      });
    }, { workers: 1, signal: abort.signal, onError: (key) => errors.push(key) });
    queue.add("x/web");
    await tick();
    clock.advance(60_000);
    await tick();
    assert.equal(calls, 1);
    assert.deepEqual(errors, []);
    assert.equal(queue.numRequeues("x/web"), 0);
    abort.abort();
    await done;
  });

  it("never reconciles one key twice at once, and reruns a key added while it ran", async () => {
    const { queue, abort, workers } = setup(3);
    const r = gatedReconcile();
    const done = runWorkers(queue, r.reconcile, { workers, signal: abort.signal });

    queue.add("a");
    queue.add("b");
    await tick();
    assert.deepEqual(r.inFlight().sort(), ["a", "b"]);

    // Adds of a running key wait, even with an idle worker free to take them.
    queue.add("a");
    queue.add("a");
    await tick();
    assert.deepEqual(r.calls, ["a", "b"]);

    r.open("a").release();
    await tick();
    assert.deepEqual(r.calls, ["a", "b", "a"], "a runs once more after done");
    r.open("a").release();
    r.open("b").release();
    await tick();
    assert.deepEqual(r.calls, ["a", "b", "a"]);

    abort.abort();
    await done;
    assert.equal(r.stats().maxPerKey, 1);
  });

  it("spreads distinct keys over the workers, no more than the worker count at once", async () => {
    const { queue, abort } = setup();
    const r = gatedReconcile();
    const done = runWorkers(queue, r.reconcile, { workers: 3, signal: abort.signal });
    for (const k of ["a", "b", "c", "d", "e"]) queue.add(k);
    await tick();
    assert.deepEqual(r.inFlight(), ["a", "b", "c"]);
    r.open("b").release();
    await tick();
    assert.deepEqual(r.inFlight(), ["a", "c", "d"]);
    for (const k of ["a", "c", "d"]) r.open(k).release();
    await tick();
    r.open("e").release();
    await tick();
    assert.deepEqual(r.calls, ["a", "b", "c", "d", "e"]);
    assert.deepEqual(r.stats(), { maxPerKey: 1, maxTotal: 3 });
    assert.equal(queue.processed, 5);
    abort.abort();
    await done;
  });

  it("requeues failures with exponential backoff, reports them, and forgets on success", async () => {
    const { queue, abort, clock } = setup();
    const errors: [string, unknown][] = [];
    const attemptsAt: number[] = [];
    let failuresLeft = 3;
    const done = runWorkers(
      queue,
      async (key) => {
        attemptsAt.push(clock.now());
        if (failuresLeft-- > 0) throw new Error(`boom ${key}`);
      },
      { workers: 2, signal: abort.signal, onError: (k, e) => errors.push([k, e]) },
    );
    queue.add("k");
    for (let t = 0; t < 100; t++) {
      await tick();
      clock.advance(1);
    }
    // Attempts at 0, then +5, +10, +20 ms of backoff.
    assert.deepEqual(attemptsAt, [0, 5, 15, 35]);
    assert.deepEqual(
      errors.map(([k, e]) => [k, (e as Error).message]),
      [["k", "boom k"], ["k", "boom k"], ["k", "boom k"]],
    );
    assert.equal(queue.numRequeues("k"), 0, "success forgets the backoff");
    abort.abort();
    await done;
  });

  const requeueCases: { name: string; result: ReconcileResult; want: number[] }[] = [
    { name: "runs a success again after requeueAfterMs", result: { requeueAfterMs: 40 }, want: [0, 40, 80] },
    { name: "leaves a plain success alone", result: undefined, want: [0] },
    { name: "leaves a success without a delay alone", result: {}, want: [0] },
  ];
  for (const c of requeueCases) {
    it(c.name, async () => {
      const { queue, abort, clock } = setup();
      const attemptsAt: number[] = [];
      const done = runWorkers(
        queue,
        async () => {
          attemptsAt.push(clock.now());
          return c.result;
        },
        { workers: 1, signal: abort.signal },
      );
      queue.add("k");
      for (let t = 0; t < 100; t++) {
        await tick(1);
        clock.advance(1);
      }
      assert.deepEqual(attemptsAt, c.want);
      abort.abort();
      await done;
    });
  }

  it("keeps working when reconcile throws synchronously or onError throws", async () => {
    const { queue, abort, clock } = setup();
    const seen: string[] = [];
    const done = runWorkers(
      queue,
      ((key: string) => {
        seen.push(key);
        if (key === "bad") throw new Error("sync");
        return Promise.resolve();
      }) as (key: string) => Promise<ReconcileResult>,
      {
        workers: 1,
        signal: abort.signal,
        onError: () => {
          throw new Error("reporter broke");
        },
      },
    );
    queue.add("bad");
    queue.add("good");
    await tick();
    clock.advance(5);
    await tick();
    assert.deepEqual(seen, ["bad", "good", "bad"]);
    abort.abort();
    await done;
  });

  it("stops on abort once reconciles in flight finish, leaving queued keys unreconciled", async () => {
    const { queue, abort } = setup();
    const r = gatedReconcile();
    let finished = false;
    const done = runWorkers(queue, r.reconcile, { workers: 2, signal: abort.signal }).then(() => {
      finished = true;
    });
    for (const k of ["a", "b", "c"]) queue.add(k);
    await tick();
    assert.deepEqual(r.inFlight(), ["a", "b"]);

    abort.abort();
    assert.equal(queue.shuttingDown(), true);
    await tick();
    assert.equal(finished, false, "waits for a and b");
    r.open("a").fail(new Error("late failure")); // its retry is dropped by the shut-down queue
    r.open("b").release({ requeueAfterMs: 10 });
    await done;
    assert.deepEqual(r.calls, ["a", "b"]);
    assert.equal(queue.len(), 0);
  });

  it("returns at once for an already aborted signal", async () => {
    const { queue } = setup();
    queue.add("a");
    let calls = 0;
    await runWorkers(queue, async () => void calls++, { workers: 2, signal: AbortSignal.abort() });
    assert.equal(calls, 0);
    assert.equal(queue.shuttingDown(), true);
  });
});
