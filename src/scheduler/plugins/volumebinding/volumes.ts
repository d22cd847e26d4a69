// Pure PV/PVC matching rules the scheduler shares with the PV controller in Kubernetes: storage
// classes, node affinity, binding annotations and the smallest Available volume that fits a claim.
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, TopologySelectorTerm, Volume } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { parseQuantity, type Quantity } from '../../../apimachinery/quantity.js';
import { selectorFromLabelSelector, type LabelSelectorSpec } from '../../../apimachinery/labels.js';
import { nodeSelectorMatches } from '../../../api/node-selector.js';

import { ANN_BETA_STORAGE_CLASS, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE } from '../../../api/resources/storage/annotations.js';

export { ANN_BETA_STORAGE_CLASS, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE };
/** A provisioner name that says the class cannot provision volumes (local volumes). */
export const NOT_SUPPORTED_PROVISIONER = 'kubernetes.io/no-provisioner';
export const WAIT_FOR_FIRST_CONSUMER = 'WaitForFirstConsumer';

/** A PVC the pod uses through one of its volumes; generic ephemeral volumes name theirs `<pod>-<volume>`. */
export interface ClaimRef { name: string; ephemeral: boolean }

export function ephemeralClaimName(pod: Pod, volume: Volume): string {
  return `${pod.metadata?.name ?? ''}-${volume.name}`;
}

/** The pod's PVC references in volume order, each claim once. */
export function podClaimRefs(pod: Pod): ClaimRef[] {
  const refs: ClaimRef[] = [];
  const seen = new Set<string>();
  for (const v of pod.spec?.volumes ?? []) {
    let ref: ClaimRef;
    if (v.persistentVolumeClaim) ref = { name: v.persistentVolumeClaim.claimName, ephemeral: false };
    else if (v.ephemeral) ref = { name: ephemeralClaimName(pod, v), ephemeral: true };
    else continue;
    if (seen.has(ref.name)) continue;
    seen.add(ref.name);
    refs.push(ref);
  }
  return refs;
}

/** An ephemeral volume's PVC must be controlled by the pod, so a same-named PVC of someone else is not used. */
export function claimIsForPod(pod: Pod, pvc: PersistentVolumeClaim): boolean {
  if (pvc.metadata?.namespace !== pod.metadata?.namespace) return false;
  const owner = (pvc.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  return !!owner && owner.uid === pod.metadata?.uid;
}

export function claimClass(pvc: PersistentVolumeClaim): string {
  const ann = pvc.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS];
  return ann ?? pvc.spec?.storageClassName ?? '';
}

export function volumeClass(pv: PersistentVolume): string {
  const ann = pv.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS];
  return ann ?? pv.spec?.storageClassName ?? '';
}

/** Bound as the scheduler counts it: a volume name and the PV controller's bind-completed mark. */
export function isClaimFullyBound(pvc: PersistentVolumeClaim): boolean {
  return !!pvc.spec?.volumeName && pvc.metadata?.annotations?.[ANN_BIND_COMPLETED] !== undefined;
}

/**
 * Whether binding waits for the first pod. No class or an unknown class mean Immediate; a known
 * class without a binding mode is an error, as Kubernetes reports it.
 */
export function isDelayBindingMode(pvc: PersistentVolumeClaim, classOf: (name: string) => StorageClass | undefined): boolean {
  const name = claimClass(pvc);
  if (!name) return false;
  const sc = classOf(name);
  if (!sc) return false;
  if (!sc.volumeBindingMode) throw new Error(`VolumeBindingMode not set for StorageClass "${name}"`);
  return sc.volumeBindingMode === WAIT_FOR_FIRST_CONSUMER;
}

/** The PV's required node affinity (none: every node). */
export function volumeNodeAffinityMatches(pv: PersistentVolume, node: Node): boolean {
  const required = pv.spec?.nodeAffinity?.required;
  return !required || nodeSelectorMatches(required, node);
}

/** A class's allowedTopologies: no terms allow every node; an empty term allows none. */
export function topologyTermsMatch(terms: TopologySelectorTerm[] | undefined, labels: Record<string, string>): boolean {
  if (!terms || terms.length === 0) return true;
  return terms.some((t) => {
    const exprs = t.matchLabelExpressions ?? [];
    return exprs.length > 0 && exprs.every((e) => Object.prototype.hasOwnProperty.call(labels, e.key) && e.values.includes(labels[e.key]!));
  });
}

export function isVolumeBoundToClaim(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== pvc.metadata?.name || ref.namespace !== pvc.metadata?.namespace) return false;
  return !ref.uid || ref.uid === pvc.metadata?.uid;
}

const ZERO = parseQuantity('0');

function storageOf(q: string | number | undefined): Quantity {
  if (q === undefined) return ZERO;
  try { return parseQuantity(String(q)); } catch { return ZERO; }
}

export function claimRequest(pvc: PersistentVolumeClaim): Quantity {
  return storageOf(pvc.spec?.resources?.requests?.storage);
}

export function volumeCapacity(pv: PersistentVolume): Quantity {
  return storageOf(pv.spec?.capacity?.storage);
}

/** Claims by increasing storage request, so the smallest claims pick their volumes first. */
export function sortBySize(claims: PersistentVolumeClaim[]): PersistentVolumeClaim[] {
  return [...claims].sort((a, b) => claimRequest(a).cmp(claimRequest(b)));
}

function accessModesSatisfied(pvc: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  const have = new Set(pv.spec?.accessModes ?? []);
  return (pvc.spec?.accessModes ?? []).every((m) => have.has(m));
}

function volumeModeMismatch(pvc: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  return (pvc.spec?.volumeMode ?? 'Filesystem') !== (pv.spec?.volumeMode ?? 'Filesystem');
}

/**
 * The volume for an unbound claim on `node`: a volume pre-bound to the claim (if its node affinity
 * allows the node), else the smallest Available one of the claim's class whose labels, access
 * modes, volume mode, capacity and node affinity fit. `excluded` holds volumes other claims of
 * the same pod took already.
 */
export function findMatchingVolume(pvc: PersistentVolumeClaim, pvs: PersistentVolume[], node: Node, excluded: Set<string>): PersistentVolume | undefined {
  const requested = claimRequest(pvc);
  const cls = claimClass(pvc);
  const selector = pvc.spec?.selector ? selectorFromLabelSelector(pvc.spec.selector as LabelSelectorSpec) : undefined;
  let smallest: PersistentVolume | undefined;
  let smallestQty: Quantity | undefined;
  for (const pv of pvs) {
    const name = pv.metadata?.name ?? '';
    if (excluded.has(name)) continue;
    if (pv.spec?.claimRef && !isVolumeBoundToClaim(pv, pvc)) continue;
    const qty = volumeCapacity(pv);
    if (qty.cmp(requested) < 0) continue;
    if (volumeModeMismatch(pvc, pv)) continue;
    if (pv.metadata?.deletionTimestamp) continue;
    const affinityOk = volumeNodeAffinityMatches(pv, node);
    if (isVolumeBoundToClaim(pv, pvc)) return affinityOk ? pv : undefined;
    if (pv.status?.phase !== 'Available') continue;
    if (selector && !selector.matches(pv.metadata?.labels ?? {})) continue;
    if (volumeClass(pv) !== cls || !affinityOk || !accessModesSatisfied(pvc, pv)) continue;
    if (!smallest || smallestQty!.cmp(qty) > 0) { smallest = pv; smallestQty = qty; }
  }
  return smallest;
}

/** The PV with its claimRef pointing at the claim (and marked bound by controller), as binding writes it. */
export function bindVolumeToClaim(pv: PersistentVolume, pvc: PersistentVolumeClaim): { pv: PersistentVolume; dirty: boolean } {
  const prebound = isVolumeBoundToClaim(pv, pvc);
  const clone = structuredClone(pv);
  let dirty = false;
  const ref = pv.spec?.claimRef;
  const m = pvc.metadata ?? {};
  if (!ref || ref.name !== m.name || ref.namespace !== m.namespace || ref.uid !== m.uid) {
    (clone.spec ??= {}).claimRef = {
      kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion,
    };
    dirty = true;
  }
  const ann = clone.metadata?.annotations ?? {};
  if (!prebound && ann[ANN_BOUND_BY_CONTROLLER] === undefined) {
    (clone.metadata ??= {}).annotations = { ...ann, [ANN_BOUND_BY_CONTROLLER]: 'yes' };
    dirty = true;
  }
  return { pv: clone, dirty };
}
