// The per-node decision: bound claims' volumes must allow the node; unbound WaitForFirstConsumer
// claims need an Available volume there, or a class that can provision one for the node.
import type { Node, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import {
  ANN_SELECTED_NODE, NOT_SUPPORTED_PROVISIONER, claimClass, findMatchingVolume, sortBySize, topologyTermsMatch, volumeNodeAffinityMatches,
} from './volumes.js';

export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';

/** The pod's claims as PreFilter sorted them. */
export interface PodVolumeClaims {
  bound: PersistentVolumeClaim[];
  /** Unbound claims whose class waits for the first consumer. */
  delayed: PersistentVolumeClaim[];
  /** Class name → its PVs, for the delayed claims. */
  volumesByClass: Map<string, PersistentVolume[]>;
}

export interface StaticBinding { pvc: PersistentVolumeClaim; pv: PersistentVolume }

/** What binding the pod's volumes on one node takes. */
export interface PodVolumes {
  staticBindings: StaticBinding[];
  dynamicProvisions: PersistentVolumeClaim[];
}

export interface BinderLookup {
  volume(name: string): PersistentVolume | undefined;
  storageClass(name: string): StorageClass | undefined;
}

/** Can the class provision a volume reachable from the node? Errors are reported, not reasons. */
function canProvision(claim: PersistentVolumeClaim, node: Node, lookup: BinderLookup): boolean {
  const ns = claim.metadata?.namespace ?? '';
  const className = claimClass(claim);
  if (!className) throw new Error(`no class for claim "${ns}/${claim.metadata?.name ?? ''}"`);
  const sc = lookup.storageClass(className);
  if (!sc) throw new Error(`failed to find storage class "${className}"`);
  if (!sc.provisioner || sc.provisioner === NOT_SUPPORTED_PROVISIONER) return false;
  return topologyTermsMatch(sc.allowedTopologies, node.metadata?.labels ?? {});
}

/**
 * The volumes to bind or provision for the pod on `node`, or the reasons the node cannot serve
 * them (in Kubernetes' order). Throws on errors that are not the node's fault (a missing class).
 */
export function findPodVolumes(claims: PodVolumeClaims, node: Node, lookup: BinderLookup): { podVolumes: PodVolumes; reasons: string[] } {
  const podVolumes: PodVolumes = { staticBindings: [], dynamicProvisions: [] };
  let boundSatisfied = true;
  let boundFound = true;
  let unboundSatisfied = true;
  const reasons = (): string[] => [
    ...(boundSatisfied ? [] : [ERR_REASON_NODE_CONFLICT]),
    ...(unboundSatisfied ? [] : [ERR_REASON_BIND_CONFLICT]),
    ...(boundFound ? [] : [ERR_REASON_PV_NOT_EXIST]),
  ];

  for (const pvc of claims.bound) {
    const pv = lookup.volume(pvc.spec?.volumeName ?? '');
    if (!pv) { boundFound = false; break; }
    if (!volumeNodeAffinityMatches(pv, node)) { boundSatisfied = false; break; }
  }

  if (claims.delayed.length > 0) {
    const toMatch: PersistentVolumeClaim[] = [];
    const toProvision: PersistentVolumeClaim[] = [];
    for (const pvc of claims.delayed) {
      const selected = pvc.metadata?.annotations?.[ANN_SELECTED_NODE];
      if (selected === undefined) { toMatch.push(pvc); continue; }
      // Provisioning for another node has started already.
      if (selected !== node.metadata?.name) { unboundSatisfied = false; return { podVolumes, reasons: reasons() }; }
      toProvision.push(pvc);
    }
    const chosen = new Set<string>();
    for (const pvc of sortBySize(toMatch)) {
      const pv = findMatchingVolume(pvc, claims.volumesByClass.get(claimClass(pvc)) ?? [], node, chosen);
      if (!pv) { toProvision.push(pvc); unboundSatisfied = false; continue; }
      chosen.add(pv.metadata?.name ?? '');
      podVolumes.staticBindings.push({ pvc, pv });
    }
    if (toProvision.length > 0) {
      unboundSatisfied = toProvision.every((pvc) => canProvision(pvc, node, lookup));
      if (unboundSatisfied) podVolumes.dynamicProvisions = toProvision;
    }
  }
  return { podVolumes, reasons: reasons() };
}
