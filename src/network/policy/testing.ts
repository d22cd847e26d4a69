// An in-memory informer factory for tests: objects are put and removed by hand, and handlers hear
// about it at once, as they would from a watch.
import type { KubeObject } from '../../apimachinery/object.js';
import { objectKey, type EventHandler, type Informer, type InformerFactory, type ObjectStore } from '../../client/informer-types.js';
import type { ResourceRef } from '../../client/rest.js';

class MemoryInformer<T extends KubeObject> implements Informer<T>, ObjectStore<T> {
  private readonly objects = new Map<string, T>();
  private readonly handlers: EventHandler<T>[] = [];

  get store(): ObjectStore<T> {
    return this;
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  byIndex(index: string, value: string): T[] {
    return index === 'namespace' ? this.list().filter((o) => (o.metadata?.namespace ?? '') === value) : [];
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  addEventHandler(handler: EventHandler<T>): void {
    this.handlers.push(handler);
    for (const o of this.objects.values()) handler.onAdd?.(o);
  }

  addIndex(): void { /* only the namespace index is served */ }

  hasSynced(): boolean {
    return true;
  }

  put(obj: T): void {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    this.objects.set(key, obj);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, obj);
      else h.onAdd?.(obj);
    }
  }

  remove(obj: T): void {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    if (!old) return;
    this.objects.delete(key);
    for (const h of this.handlers) h.onDelete?.(old);
  }
}

export class MemoryInformerFactory implements InformerFactory {
  private readonly informers = new Map<string, MemoryInformer<KubeObject>>();
  started = false;

  informer<T extends KubeObject = KubeObject>(ref: ResourceRef): Informer<T> {
    return this.of(ref) as unknown as Informer<T>;
  }

  start(): void {
    this.started = true;
  }

  async waitForSync(): Promise<void> { /* always in sync */ }

  put(ref: ResourceRef, obj: KubeObject): void {
    this.of(ref).put(obj);
  }

  remove(ref: ResourceRef, obj: KubeObject): void {
    this.of(ref).remove(obj);
  }

  private of(ref: ResourceRef): MemoryInformer<KubeObject> {
    const key = `${ref.group}/${ref.version}/${ref.plural}`;
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new MemoryInformer();
      this.informers.set(key, inf);
    }
    return inf;
  }
}
