// Adoption and release by controller ownerReference, as Kubernetes' ControllerRefManager does:
// an owner claims the orphans its selector matches and lets go of what it owns but no longer
// matches; objects controlled by someone else are left alone.
import type { KubeObject, OwnerReference } from '../../apimachinery/object.js';
import type { LabelSelector } from '../../apimachinery/labels.js';
import type { ResourceClient } from '../../client/rest.js';
import { isNotFound } from '../../client/errors.js';
import { controllerOf } from './pods.js';

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

/** Returns the objects the owner controls after adopting and releasing. Errors are thrown at the end. */
export async function claimObjects<T extends KubeObject>(owner: ClaimOwner, objects: T[], client: ResourceClient<T>): Promise<T[]> {
  const claimed: T[] = [];
  const errors: unknown[] = [];
  let adoptCheck: Promise<void> | undefined;
  for (const obj of objects) {
    const labels = obj.metadata?.labels ?? {};
    const matches = owner.selector.matches(labels);
    const ref = controllerOf(obj);
    if (ref) {
      if (ref.uid !== owner.ref.uid) continue;
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
