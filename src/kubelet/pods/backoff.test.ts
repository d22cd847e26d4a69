import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../apimachinery/clock.js';
import { CrashLoopBackoff, formatDuration, formatPod } from './backoff.js';

const pod: Pod = { metadata: { name: 'web', namespace: 'ns', uid: 'u1' }, spec: { containers: [{ name: 'app' }] } };

/** Runs a container that exits `runMs` after each start; returns the delays seen before each restart. */
function crashLoop(runMs: number, restarts: number): string[] {
  const clock = new FakeClock(1_000_000);
  const b = new CrashLoopBackoff(clock);
  const seen: string[] = [];
  for (let i = 0; i < restarts; i++) {
    clock.advance(runMs);
    const finishedAt = clock.now();
    for (;;) {
      const d = b.check(pod, 'app', finishedAt);
      if (!d.inBackoff) break;
      seen.push(d.message!.split(' ')[1]);
      clock.advance(d.retryAt! - clock.now());
      // A sync just at retryAt finds the window over.
    }
  }
  return seen;
}

describe('CrashLoopBackoff', () => {
  it('restarts at once the first time, then waits 10s doubling to 5m', () => {
    assert.deepEqual(crashLoop(1000, 9), ['10s', '20s', '40s', '1m20s', '2m40s', '5m0s', '5m0s', '5m0s']);
  });
  it('starts over after a container ran for ten minutes', () => {
    const clock = new FakeClock(0);
    const b = new CrashLoopBackoff(clock);
    b.check(pod, 'app', 0);
    clock.advance(1000);
    assert.equal(b.check(pod, 'app', 1000).inBackoff, true);
    clock.advance(10_000);
    assert.equal(b.check(pod, 'app', 1000).inBackoff, false, 'after the window');
    clock.advance(11 * 60_000);
    const finished = clock.now();
    assert.equal(b.check(pod, 'app', finished).inBackoff, false, 'a long run resets');
    clock.advance(1000);
    const d = b.check(pod, 'app', clock.now());
    assert.equal(d.message, 'back-off 10s restarting failed container=app pod=web_ns(u1)');
    assert.deepEqual(d.event, { reason: 'BackOff', message: 'Back-off restarting failed container app in pod web_ns(u1)' });
  });
  it('keeps containers apart and forgets a pod', () => {
    const clock = new FakeClock(0);
    const b = new CrashLoopBackoff(clock);
    b.check(pod, 'app', 0);
    assert.equal(b.check(pod, 'app', 0).inBackoff, true);
    assert.equal(b.check(pod, 'side', 0).inBackoff, false);
    b.forgetPod(pod);
    assert.equal(b.check(pod, 'app', 0).inBackoff, false);
  });
  it('collects idle entries', () => {
    const clock = new FakeClock(0);
    const b = new CrashLoopBackoff(clock);
    b.next('k', 0);
    clock.advance(600_001);
    b.gc();
    assert.equal(b.get('k'), 0);
  });
  const durations: [number, string][] = [[10_000, '10s'], [80_000, '1m20s'], [300_000, '5m0s'], [3_700_000, '1h1m40s']];
  for (const [ms, want] of durations) it(`formats ${ms}ms as ${want}`, () => assert.equal(formatDuration(ms), want));
  it('names a pod as name_namespace(uid)', () => assert.equal(formatPod(pod), 'web_ns(u1)'));
});
