// Driving code that runs on a FakeClock against a real (in-process) API server: the clock moves a
// step at a time, with a short real pause after each step so that the writes it started can land.
import type { FakeClock } from '../../src/apimachinery/clock.js';

/** A short real pause: lets in-process requests and their promises settle. */
export const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

/** Checks, then moves `clock` by `stepMs` and pauses, until `check` returns something truthy; fails after `rounds` rounds. */
export async function advanceUntil<T>(
  clock: FakeClock, check: () => Promise<T | undefined | false>, stepMs: number, rounds = 400,
): Promise<T> {
  for (let i = 0; i < rounds; i++) {
    const v = await check();
    if (v) return v;
    clock.advance(stepMs);
    await tick();
  }
  throw new Error('condition never held');
}
