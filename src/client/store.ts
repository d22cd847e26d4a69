// An informer's local copy of a resource: objects by key, plus secondary indexes
// (always `namespace`) so controllers can find e.g. every pod of a namespace without a scan.
import type { KubeObject } from '../apimachinery/object.js';
import { objectKey, type IndexFunc, type ObjectStore } from './informer-types.js';

export const namespaceIndex: IndexFunc = (obj) => [obj.metadata?.namespace ?? ''];

export class IndexedStore<T extends KubeObject = KubeObject> implements ObjectStore<T> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name → indexed value → keys. */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndex('namespace', namespaceIndex as IndexFunc<T>);
    for (const [name, fn] of Object.entries(indexers)) this.addIndex(name, fn);
  }

  /** Adds (or replaces) an index; objects already held are indexed at once. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indices.set(name, index);
    for (const [key, obj] of this.items) this.indexOne(index, fn, key, obj);
  }

  hasIndex(name: string): boolean {
    return this.indexers.has(name);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  byIndex(index: string, value: string): T[] {
    const idx = this.indices.get(index);
    if (!idx) throw new Error(`no index named ${index}`);
    const out: T[] = [];
    for (const key of idx.get(value) ?? []) {
      const obj = this.items.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  /** Stores `obj`, returning what was held under its key before. */
  add(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) this.indexOne(this.indices.get(name)!, fn, key, obj);
    return old;
  }

  update(obj: T): T | undefined {
    return this.add(obj);
  }

  /** Removes the object (or key), returning what was held. */
  delete(objOrKey: T | string): T | undefined {
    const key = typeof objOrKey === 'string' ? objOrKey : objectKey(objOrKey);
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  /** Holds exactly `items` afterwards. */
  replace(items: T[]): void {
    this.items.clear();
    for (const idx of this.indices.values()) idx.clear();
    for (const obj of items) this.add(obj);
  }

  private indexOne(index: Map<string, Set<string>>, fn: IndexFunc<T>, key: string, obj: T): void {
    for (const value of valuesOf(fn, obj)) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const value of valuesOf(fn, obj)) {
        const keys = index.get(value);
        if (!keys) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(value);
      }
    }
  }
}

/** An index function that throws indexes the object nowhere rather than breaking the store. */
function valuesOf<T extends KubeObject>(fn: IndexFunc<T>, obj: T): string[] {
  try {
    return fn(obj);
  } catch {
    return [];
  }
}
