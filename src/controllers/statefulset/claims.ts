// PersistentVolumeClaims from volumeClaimTemplates: created before their pod, and given the owner
// references persistentVolumeClaimRetentionPolicy asks for, so the garbage collector removes them
// with the set (whenDeleted: Delete) or with their pod once it is scaled away (whenScaled: Delete).
import type { OwnerReference } from '../../apimachinery/object.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import type { ObjectStore } from '../../client/informer-types.js';
import type { ResourceClient } from '../../client/rest.js';
import { inOrdinalRange, ordinalOf, podClaims } from './identity.js';
import type { PersistentVolumeClaim, Pod, StatefulSet } from './types.js';

export interface ClaimDeps {
  claims: ResourceClient<PersistentVolumeClaim>;
  claimStore: ObjectStore<PersistentVolumeClaim>;
}

function setOwner(set: StatefulSet): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata?.name ?? '', uid: set.metadata?.uid ?? '' };
}

function podOwner(pod: Pod): OwnerReference {
  return { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' };
}

/** The owner references the retention policy wants on a claim of `pod`. */
export function retentionOwnerRefs(set: StatefulSet, pod: Pod, claim: PersistentVolumeClaim): OwnerReference[] {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  const deleteWithSet = policy.whenDeleted === 'Delete';
  const deleteOnScale = policy.whenScaled === 'Delete';
  const scaledDown = !inOrdinalRange(set, ordinalOf(pod));
  const wantSet = deleteWithSet && !(deleteOnScale && scaledDown);
  // A pod not created yet has no UID to point at.
  const wantPod = deleteOnScale && scaledDown && !!pod.metadata?.uid;
  const setUid = set.metadata?.uid;
  const podUid = pod.metadata?.uid;
  let refs = (claim.metadata?.ownerReferences ?? []).filter((r) => r.uid !== setUid && (!podUid || r.uid !== podUid));
  if (wantSet) refs = [...refs, setOwner(set)];
  if (wantPod) refs = [...refs, podOwner(pod)];
  return refs;
}

function sameRefs(a: OwnerReference[] | undefined, b: OwnerReference[]): boolean {
  const key = (r: OwnerReference) => `${r.uid}`;
  const x = (a ?? []).map(key).sort();
  const y = b.map(key).sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function cached(deps: ClaimDeps, claim: PersistentVolumeClaim): PersistentVolumeClaim | undefined {
  return deps.claimStore.get(`${claim.metadata?.namespace}/${claim.metadata?.name}`);
}

/** Creates the pod's missing claims. A claim still being deleted blocks the pod until it is gone. */
export async function createMissingClaims(deps: ClaimDeps, set: StatefulSet, pod: Pod, onCreated: (name: string) => void): Promise<void> {
  for (const claim of podClaims(set, ordinalOf(pod)).values()) {
    const existing = cached(deps, claim);
    if (existing) {
      if (existing.metadata?.deletionTimestamp) throw new Error(`pvc ${existing.metadata.name} is being deleted`);
      continue;
    }
    const refs = retentionOwnerRefs(set, pod, claim);
    if (refs.length) claim.metadata!.ownerReferences = refs;
    try {
      await deps.claims.create(claim.metadata?.namespace, claim);
      onCreated(claim.metadata?.name ?? '');
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }
}

/** Whether every existing claim of the pod carries the owner references the policy wants. */
export function claimsMatchRetention(deps: ClaimDeps, set: StatefulSet, pod: Pod): boolean {
  for (const claim of podClaims(set, ordinalOf(pod)).values()) {
    const existing = cached(deps, claim);
    if (existing && !sameRefs(existing.metadata?.ownerReferences, retentionOwnerRefs(set, pod, existing))) return false;
  }
  return true;
}

export async function updateClaimsForRetention(deps: ClaimDeps, set: StatefulSet, pod: Pod): Promise<void> {
  for (const claim of podClaims(set, ordinalOf(pod)).values()) {
    const existing = cached(deps, claim);
    if (!existing) continue;
    const refs = retentionOwnerRefs(set, pod, existing);
    if (sameRefs(existing.metadata?.ownerReferences, refs)) continue;
    try {
      await deps.claims.patch(existing.metadata?.namespace, existing.metadata?.name ?? '', {
        metadata: { ownerReferences: refs, resourceVersion: existing.metadata?.resourceVersion },
      }, 'merge');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

/**
 * A claim still owned by an earlier pod of the same name (scaled away, its claim awaiting
 * garbage collection) must not be reused: the new pod waits until the claim is gone.
 */
export function claimIsStale(deps: ClaimDeps, set: StatefulSet, pod: Pod): boolean {
  for (const claim of podClaims(set, ordinalOf(pod)).values()) {
    const existing = cached(deps, claim);
    if (!existing) continue;
    const stale = (existing.metadata?.ownerReferences ?? []).some((r) => r.kind === 'Pod' && r.name === pod.metadata?.name && r.uid !== pod.metadata?.uid);
    if (stale) return true;
  }
  return false;
}
