// The list+watch loop behind every informer, as an explicit state machine: list (paged), then
// watch from the list's resourceVersion; resume from the last seen version when a watch ends or
// fails, and list again only when the server says that version is gone (410 Expired).
import type { Clock } from '../apimachinery/clock.js';
import type { Logger } from '../apimachinery/log.js';
import { silentLogger } from '../apimachinery/log.js';
import type { KubeObject } from '../apimachinery/object.js';
import { StatusError, type Status, type StatusReason } from '../apimachinery/status.js';
import { isExpired } from './errors.js';
import type { ResourceClient, WatchStream } from './rest.js';

export type WatcherEvent<T extends KubeObject = KubeObject> =
  | { type: 'replace'; items: T[]; resourceVersion: string }
  | { type: 'added' | 'modified' | 'deleted'; object: T };

export type WatcherState =
  | { phase: 'Listing' }
  | { phase: 'Watching'; resourceVersion: string }
  | { phase: 'Backoff'; delayMs: number; then: WatcherState }
  | { phase: 'Stopped' };

export interface WatcherOptions {
  clock: Clock;
  logger?: Logger;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size of the (re)list. */
  pageSize?: number;
  /** First and largest delay between failed attempts. */
  backoff?: { initialMs: number; maxMs: number };
  /** Source of randomness for the watch timeout and backoff jitter (tests pin it). */
  random?: () => number;
  /** Told of every state change (for logs and tests). */
  onState?: (state: WatcherState) => void;
}

/** What the watcher needs of a resource client. */
export type WatchableResource<T extends KubeObject> = Pick<ResourceClient<T>, 'ref' | 'list' | 'watch'>;

export type WatcherConsumer<T extends KubeObject> = (ev: WatcherEvent<T>) => void | Promise<void>;

const DEFAULT_PAGE_SIZE = 500;
const DEFAULT_BACKOFF = { initialMs: 800, maxMs: 30_000 };
/** A watch that ends sooner than this without any event is treated as a failure (backs off). */
const SHORT_WATCH_MS = 1000;

/** How one watch attempt ended. */
type WatchOutcome =
  | { kind: 'ended'; resourceVersion: string; events: number; durationMs: number }
  | { kind: 'expired' }
  | { kind: 'failed'; resourceVersion: string; error: unknown }
  | { kind: 'aborted' };

/**
 * Runs list+watch until `signal` aborts, feeding `consume` a `replace` after every list and one
 * event per change. Resolves once stopped, with no stream left open.
 */
export async function runWatcher<T extends KubeObject>(
  resource: WatchableResource<T>,
  opts: WatcherOptions,
  signal: AbortSignal,
  consume: WatcherConsumer<T>,
): Promise<void> {
  const w = new Watcher(resource, opts, signal, consume);
  await w.run();
}

class Watcher<T extends KubeObject> {
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly backoffCfg: { initialMs: number; maxMs: number };
  private failures = 0;
  private current: WatchStream<T> | undefined;

  constructor(
    private readonly resource: WatchableResource<T>,
    private readonly opts: WatcherOptions,
    private readonly signal: AbortSignal,
    private readonly consume: WatcherConsumer<T>,
  ) {
    this.log = (opts.logger ?? silentLogger).with({ resource: resource.ref.plural, namespace: opts.namespace });
    this.random = opts.random ?? Math.random;
    this.backoffCfg = opts.backoff ?? DEFAULT_BACKOFF;
  }

  async run(): Promise<void> {
    const onAbort = () => this.current?.close();
    this.signal.addEventListener('abort', onAbort);
    try {
      let state: WatcherState = { phase: 'Listing' };
      while (state.phase !== 'Stopped') {
        this.opts.onState?.(state);
        state = this.signal.aborted ? { phase: 'Stopped' } : await this.step(state);
      }
      this.opts.onState?.(state);
    } finally {
      this.signal.removeEventListener('abort', onAbort);
      this.current?.close();
    }
  }

  private async step(state: WatcherState): Promise<WatcherState> {
    switch (state.phase) {
      case 'Listing': return this.list();
      case 'Watching': return this.afterWatch(await this.watch(state.resourceVersion));
      case 'Backoff': return (await this.sleep(state.delayMs)) ? state.then : { phase: 'Stopped' };
      case 'Stopped': return state;
    }
  }

  private async list(): Promise<WatcherState> {
    let items: T[];
    let resourceVersion: string;
    try {
      ({ items, resourceVersion } = await this.listAll());
    } catch (err) {
      if (this.signal.aborted) return { phase: 'Stopped' };
      this.log.warn('list failed', { error: errorText(err) });
      return this.backoff({ phase: 'Listing' });
    }
    if (this.signal.aborted) return { phase: 'Stopped' };
    this.failures = 0;
    try {
      await this.consume({ type: 'replace', items, resourceVersion });
    } catch (err) {
      this.log.error('consumer failed on a list; listing again', { error: errorText(err) });
      return this.backoff({ phase: 'Listing' });
    }
    return { phase: 'Watching', resourceVersion };
  }

  /** Every page of one consistent list; a continue token that expires midway restarts it. */
  private async listAll(): Promise<{ items: T[]; resourceVersion: string }> {
    const { namespace, labelSelector, fieldSelector } = this.opts;
    const limit = this.opts.pageSize ?? DEFAULT_PAGE_SIZE;
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.resource.list(namespace, { labelSelector, fieldSelector, limit, continue: cont });
      for (const it of page.items) items.push(withKind(it, this.resource.ref));
      // Every page is read at the first page's revision.
      if (!resourceVersion) resourceVersion = page.metadata.resourceVersion ?? '';
      cont = page.metadata.continue || undefined;
      if (this.signal.aborted) break;
    } while (cont);
    return { items, resourceVersion };
  }

  private async watch(resourceVersion: string): Promise<WatchOutcome> {
    const { namespace, labelSelector, fieldSelector, clock } = this.opts;
    const started = clock.now();
    let rv = resourceVersion;
    let events = 0;
    let stream: WatchStream<T>;
    try {
      stream = await this.resource.watch(namespace, {
        labelSelector, fieldSelector, resourceVersion: rv, allowWatchBookmarks: true,
        timeoutSeconds: 300 + Math.floor(this.random() * 300),
      });
    } catch (err) {
      if (this.signal.aborted) return { kind: 'aborted' };
      if (isExpired(err)) return { kind: 'expired' };
      return { kind: 'failed', resourceVersion: rv, error: err };
    }
    this.current = stream;
    // An abort between opening the stream and registering it must still close it.
    if (this.signal.aborted) {
      stream.close();
      this.current = undefined;
      return { kind: 'aborted' };
    }
    try {
      for await (const ev of stream) {
        if (this.signal.aborted) return { kind: 'aborted' };
        if (ev.type === 'ERROR') {
          const err = statusErrorOf(ev.object as unknown as Partial<Status>);
          if (isExpired(err)) return { kind: 'expired' };
          return { kind: 'failed', resourceVersion: rv, error: err };
        }
        const next = ev.object?.metadata?.resourceVersion;
        if (ev.type === 'BOOKMARK') {
          if (next) rv = next;
          continue;
        }
        events++;
        const type = ev.type === 'ADDED' ? 'added' : ev.type === 'MODIFIED' ? 'modified' : ev.type === 'DELETED' ? 'deleted' : undefined;
        if (!type) {
          this.log.warn('unknown watch event type', { type: ev.type });
          continue;
        }
        // The version advances only once the consumer has the event, so a resume never skips it.
        await this.consume({ type, object: withKind(ev.object, this.resource.ref) });
        if (next) rv = next;
        this.failures = 0;
      }
    } catch (err) {
      if (this.signal.aborted) return { kind: 'aborted' };
      return { kind: 'failed', resourceVersion: rv, error: err };
    } finally {
      stream.close();
      this.current = undefined;
    }
    if (this.signal.aborted) return { kind: 'aborted' };
    return { kind: 'ended', resourceVersion: rv, events, durationMs: clock.now() - started };
  }

  private afterWatch(o: WatchOutcome): WatcherState {
    switch (o.kind) {
      case 'aborted': return { phase: 'Stopped' };
      case 'expired':
        this.log.info('watch expired; listing again');
        return { phase: 'Listing' };
      case 'failed':
        this.log.warn('watch failed; resuming', { error: errorText(o.error), resourceVersion: o.resourceVersion });
        return this.backoff({ phase: 'Watching', resourceVersion: o.resourceVersion });
      case 'ended':
        if (o.events === 0 && o.durationMs < SHORT_WATCH_MS) {
          return this.backoff({ phase: 'Watching', resourceVersion: o.resourceVersion });
        }
        this.failures = 0;
        return { phase: 'Watching', resourceVersion: o.resourceVersion };
    }
  }

  /** Exponential, capped, with up to 20% jitter so a crowd of clients does not return in step. */
  private backoff(then: WatcherState): WatcherState {
    const { initialMs, maxMs } = this.backoffCfg;
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    const delayMs = Math.min(maxMs, Math.round(base * (1 + 0.2 * this.random())));
    return { phase: 'Backoff', delayMs, then };
  }

  /** Waits on the clock; false when aborted first. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.signal.aborted) return resolve(false);
      const onAbort = () => {
        timer.cancel();
        resolve(false);
      };
      const timer = this.opts.clock.setTimeout(() => {
        this.signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function statusErrorOf(s: Partial<Status> | undefined): StatusError {
  return new StatusError(s?.code ?? 500, (s?.reason || 'InternalError') as StatusReason, s?.message ?? 'watch error', s?.details);
}

/** List items carry no kind; objects in the cache do, like those from a watch. */
function withKind<T extends KubeObject>(obj: T, ref: WatchableResource<T>['ref']): T {
  if (obj.kind && obj.apiVersion) return obj;
  return { ...obj, apiVersion: ref.group ? `${ref.group}/${ref.version}` : ref.version, kind: ref.kind };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
