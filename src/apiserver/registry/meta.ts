// System-managed metadata on create and update, as the Kubernetes API server sets it.
import { randomInt, randomUUID } from 'node:crypto';
import type { KubeObject, ObjectMeta } from '../../apimachinery/object.js';
import { formatTime } from '../../apimachinery/duration.js';
import { deepEqual } from '../../apimachinery/deep-equal.js';

const nameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** Five characters from the alphabet Kubernetes uses for generated names (no vowels, no 0/1/3). */
export function generateNameSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += nameAlphabet[randomInt(nameAlphabet.length)];
  return s;
}

/** The longest generateName prefix kept, so the full name stays within 63 characters. */
const MAX_GENERATED_PREFIX = 58;

export function fillCreateMeta(obj: KubeObject, now: number, tracksGeneration: boolean): ObjectMeta {
  const meta = (obj.metadata ??= {});
  if (!meta.name && meta.generateName) {
    meta.name = meta.generateName.slice(0, MAX_GENERATED_PREFIX) + generateNameSuffix();
  }
  meta.uid = randomUUID();
  meta.creationTimestamp = formatTime(now);
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.resourceVersion;
  delete (meta as Record<string, unknown>).selfLink;
  if (tracksGeneration) meta.generation = 1;
  else delete meta.generation;
  return meta;
}

/** Fields of metadata only the server may set; an update keeps the stored values. */
export function keepSystemMeta(meta: ObjectMeta, old: ObjectMeta): void {
  meta.uid = old.uid;
  meta.creationTimestamp = old.creationTimestamp;
  if (old.deletionTimestamp) meta.deletionTimestamp = old.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (old.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
  else delete meta.deletionGracePeriodSeconds;
  if (old.generation !== undefined) meta.generation = old.generation;
  else delete meta.generation;
  if (!meta.generateName && old.generateName) meta.generateName = old.generateName;
  delete (meta as Record<string, unknown>).selfLink;
}

/** Everything but metadata and status: a change here bumps `generation`. */
export function specChanged(obj: KubeObject, old: KubeObject): boolean {
  for (const k of new Set([...Object.keys(obj), ...Object.keys(old)])) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    if (!deepEqual(obj[k], old[k])) return true;
  }
  return false;
}

export { deepEqual };
