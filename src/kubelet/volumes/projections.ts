// The files of configMap, secret and downwardAPI sources (standalone or inside a projected
// volume): which keys become which paths with which modes, from objects already fetched.
import type { ConfigMap, DownwardAPIVolumeFile, KeyToPath, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { Payload } from './atomic-writer.js';
import { fieldRefValue, resourceFieldValue, type Allocatable } from './downward.js';

/** 0644, the mode Kubernetes gives projected files unless told otherwise. */
export const DEFAULT_MODE = 0o644;

interface KeySource {
  items?: KeyToPath[];
  optional?: boolean;
}

function project(
  values: Map<string, Buffer>, src: KeySource, defaultMode: number, missingKey: (key: string) => string, out: Payload,
): void {
  if (!src.items || src.items.length === 0) {
    for (const [k, v] of values) out.set(k, { data: v, mode: defaultMode });
    return;
  }
  for (const item of src.items) {
    const v = values.get(item.key);
    if (!v) {
      if (src.optional) continue;
      throw new Error(missingKey(item.key));
    }
    out.set(item.path, { data: v, mode: item.mode ?? defaultMode });
  }
}

/** A configMap's `data` (text) and `binaryData` (base64) as files; `cm` undefined when it is missing and optional. */
export function configMapPayload(cm: ConfigMap | undefined, src: KeySource, defaultMode = DEFAULT_MODE, out: Payload = new Map()): Payload {
  const values = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm?.data ?? {})) values.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm?.binaryData ?? {})) values.set(k, Buffer.from(v, 'base64'));
  project(values, src, defaultMode, (k) => `configmap references non-existent config key: ${k}`, out);
  return out;
}

/** A secret's `data` (base64-decoded) as files; `secret` undefined when it is missing and optional. */
export function secretPayload(secret: Secret | undefined, src: KeySource, defaultMode = DEFAULT_MODE, out: Payload = new Map()): Payload {
  const values = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(secret?.data ?? {})) values.set(k, Buffer.from(v, 'base64'));
  for (const [k, v] of Object.entries(secret?.stringData ?? {})) values.set(k, Buffer.from(v, 'utf8'));
  project(values, src, defaultMode, (k) => `references non-existent secret key: ${k}`, out);
  return out;
}

/** downwardAPI items: pod fields and container resources, one file each. */
export function downwardAPIPayload(
  pod: Pod, items: DownwardAPIVolumeFile[] | undefined, defaultMode = DEFAULT_MODE, allocatable: Allocatable = {}, out: Payload = new Map(),
): Payload {
  for (const item of items ?? []) {
    let value: string;
    if (item.fieldRef) value = fieldRefValue(pod, item.fieldRef);
    else if (item.resourceFieldRef) value = resourceFieldValue(pod, item.resourceFieldRef, allocatable);
    else throw new Error(`downwardAPI item ${JSON.stringify(item.path)} has neither fieldRef nor resourceFieldRef`);
    out.set(item.path, { data: Buffer.from(value, 'utf8'), mode: item.mode ?? defaultMode });
  }
  return out;
}

/** Whether any downwardAPI item (standalone or projected) needs the node's allocatable. */
export function needsAllocatable(items: DownwardAPIVolumeFile[] | undefined): boolean {
  return (items ?? []).some((i) => i.resourceFieldRef?.resource.startsWith('limits.'));
}
