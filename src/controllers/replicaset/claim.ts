// Adoption and release by controller ownerReference, as Kubernetes' ControllerRefManager does:
// an owner claims the orphans its selector matches and lets go of what it owns but no longer
// matches; objects controlled by someone else are left alone.
import type { KubeObject, OwnerReference } from '../../apimachinery/object.js';
import type { LabelSelector } from '../../apimachinery/labels.js';
import type { ResourceClient } from '../../client/rest.js';
import { isNotFound } from '../../client/errors.js';
import type { ObjectStore } from '../../client/informer-types.js';
import { CONTROLLER_UID_INDEX, controllerOf, orphanIndexValue } from './pods.js';

export interface ClaimOwner {
  ref: OwnerReference;
  namespace: string;
  /** Set when the owner is being deleted: it then neither adopts nor releases. */
  deleting: boolean;
  selector: LabelSelector;
  /** Checks with the API (not the cache) that the owner still exists and is not being deleted. */
  canAdopt(): Promise<void>;
}

export function controllerRefFor(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion, kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * What an owner may claim, read from a store carrying the `controller-uid` index: the objects it
 * controls in its namespace, then the namespace's orphans.
 */
export function claimCandidates<T extends KubeObject>(store: ObjectStore<T>, namespace: string, ownerUid: string): T[] {
  const out = store.byIndex(CONTROLLER_UID_INDEX, ownerUid).filter((o) => o.metadata?.namespace === namespace);
  for (const o of store.byIndex(CONTROLLER_UID_INDEX, orphanIndexValue(namespace))) out.push(o);
  return out;
}

/**
 * Returns the objects the owner controls after adopting and releasing. `objects` need only hold
 * the owner's own objects and its namespace's orphans (see `claimCandidates`); anything else is
 * skipped. Errors are thrown at the end.
 */
export async function claimObjects<T extends KubeObject>(owner: ClaimOwner, objects: T[], client: ResourceClient<T>): Promise<T[]> {
  const claimed: T[] = [];
  const errors: unknown[] = [];
  let adoptCheck: Promise<void> | undefined;
  for (const obj of objects) {
    // Controlled by someone else: not ours to adopt or release, whatever its labels say.
    const ref = controllerOf(obj);
    if (ref && ref.uid !== owner.ref.uid) continue;
    const matches = owner.selector.matches(obj.metadata?.labels ?? {});
    if (ref) {
      if (matches) {
        claimed.push(obj);
        continue;
      }
      if (owner.deleting) continue;
      try {
        await client.patch(obj.metadata?.namespace, obj.metadata!.name!, {
          metadata: { ownerReferences: [{ $patch: 'delete', uid: owner.ref.uid }], uid: obj.metadata?.uid },
        }, 'strategic');
      } catch (e) {
        if (!isNotFound(e)) errors.push(e);
      }
      continue;
    }
    if (owner.deleting || !matches || obj.metadata?.deletionTimestamp) continue;
    if (obj.metadata?.namespace !== owner.namespace) continue;
    try {
      adoptCheck ??= owner.canAdopt();
      await adoptCheck;
      const adopted = await client.patch(obj.metadata?.namespace, obj.metadata!.name!, {
        metadata: { ownerReferences: [owner.ref], uid: obj.metadata?.uid },
      }, 'strategic');
      claimed.push(adopted);
    } catch (e) {
      if (!isNotFound(e)) errors.push(e);
    }
  }
  if (errors.length > 0) throw errors[0];
  return claimed;
}
