// Where objects live in the key space, and how they are encoded as values.
import type { KeyValue } from '../../storage/backend.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { ResourceType } from '../../api/types.js';

/** `/registry/pods/`, `/registry/deployments.apps/`: one key range per resource. */
export function resourcePrefix(rt: Pick<ResourceType, 'group' | 'plural'>): string {
  return rt.group ? `/registry/${rt.plural}.${rt.group}/` : `/registry/${rt.plural}/`;
}

export function collectionPrefix(rt: ResourceType, namespace: string | undefined): string {
  const base = resourcePrefix(rt);
  return rt.namespaced && namespace ? `${base}${namespace}/` : base;
}

export function objectKey(rt: ResourceType, namespace: string | undefined, name: string): string {
  return rt.namespaced ? `${resourcePrefix(rt)}${namespace}/${name}` : `${resourcePrefix(rt)}${name}`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Stored values never carry resourceVersion: it is the key's modRevision, set on the way out. */
export function encodeObject(obj: KubeObject): Uint8Array {
  const meta = obj.metadata;
  if (meta && meta.resourceVersion !== undefined) {
    const rv = meta.resourceVersion;
    delete meta.resourceVersion;
    try {
      return encoder.encode(JSON.stringify(obj));
    } finally {
      meta.resourceVersion = rv;
    }
  }
  return encoder.encode(JSON.stringify(obj));
}

export function decodeObject(kv: Pick<KeyValue, 'value' | 'modRevision'>): KubeObject {
  const obj = JSON.parse(decoder.decode(kv.value)) as KubeObject;
  obj.metadata ??= {};
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}
