// The few Reflect metadata functions @peculiar/x509's dependency injection (tsyringe) calls.
// A WeakMap is enough for that use, and spares the whole reflect-metadata package.

type MetadataTarget = object;

const store = new WeakMap<MetadataTarget, Map<unknown, unknown>>();

function own(target: MetadataTarget, key: unknown): unknown {
  return store.get(target)?.get(key);
}

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect.getMetadata !== 'function') {
  Object.assign(reflect, {
    defineMetadata(key: unknown, value: unknown, target: MetadataTarget): void {
      let map = store.get(target);
      if (!map) store.set(target, (map = new Map()));
      map.set(key, value);
    },
    getOwnMetadata(key: unknown, target: MetadataTarget): unknown {
      return own(target, key);
    },
    getMetadata(key: unknown, target: MetadataTarget): unknown {
      for (let o: MetadataTarget | null = target; o != null; o = Object.getPrototypeOf(o) as MetadataTarget | null) {
        const value = own(o, key);
        if (value !== undefined) return value;
      }
      return undefined;
    },
  });
}

export {};
