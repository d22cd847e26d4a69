// Shared informers: one list+watch per resource and options per process, an indexed local copy,
// and handlers told about every change — including deletes missed while disconnected, which a
// re-list reveals by diffing the old copy against the new list.
import type { Clock } from '../apimachinery/clock.js';
import type { Logger } from '../apimachinery/log.js';
import { silentLogger } from '../apimachinery/log.js';
import type { KubeObject } from '../apimachinery/object.js';
import {
  objectKey, type EventHandler, type IndexFunc, type Informer, type InformerFactory, type InformerOptions,
} from './informer-types.js';
import type { ApiClient, ResourceClient, ResourceRef } from './rest.js';
import { IndexedStore } from './store.js';
import { runWatcher, type WatcherEvent, type WatcherOptions } from './watcher.js';

export interface InformerStats {
  /** `plural[.group]`, plus namespace and selectors when set. */
  resource: string;
  /** Notifications (add, update, delete) the informer has dispatched. */
  events: number;
  synced: boolean;
}

export interface SharedInformerFactory extends InformerFactory {
  stats(): InformerStats[];
  /** Resolves once every started informer has stopped (after the start signal aborted). */
  stopped(): Promise<void>;
}

export interface InformerFactoryOptions {
  clock: Clock;
  logger?: Logger;
  /** Passed to every watcher (page size, backoff, randomness). */
  watcher?: Pick<WatcherOptions, 'pageSize' | 'backoff' | 'random'>;
}

class SharedInformer<T extends KubeObject> implements Informer<T> {
  readonly store: IndexedStore<T> = new IndexedStore<T>();
  events = 0;
  private readonly handlers: EventHandler<T>[] = [];
  private synced = false;
  private markSynced!: () => void;
  readonly firstSync = new Promise<void>((resolve) => { this.markSynced = resolve; });
  running: Promise<void> | undefined;

  constructor(
    readonly name: string,
    private readonly resource: ResourceClient<T>,
    private readonly opts: InformerOptions,
    private readonly watcherOpts: WatcherOptions,
    private readonly log: Logger,
  ) {}

  addEventHandler(handler: EventHandler<T>): void {
    this.handlers.push(handler);
    // Before sync the first list tells the new handler everything; after it, catch it up now.
    if (this.synced) for (const obj of this.store.list()) this.call('onAdd', () => handler.onAdd?.(obj));
  }

  addIndex(name: string, fn: IndexFunc<T>): void {
    this.store.addIndex(name, fn);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  run(signal: AbortSignal): void {
    if (this.running) return;
    const namespace = this.resource.ref.namespaced ? this.opts.namespace : undefined;
    this.running = runWatcher(this.resource, { ...this.watcherOpts, namespace, labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector }, signal,
      (ev) => this.apply(ev))
      .catch((err: unknown) => this.log.error('informer stopped on an unexpected error', { error: String(err) }));
  }

  private apply(ev: WatcherEvent<T>): void {
    switch (ev.type) {
      case 'replace': return this.replace(ev.items);
      case 'added':
      case 'modified': {
        const prev = this.store.add(ev.object);
        if (!prev) this.notifyAdd(ev.object);
        else this.notifyChange(prev, ev.object);
        return;
      }
      case 'deleted':
        this.store.delete(ev.object);
        this.notifyDelete(ev.object);
        return;
    }
  }

  private replace(items: T[]): void {
    const old = new Map<string, T>();
    for (const obj of this.store.list()) old.set(objectKey(obj), obj);
    this.store.replace(items);
    // Synced before telling handlers, so one added meanwhile is caught up from the full store.
    const first = !this.synced;
    this.synced = true;
    for (const obj of items) {
      const key = objectKey(obj);
      const prev = old.get(key);
      old.delete(key);
      if (prev) this.notifyChange(prev, obj);
      else this.notifyAdd(obj);
    }
    for (const gone of old.values()) this.notifyDelete(gone);
    if (first) this.markSynced();
  }

  /** Same key: an update if the version moved; a delete and an add if the object was recreated. */
  private notifyChange(prev: T, obj: T): void {
    const oldUid = prev.metadata?.uid;
    const newUid = obj.metadata?.uid;
    if (oldUid && newUid && oldUid !== newUid) {
      this.notifyDelete(prev);
      this.notifyAdd(obj);
      return;
    }
    if (prev.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    this.events++;
    this.dispatch('onUpdate', (h) => h.onUpdate?.(prev, obj));
  }

  private notifyAdd(obj: T): void {
    this.events++;
    this.dispatch('onAdd', (h) => h.onAdd?.(obj));
  }

  private notifyDelete(obj: T): void {
    this.events++;
    this.dispatch('onDelete', (h) => h.onDelete?.(obj));
  }

  /** Handlers added while dispatching get their synthetic adds instead of this event. */
  private dispatch(what: string, fn: (h: EventHandler<T>) => void): void {
    const n = this.handlers.length;
    for (let i = 0; i < n; i++) {
      const h = this.handlers[i]!;
      this.call(what, () => fn(h));
    }
  }

  private call(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error('event handler failed', { handler: what, error: err instanceof Error ? err.message : String(err) });
    }
  }
}

function informerName(ref: ResourceRef, opts: InformerOptions): string {
  let name = ref.group ? `${ref.plural}.${ref.group}` : ref.plural;
  if (ref.namespaced && opts.namespace) name += ` namespace=${opts.namespace}`;
  if (opts.labelSelector) name += ` labels=${opts.labelSelector}`;
  if (opts.fieldSelector) name += ` fields=${opts.fieldSelector}`;
  return name;
}

export function createInformerFactory(client: ApiClient, opts: InformerFactoryOptions): SharedInformerFactory {
  const log = (opts.logger ?? silentLogger).with({ component: 'informers' });
  const informers = new Map<string, SharedInformer<KubeObject>>();
  let startSignal: AbortSignal | undefined;

  const startOne = (inf: SharedInformer<KubeObject>, signal: AbortSignal) => {
    // Deferred so the caller can add indexes and handlers right after asking for the informer.
    queueMicrotask(() => inf.run(signal));
  };

  return {
    informer<T extends KubeObject = KubeObject>(ref: ResourceRef, o: InformerOptions = {}): Informer<T> {
      const key = `${ref.group}/${ref.version}/${ref.plural}|${ref.namespaced ? o.namespace ?? '' : ''}|${o.labelSelector ?? ''}|${o.fieldSelector ?? ''}`;
      let inf = informers.get(key);
      if (!inf) {
        const name = informerName(ref, o);
        const l = log.with({ informer: name });
        inf = new SharedInformer<KubeObject>(name, client.resource(ref), o, { clock: opts.clock, logger: l, ...opts.watcher }, l);
        informers.set(key, inf);
        if (startSignal) startOne(inf, startSignal);
      }
      return inf as unknown as Informer<T>;
    },

    start(signal: AbortSignal): void {
      startSignal = signal;
      for (const inf of informers.values()) startOne(inf, signal);
    },

    /** Waits for every informer asked for so far, started or yet to be started. */
    waitForSync(signal?: AbortSignal): Promise<void> {
      const all = Promise.all([...informers.values()].map((i) => i.firstSync)).then(() => undefined);
      if (!signal) return all;
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal.reason ?? new Error('aborted'));
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        void all.then(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    },

    stats(): InformerStats[] {
      return [...informers.values()].map((i) => ({ resource: i.name, events: i.events, synced: i.hasSynced() }));
    },

    async stopped(): Promise<void> {
      // Informers start a microtask after being started; let that happen first.
      await Promise.resolve();
      await Promise.all([...informers.values()].map((i) => i.running));
    },
  };
}
