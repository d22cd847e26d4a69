import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../apimachinery/clock.js';
import { CompactedError } from './backend.js';
import { compactOnce, startCompactor } from './compactor.js';
import { MemoryBackend } from './memory/memory.js';

async function backendWithRevisions(n: number): Promise<MemoryBackend> {
  const b = new MemoryBackend();
  await b.start();
  for (let i = 0; i < n; i++) await b.create(`/k/${i}`, new Uint8Array([i]));
  return b;
}

describe('compactOnce', () => {
  test('compacts to current minus the retained revisions', async () => {
    const b = await backendWithRevisions(30);
    assert.equal(await compactOnce(b, 10), 20);
    assert.equal(await b.compactRevision(), 20);
    await assert.rejects(b.get('/k/0', { revision: 19 }), CompactedError);
    assert.equal(await b.count('/k/'), 30);
  });

  test('does nothing while history is shorter than the retained window', async () => {
    const b = await backendWithRevisions(5);
    assert.equal(await compactOnce(b, 10), undefined);
    assert.equal(await b.compactRevision(), 0);
  });

  test('does nothing when already compacted that far', async () => {
    const b = await backendWithRevisions(30);
    await b.compact(25);
    assert.equal(await compactOnce(b, 10), undefined);
    assert.equal(await b.compactRevision(), 25);
  });
});

describe('startCompactor', () => {
  test('compacts on every interval of the injected clock and stops on abort', async () => {
    const b = await backendWithRevisions(30);
    const clock = new FakeClock();
    const ac = new AbortController();
    const c = startCompactor(b, { intervalMs: 1000, retainRevisions: 10, clock, signal: ac.signal });
    clock.advance(999);
    await c.idle();
    assert.equal(await b.compactRevision(), 0);
    clock.advance(1);
    await c.idle();
    assert.equal(await b.compactRevision(), 20);

    for (let i = 30; i < 40; i++) await b.create(`/k/${i}`, new Uint8Array([i]));
    clock.advance(1000);
    await c.idle();
    assert.equal(await b.compactRevision(), 30);

    ac.abort();
    for (let i = 40; i < 50; i++) await b.create(`/k/${i}`, new Uint8Array([i]));
    clock.advance(5000);
    await c.idle();
    assert.equal(await b.compactRevision(), 30);
    assert.equal(clock.pending(), 0);
  });
});
