// Helpers for the backend conformance suite: fixtures, a watch recorder, and the per-test harness.
import assert from 'node:assert/strict';
import type { Backend, KeyValue, StorageEvent } from './backend.js';

export type BackendFactory = () => Promise<{ backend: Backend; cleanup(): Promise<void> }>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const bytes = (s: string): Uint8Array => encoder.encode(s);
export const text = (b: Uint8Array): string => decoder.decode(b);

/** Runs `body` against a fresh, started backend and always cleans up. */
export async function withBackend(factory: BackendFactory, body: (b: Backend) => Promise<void>): Promise<void> {
  const { backend, cleanup } = await factory();
  try {
    await backend.start();
    await body(backend);
  } finally {
    await cleanup();
  }
}

/** A short readable form of an event, for comparing whole sequences. */
export function describeEvent(e: StorageEvent): string {
  const prev = e.prevKv ? ` prev=${text(e.prevKv.value)}@${e.prevKv.modRevision}` : '';
  return `${e.type} ${e.kv.key}=${text(e.kv.value)}@${e.kv.modRevision}/c${e.kv.createRevision}${prev}`;
}

/** Collects what a watch delivers and lets a test wait for it (with a deadline so a missing event
 *  fails the test instead of hanging it). */
export class WatchRecorder {
  readonly events: StorageEvent[] = [];
  readonly batches: number[] = [];
  error: Error | undefined;
  private waiters: { check: () => boolean; resolve: () => void }[] = [];

  readonly onEvents = (events: StorageEvent[]): void => {
    this.batches.push(events.length);
    this.events.push(...events);
    this.wake();
  };

  readonly onError = (err: Error): void => {
    this.error = err;
    this.wake();
  };

  revisions(): number[] {
    return this.events.map((e) => e.kv.modRevision);
  }

  async waitForEvents(n: number, timeoutMs = 10_000): Promise<void> {
    await this.waitUntil(() => this.events.length >= n || this.error !== undefined, timeoutMs, `${n} events`);
    if (this.error) throw this.error;
  }

  async waitForError(timeoutMs = 10_000): Promise<Error> {
    await this.waitUntil(() => this.error !== undefined, timeoutMs, 'a watch error');
    return this.error!;
  }

  private waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out waiting for ${what}; got ${this.events.length} events`));
      }, timeoutMs);
      const done = (): void => { clearTimeout(timer); resolve(); };
      this.waiters.push({ check, resolve: done });
    });
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => w.check());
    this.waiters = this.waiters.filter((w) => !w.check());
    for (const w of ready) w.resolve();
  }
}

/** Lets already-queued deliveries run (a write's events reach watchers within milliseconds). */
export function settle(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function assertKv(kv: KeyValue | undefined, key: string, value: string, modRevision?: number): void {
  assert.ok(kv, `expected ${key} to exist`);
  assert.equal(kv.key, key);
  assert.equal(text(kv.value), value);
  if (modRevision !== undefined) assert.equal(kv.modRevision, modRevision);
}

/** Increments a counter stored at `key` by compare-and-swap, retrying on conflict. */
export async function casIncrement(b: Backend, key: string, isConflict: (e: unknown) => e is { current?: KeyValue }): Promise<number> {
  let current = await b.get(key);
  for (let attempt = 0; ; attempt++) {
    assert.ok(current, `${key} vanished`);
    const next = Number(text(current.value)) + 1;
    try {
      await b.update(key, bytes(String(next)), current.modRevision);
      return attempt;
    } catch (err) {
      if (!isConflict(err)) throw err;
      current = err.current ?? (await b.get(key));
    }
  }
}
