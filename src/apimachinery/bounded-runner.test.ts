import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedRunner } from './bounded-runner.js';
import { FakeClock } from './clock.js';

/** Lets settled promises run their callbacks. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A runner over a counter of pending changes; each pass takes them all and, unless held, ends at once. */
function harness(minIntervalMs = 100) {
  const clock = new FakeClock(1000);
  const state = {
    changes: 0,
    passes: [] as { at: number; took: number }[],
    running: 0,
    maxRunning: 0,
    hold: false,
    release: undefined as (() => void) | undefined,
  };
  const runner = new BoundedRunner({
    clock,
    minIntervalMs,
    pending: () => state.changes > 0,
    sync: async () => {
      state.passes.push({ at: clock.now(), took: state.changes });
      state.changes = 0;
      state.running++;
      state.maxRunning = Math.max(state.maxRunning, state.running);
      if (state.hold) await new Promise<void>((r) => { state.release = r; });
      state.running--;
    },
  });
  const change = (): void => { state.changes++; runner.request(); };
  return { clock, state, runner, change };
}

test('requests before the timer fires coalesce into one pass', async () => {
  const { clock, state, change } = harness();
  change();
  change();
  change();
  assert.equal(clock.pending(), 1);
  clock.advance(0);
  await settle();
  assert.deepEqual(state.passes, [{ at: 1000, took: 3 }]);
});

test('a pass starts no sooner than the minimum interval after the last one', async () => {
  const { clock, state, change, runner } = harness(100);
  state.changes = 1;
  await runner.run();
  clock.advance(30);
  change();
  clock.advance(69);
  await settle();
  assert.equal(state.passes.length, 1);
  clock.advance(1);
  await settle();
  assert.deepEqual(state.passes.map((p) => p.at), [1000, 1100]);
  // Long after the last pass a request runs at once.
  clock.advance(500);
  change();
  clock.advance(0);
  await settle();
  assert.deepEqual(state.passes.map((p) => p.at), [1000, 1100, 1600]);
});

test('a pass with nothing pending is skipped and does not delay the next one', async () => {
  const { clock, state, runner, change } = harness(100);
  runner.request();
  clock.advance(0);
  await settle();
  assert.equal(state.passes.length, 0);
  await runner.run();
  assert.equal(state.passes.length, 0);
  change();
  clock.advance(0);
  await settle();
  assert.deepEqual(state.passes.map((p) => p.at), [1000]);
});

test('passes never overlap and changes that arrive during one run again after it', async () => {
  const { clock, state, change } = harness(100);
  state.hold = true;
  change();
  clock.advance(0);
  await settle();
  assert.equal(state.running, 1);
  // New work while the pass runs: the timer fires after the interval but waits for the pass.
  change();
  clock.advance(500);
  await settle();
  assert.equal(state.passes.length, 1);
  state.hold = false;
  state.release!();
  await settle();
  clock.advance(0);
  await settle();
  assert.deepEqual(state.passes.map((p) => p.took), [1, 1]);
  assert.equal(state.maxRunning, 1);
  assert.equal(clock.pending(), 0);
});

test('work left after a pass schedules another one interval later', async () => {
  const clock = new FakeClock(0);
  let changes = 1;
  const passes: number[] = [];
  const runner = new BoundedRunner({
    clock,
    minIntervalMs: 100,
    pending: () => changes > 0,
    // Takes one change per pass, leaving the rest for later passes.
    sync: async () => { passes.push(clock.now()); changes--; },
  });
  changes = 3;
  await runner.run();
  assert.equal(clock.pending(), 1);
  clock.advance(100);
  await settle();
  clock.advance(100);
  await settle();
  clock.advance(100);
  await settle();
  assert.deepEqual(passes, [0, 100, 200]);
  assert.equal(clock.pending(), 0);
});

test('a delayed request waits its delay, and the first scheduled delay holds', async () => {
  const { clock, state, runner, change } = harness(100);
  state.changes = 1;
  runner.request(1000);
  change();
  clock.advance(999);
  await settle();
  assert.equal(state.passes.length, 0);
  clock.advance(1);
  await settle();
  assert.deepEqual(state.passes, [{ at: 2000, took: 2 }]);
});

test('stop cancels the scheduled pass, refuses new ones and waits for the one under way', async () => {
  const { clock, state, runner, change } = harness(100);
  state.hold = true;
  change();
  clock.advance(0);
  await settle();
  change();
  let stopped = false;
  const stopping = runner.stop().then(() => { stopped = true; });
  assert.equal(clock.pending(), 0);
  await settle();
  assert.equal(stopped, false);
  assert.ok(runner.inFlight);
  state.release!();
  await stopping;
  assert.equal(runner.inFlight, undefined);
  change();
  await runner.run();
  clock.advance(10_000);
  await settle();
  assert.equal(state.passes.length, 1);
  assert.equal(clock.pending(), 0);
});
