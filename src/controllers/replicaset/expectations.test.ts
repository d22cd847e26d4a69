import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../apimachinery/clock.js';
import { EXPECTATIONS_TIMEOUT_MS, PodExpectations } from './expectations.js';
import { slowStartBatch } from './replica-controller.js';

describe('pod expectations', () => {
  it('block a sync until every expected create is observed', () => {
    const e = new PodExpectations(new FakeClock());
    assert.ok(e.satisfied('ns/a'));
    e.expectCreations('ns/a', 2);
    assert.ok(!e.satisfied('ns/a'));
    e.creationObserved('ns/a');
    assert.ok(!e.satisfied('ns/a'));
    e.creationObserved('ns/a');
    assert.ok(e.satisfied('ns/a'));
  });

  it('count each deleted pod once, however often its deletion is seen', () => {
    const e = new PodExpectations(new FakeClock());
    e.expectDeletions('ns/a', ['ns/p1', 'ns/p2']);
    e.deletionObserved('ns/a', 'ns/p1');
    e.deletionObserved('ns/a', 'ns/p1');
    e.deletionObserved('ns/a', 'ns/other');
    assert.ok(!e.satisfied('ns/a'));
    e.deletionObserved('ns/a', 'ns/p2');
    assert.ok(e.satisfied('ns/a'));
  });

  it('expire after the timeout', () => {
    const clock = new FakeClock();
    const e = new PodExpectations(clock);
    e.expectCreations('ns/a', 1);
    clock.advance(EXPECTATIONS_TIMEOUT_MS + 1);
    assert.ok(e.satisfied('ns/a'));
  });
});

describe('slow start batches', () => {
  it('run 1, 2, 4, … and stop at the first failing batch', async () => {
    const batches: number[] = [];
    let calls = 0;
    let inBatch = 0;
    const fn = async () => {
      calls++;
      inBatch++;
      await Promise.resolve();
      if (inBatch > 0) { batches.push(inBatch); inBatch = 0; }
      if (calls > 3) throw new Error('quota');
    };
    const r = await slowStartBatch(10, 1, fn);
    assert.deepEqual(batches, [1, 2, 4]);
    assert.equal(r.successes, 3);
    assert.equal((r.error as Error).message, 'quota');
    const ok = await slowStartBatch(5, 1, async () => {});
    assert.deepEqual(ok, { successes: 5 });
  });
});
