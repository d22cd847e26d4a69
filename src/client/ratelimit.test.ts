import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../apimachinery/clock.js";
import {
  BucketRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
  type RateLimiter,
} from "./ratelimit.js";

describe("ItemExponentialRateLimiter", () => {
  const cases: { name: string; base?: number; max?: number; want: number[] }[] = [
    { name: "defaults double from 5 ms", want: [5, 10, 20, 40, 80, 160, 320] },
    { name: "caps at the maximum", base: 1, max: 10, want: [1, 2, 4, 8, 10, 10, 10] },
    { name: "a base above the maximum is capped", base: 50, max: 20, want: [20, 20] },
    { name: "zero base never waits", base: 0, max: 100, want: [0, 0, 0] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const rl = new ItemExponentialRateLimiter(c.base, c.max);
      assert.deepEqual(c.want.map(() => rl.when("k")), c.want);
      assert.equal(rl.retries("k"), c.want.length);
    });
  }

  it("keeps keys independent", () => {
    const rl = new ItemExponentialRateLimiter();
    assert.deepEqual([rl.when("a"), rl.when("a"), rl.when("b"), rl.when("a")], [5, 10, 5, 20]);
    assert.equal(rl.retries("a"), 3);
    assert.equal(rl.retries("b"), 1);
  });

  it("starts over after forget", () => {
    const rl = new ItemExponentialRateLimiter();
    rl.when("k");
    rl.when("k");
    rl.forget("k");
    assert.equal(rl.retries("k"), 0);
    assert.equal(rl.when("k"), 5);
  });

  it("stays capped after very many failures", () => {
    const rl = new ItemExponentialRateLimiter(5, 1_000_000);
    let last = 0;
    for (let i = 0; i < 2000; i++) last = rl.when("k");
    assert.equal(last, 1_000_000);
  });
});

describe("BucketRateLimiter", () => {
  it("lets the burst through, then spaces keys by 1/qps", () => {
    const clock = new FakeClock();
    const rl = new BucketRateLimiter({ clock, qps: 10, burst: 3 });
    const waits = ["a", "b", "c", "d", "e", "f"].map((k) => rl.when(k));
    assert.deepEqual(waits, [0, 0, 0, 100, 200, 300]);
  });

  it("refills with time, up to the burst", () => {
    const clock = new FakeClock();
    const rl = new BucketRateLimiter({ clock, qps: 10, burst: 2 });
    assert.deepEqual([rl.when("a"), rl.when("a"), rl.when("a")], [0, 0, 100]);
    clock.advance(100); // pays back the token borrowed above
    assert.equal(rl.when("a"), 100);
    clock.advance(10_000); // far longer than needed: the bucket holds only `burst`
    assert.deepEqual([rl.when("a"), rl.when("a"), rl.when("a")], [0, 0, 100]);
  });

  it("uses 10 qps and burst 100 by default", () => {
    const clock = new FakeClock();
    const rl = new BucketRateLimiter({ clock });
    for (let i = 0; i < 100; i++) assert.equal(rl.when(`k${i}`), 0);
    assert.equal(rl.when("k100"), 100);
  });

  it("keeps no per-key history", () => {
    const rl = new BucketRateLimiter({ clock: new FakeClock(), qps: 1, burst: 1 });
    rl.when("k");
    rl.when("k");
    assert.equal(rl.retries("k"), 0);
  });

  it("rejects a non-positive rate or an empty bucket", () => {
    const clock = new FakeClock();
    assert.throws(() => new BucketRateLimiter({ clock, qps: 0 }), RangeError);
    assert.throws(() => new BucketRateLimiter({ clock, burst: 0 }), RangeError);
  });
});

describe("MaxOfRateLimiter", () => {
  const fixed = (ms: number, retries = 0): RateLimiter & { forgotten: string[] } => {
    const forgotten: string[] = [];
    return { when: () => ms, forget: (k) => void forgotten.push(k), retries: () => retries, forgotten };
  };

  const cases: { name: string; waits: number[]; want: number }[] = [
    { name: "takes the longest wait", waits: [5, 100, 20], want: 100 },
    { name: "zero when all agree on zero", waits: [0, 0], want: 0 },
    { name: "zero with no limiters", waits: [], want: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(new MaxOfRateLimiter(...c.waits.map((w) => fixed(w))).when("k"), c.want);
    });
  }

  it("forgets in every limiter and reports the most retries", () => {
    const a = fixed(1, 2);
    const b = fixed(1, 7);
    const rl = new MaxOfRateLimiter(a, b);
    assert.equal(rl.retries("k"), 7);
    rl.forget("k");
    assert.deepEqual([a.forgotten, b.forgotten], [["k"], ["k"]]);
  });

  it("combines backoff and bucket in the controller default", () => {
    const clock = new FakeClock();
    const rl = defaultControllerRateLimiter(clock);
    // Backoff dominates while the bucket has tokens.
    assert.deepEqual([rl.when("k"), rl.when("k"), rl.when("k")], [5, 10, 20]);
    assert.equal(rl.retries("k"), 3);
    rl.forget("k");
    assert.equal(rl.when("k"), 5);
    // Spend the rest of the 100-token burst; then the bucket dominates fresh keys.
    for (let i = 0; i < 96; i++) rl.when(`other${i}`);
    assert.equal(rl.when("fresh"), 100);
  });
});
