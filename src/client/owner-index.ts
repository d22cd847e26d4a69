// The informer index every owning controller reads its dependents through: the controlling
// ownerReference's uid, or `orphan/<namespace>` for objects no controller owns. A sync then reads
// only its own objects plus its namespace's orphans instead of the whole namespace. Controllers
// register it under one name on shared informers; registering it again is harmless.
import type { KubeObject, OwnerReference } from '../apimachinery/object.js';

export const CONTROLLER_UID_INDEX = 'controller-uid';

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

export function orphanIndexValue(namespace: string): string {
  return `orphan/${namespace}`;
}

export function controllerUidIndex(obj: KubeObject): string[] {
  const ref = controllerOf(obj);
  return [ref ? ref.uid : orphanIndexValue(obj.metadata?.namespace ?? '')];
}
