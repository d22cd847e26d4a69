// Which namespaces hold any object of one resource, kept current from a storage watch. Admission
// asks it on every create ("are there quotas here?") instead of listing storage each time; like
// Kubernetes' informer-backed admission, it may trail a write by the watch's delivery delay.
import type { ResourceStore } from './store.js';

export class NamespacePresence {
  private readonly counts = new Map<string, number>();
  private readonly ready: Promise<void>;
  /** Set if the watch ends; answers then fall back to "maybe" so callers read storage. */
  private broken = false;

  constructor(store: ResourceStore) {
    this.ready = this.start(store).catch(() => { this.broken = true; });
  }

  private bump(namespace: string | undefined, by: number): void {
    if (!namespace) return;
    const n = (this.counts.get(namespace) ?? 0) + by;
    if (n > 0) this.counts.set(namespace, n);
    else this.counts.delete(namespace);
  }

  private async start(store: ResourceStore): Promise<void> {
    const list = await store.list(undefined, {});
    for (const obj of list.items) this.bump(obj.metadata?.namespace, 1);
    store.watchStorage(undefined, {
      startRevision: Number(list.resourceVersion) + 1,
      onEvents: (events) => {
        for (const e of events) {
          if (e.type === 'update') continue;
          this.bump(store.decode(e.kv).metadata?.namespace, e.type === 'create' ? 1 : -1);
        }
      },
      onError: () => { this.broken = true; },
    });
  }

  /** False only when the namespace certainly holds none of the resource's objects. */
  async mayHave(namespace: string): Promise<boolean> {
    await this.ready;
    return this.broken || this.counts.has(namespace);
  }
}
