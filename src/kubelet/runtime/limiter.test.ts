import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PodOrderLimiter } from './limiter.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

const tick = () => new Promise((r) => setImmediate(r));

test('runs at most `slots` calls at once', async () => {
  const limiter = new PodOrderLimiter(2);
  let running = 0;
  let peak = 0;
  const gates = [deferred(), deferred(), deferred(), deferred()];
  const calls = gates.map((g, i) => limiter.run(`pod-${i}`, async () => {
    running++;
    peak = Math.max(peak, running);
    await g.promise;
    running--;
    return i;
  }));
  await tick();
  assert.equal(running, 2);
  assert.equal(limiter.queued, 2);
  for (const g of gates) g.resolve();
  assert.deepEqual(await Promise.all(calls), [0, 1, 2, 3]);
  assert.equal(peak, 2);
  assert.equal(limiter.queued, 0);
});

test('a waiting call of an earlier pod goes before calls of pods seen later', async () => {
  const limiter = new PodOrderLimiter(1);
  const order: string[] = [];
  const first = deferred();
  // pod-a is seen first; its sandbox holds the only slot while b and c queue.
  const a1 = limiter.run('pod-a', async () => { await first.promise; order.push('a-sandbox'); });
  const b1 = limiter.run('pod-b', async () => { order.push('b-sandbox'); });
  const c1 = limiter.run('pod-c', async () => { order.push('c-sandbox'); });
  await tick();
  // pod-a's next call arrives after b and c queued, but goes first.
  const a2 = limiter.run('pod-a', async () => { order.push('a-container'); });
  first.resolve();
  await Promise.all([a1, b1, c1, a2]);
  assert.deepEqual(order, ['a-sandbox', 'a-container', 'b-sandbox', 'c-sandbox']);
});

test('a failing call frees its slot and rejects with its error', async () => {
  const limiter = new PodOrderLimiter(1);
  await assert.rejects(limiter.run('p', async () => { throw new Error('boom'); }), /boom/);
  assert.equal(await limiter.run('q', async () => 7), 7);
});

test('a forgotten pod goes to the back of the line', async () => {
  const limiter = new PodOrderLimiter(1);
  const order: string[] = [];
  await limiter.run('pod-a', async () => {});
  await limiter.run('pod-b', async () => {});
  limiter.forget('pod-a');
  const hold = deferred();
  const h = limiter.run('pod-c', () => hold.promise);
  const a = limiter.run('pod-a', async () => { order.push('a'); });
  const b = limiter.run('pod-b', async () => { order.push('b'); });
  await tick();
  hold.resolve();
  await Promise.all([h, a, b]);
  assert.deepEqual(order, ['b', 'a']);
});

test('refuses fewer than one slot', () => {
  assert.throws(() => new PodOrderLimiter(0), /at least 1/);
});
