// The binder's rules over claims and volumes, as Kubernetes' PV controller applies them: classes,
// annotations, binding mode, and the smallest Available volume that satisfies a claim.
import type { PersistentVolume as WirePv, PersistentVolumeClaim as WirePvc } from 'kubernetes-types/core/v1.js';
import type { StorageClass as WireSc } from 'kubernetes-types/storage/v1.js';
import { selectorFromLabelSelector, type LabelSelectorSpec } from '../../apimachinery/labels.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { parseQuantity, type Quantity } from '../../apimachinery/quantity.js';

export type Pv = WirePv & KubeObject;
export type Pvc = WirePvc & KubeObject;
export type StorageClass = WireSc & KubeObject;

import {
  ANN_BETA_STORAGE_CLASS, ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER,
} from '../../api/resources/storage/annotations.js';

export {
  ANN_BETA_STORAGE_CLASS, ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER,
};
export const WAIT_FOR_FIRST_CONSUMER = 'WaitForFirstConsumer';

export function claimClass(pvc: Pvc): string {
  return pvc.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pvc.spec?.storageClassName ?? '';
}

export function volumeClass(pv: Pv): string {
  return pv.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pv.spec?.storageClassName ?? '';
}

export function claimKey(pvc: { metadata?: { namespace?: string; name?: string } }): string {
  return `${pvc.metadata?.namespace ?? ''}/${pvc.metadata?.name ?? ''}`;
}

export function hasAnnotation(o: KubeObject, key: string): boolean {
  return o.metadata?.annotations?.[key] !== undefined;
}

/** A claim's class waits for the first pod; an unknown class counts as Immediate. */
export function isDelayBinding(pvc: Pvc, classOf: (name: string) => StorageClass | undefined): boolean {
  const name = claimClass(pvc);
  return !!name && classOf(name)?.volumeBindingMode === WAIT_FOR_FIRST_CONSUMER;
}

/** The claimRef names the claim, and its uid (if set) is the claim's. */
export function isVolumeBoundToClaim(pv: Pv, pvc: Pvc): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref || ref.name !== pvc.metadata?.name || ref.namespace !== pvc.metadata?.namespace) return false;
  return !ref.uid || ref.uid === pvc.metadata?.uid;
}

function storage(q: string | number | undefined): Quantity {
  try {
    return parseQuantity(String(q ?? '0'));
  } catch {
    return parseQuantity('0');
  }
}

export const claimRequest = (pvc: Pvc): Quantity => storage(pvc.spec?.resources?.requests?.storage);
export const volumeCapacity = (pv: Pv): Quantity => storage(pv.spec?.capacity?.storage);

export function volumeModeMismatch(pvc: Pvc, pv: Pv): boolean {
  return (pvc.spec?.volumeMode ?? 'Filesystem') !== (pv.spec?.volumeMode ?? 'Filesystem');
}

function accessModesSatisfied(pvc: Pvc, pv: Pv): boolean {
  const have = new Set(pv.spec?.accessModes ?? []);
  return (pvc.spec?.accessModes ?? []).every((m) => have.has(m));
}

/** Why a volume the claim names cannot serve it, or undefined when it can. */
export function unsatisfiedBy(pvc: Pvc, pv: Pv): string | undefined {
  if (volumeCapacity(pv).cmp(claimRequest(pvc)) < 0) return 'requested PV is too small';
  if (volumeClass(pv) !== claimClass(pvc)) return 'storageClassName does not match';
  if (volumeModeMismatch(pvc, pv)) return 'incompatible volumeMode';
  if (!accessModesSatisfied(pvc, pv)) return 'incompatible accessMode';
  return undefined;
}

/**
 * The volume for an unbound claim: one pre-bound to it, else (unless binding waits for the
 * first consumer, which the scheduler does) the smallest Available volume of its class whose
 * labels, access modes, volume mode and capacity fit.
 */
export function findBestMatch(pvc: Pvc, volumes: Pv[], delayBinding: boolean): Pv | undefined {
  const requested = claimRequest(pvc);
  const cls = claimClass(pvc);
  let selector;
  try {
    selector = pvc.spec?.selector ? selectorFromLabelSelector(pvc.spec.selector as LabelSelectorSpec) : undefined;
  } catch {
    return undefined;
  }
  let best: Pv | undefined;
  for (const pv of volumes) {
    if (pv.spec?.claimRef && !isVolumeBoundToClaim(pv, pvc)) continue;
    const capacity = volumeCapacity(pv);
    if (capacity.cmp(requested) < 0) continue;
    if (volumeModeMismatch(pvc, pv) || pv.metadata?.deletionTimestamp) continue;
    if (isVolumeBoundToClaim(pv, pvc)) return pv;
    if (delayBinding) continue;
    if (pv.status?.phase !== 'Available') continue;
    if (selector && !selector.matches(pv.metadata?.labels ?? {})) continue;
    if (volumeClass(pv) !== cls || !accessModesSatisfied(pvc, pv)) continue;
    if (!best || volumeCapacity(best).cmp(capacity) > 0) best = pv;
  }
  return best;
}
