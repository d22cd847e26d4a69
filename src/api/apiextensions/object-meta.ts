// The fields of ObjectMeta: the only ones Kubernetes keeps in the metadata of a custom resource or
// of an embedded resource (anything else is dropped as it converts the map to ObjectMeta).
import { isObject } from './schema-types.js';

/** ObjectMeta's JSON fields with the JSON type each must have to convert. */
const OBJECT_META_FIELDS: Record<string, 'string' | 'number' | 'object' | 'array'> = {
  name: 'string', generateName: 'string', namespace: 'string', selfLink: 'string', uid: 'string',
  resourceVersion: 'string', generation: 'number', creationTimestamp: 'string', deletionTimestamp: 'string',
  deletionGracePeriodSeconds: 'number', labels: 'object', annotations: 'object', ownerReferences: 'array',
  finalizers: 'array', managedFields: 'array',
};

function hasType(v: unknown, t: string): boolean {
  if (v === null) return true;
  if (t === 'array') return Array.isArray(v);
  if (t === 'object') return isObject(v);
  return typeof v === t;
}

/** Whether the value converts to ObjectMeta as a whole (unknown fields are ignored, types are not). */
export function isObjectMetaShaped(m: unknown): boolean {
  if (!isObject(m)) return false;
  return Object.entries(m).every(([k, v]) => !OBJECT_META_FIELDS[k] || hasType(v, OBJECT_META_FIELDS[k]));
}

/**
 * Drops what does not survive the conversion to ObjectMeta: unknown fields, and fields of the
 * wrong type. Returns the dropped field names.
 */
export function coerceObjectMeta(m: Record<string, unknown>): string[] {
  const dropped: string[] = [];
  for (const [k, v] of Object.entries(m)) {
    const t = OBJECT_META_FIELDS[k];
    if (!t || !hasType(v, t)) {
      delete m[k];
      dropped.push(k);
    }
  }
  return dropped;
}
