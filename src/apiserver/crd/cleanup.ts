// Deleting a CustomResourceDefinition: the first DELETE marks it terminating and adds the cleanup
// finalizer; the controller then deletes every object of the resource and removes the finalizer,
// which lets the store delete the CRD.
import type { KubeObject } from '../../apimachinery/object.js';
import { formatTime } from '../../apimachinery/duration.js';
import type { ResourceStore } from '../registry/store.js';
import type { RequestContext, Strategy } from '../registry/strategy.js';
import type { CRD } from './custom-resource-type.js';
import { setCondition } from './names.js';

export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

/** Adds the delete-time behaviour to the CRD store's strategy. */
export function installCleanupOnDelete(crdStore: ResourceStore): void {
  const strategy = crdStore.strategy as Strategy;
  const inner = strategy.holdDeletion?.bind(strategy);
  strategy.holdDeletion = (obj: KubeObject, now: number): boolean => {
    const held = inner?.(obj, now) ?? false;
    // Only the first delete request holds; once terminating, the finalizer decides.
    if (obj.metadata?.deletionTimestamp) return held;
    const meta = obj.metadata!;
    if (!meta.finalizers?.includes(CLEANUP_FINALIZER)) meta.finalizers = [...(meta.finalizers ?? []), CLEANUP_FINALIZER];
    const crd = obj as CRD;
    crd.status ??= {};
    crd.status.conditions ??= [];
    setCondition(crd.status.conditions, {
      type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending',
      message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
    }, formatTime(now));
    return true;
  };
}

/**
 * Deletes the objects of a terminating CRD's resource through `store` (its storage version).
 * Returns how many remain (objects waiting on their own finalizers).
 */
export async function deleteAllObjects(store: ResourceStore, ctx: RequestContext): Promise<number> {
  const list = await store.list(undefined, {});
  for (const obj of list.items) {
    if (obj.metadata?.deletionTimestamp) continue;
    try {
      await store.delete(obj.metadata?.namespace, obj.metadata!.name!, { propagationPolicy: 'Background' }, ctx);
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
    }
  }
  return (await store.list(undefined, { limit: 1 })).items.length;
}
