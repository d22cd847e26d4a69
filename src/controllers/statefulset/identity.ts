// A StatefulSet pod's stable identity: name `<set>-<ordinal>`, hostname and subdomain, the
// pod-name and pod-index labels, and its claims `<template>-<set>-<ordinal>` mounted as volumes.
import type { OwnerReference } from '../../apimachinery/object.js';
import type { PersistentVolumeClaim, Pod, StatefulSet } from './types.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** On StatefulSet pods it holds the full ControllerRevision name. */
export const REVISION_LABEL = 'controller-revision-hash';

export function controllerRef(set: StatefulSet): OwnerReference {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata?.name ?? '', uid: set.metadata?.uid ?? '',
    controller: true, blockOwnerDeletion: true,
  };
}

export function controllerOf(obj: { metadata?: { ownerReferences?: OwnerReference[] } }): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** `web-3` → `{ parent: 'web', ordinal: 3 }`; -1 when the name has no ordinal. */
export function parentAndOrdinal(name: string | undefined): { parent: string; ordinal: number } {
  const m = /^(.*)-(\d+)$/.exec(name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  return { parent: m[1]!, ordinal: Number.parseInt(m[2]!, 10) };
}

export function ordinalOf(pod: Pod): number {
  return parentAndOrdinal(pod.metadata?.name).ordinal;
}

export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parentAndOrdinal(pod.metadata?.name).parent === set.metadata?.name;
}

export function startOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals?.start ?? 0;
}

export function replicaCount(set: StatefulSet): number {
  return set.spec?.replicas ?? 1;
}

export function inOrdinalRange(set: StatefulSet, ordinal: number): boolean {
  const start = startOrdinal(set);
  return ordinal >= start && ordinal < start + replicaCount(set);
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata?.name}-${ordinal}`;
}

export function claimName(template: string, set: StatefulSet, ordinal: number): string {
  return `${template}-${set.metadata?.name}-${ordinal}`;
}

/** The claims a pod of the set uses, by claim template name. */
export function podClaims(set: StatefulSet, ordinal: number): Map<string, PersistentVolumeClaim> {
  const out = new Map<string, PersistentVolumeClaim>();
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const tname = t.metadata?.name ?? '';
    const claim = structuredClone(t) as PersistentVolumeClaim;
    delete (claim as { status?: unknown }).status;
    claim.apiVersion = 'v1';
    claim.kind = 'PersistentVolumeClaim';
    claim.metadata = {
      ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
      name: claimName(tname, set, ordinal),
      namespace: set.metadata?.namespace,
      labels: { ...(t.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) },
    };
    out.set(tname, claim);
  }
  return out;
}

/** Names, labels, hostname and subdomain of the pod at `ordinal`. */
function setIdentity(set: StatefulSet, pod: Pod, ordinal: number): void {
  const name = podName(set, ordinal);
  const meta = (pod.metadata ??= {});
  meta.name = name;
  meta.namespace = set.metadata?.namespace;
  meta.labels = { ...(meta.labels ?? {}), [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) };
  const spec = (pod.spec ??= { containers: [] });
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
}

/** Claim-template volumes replace template volumes of the same name. */
function setStorage(set: StatefulSet, pod: Pod, ordinal: number): void {
  const spec = (pod.spec ??= { containers: [] });
  const claims = podClaims(set, ordinal);
  if (claims.size === 0) return;
  const volumes = (spec.volumes ?? []).filter((v) => !claims.has(v.name));
  for (const [tname, claim] of claims) volumes.push({ name: tname, persistentVolumeClaim: { claimName: claim.metadata?.name ?? '' } });
  spec.volumes = volumes;
}

/** The pod at `ordinal` built from the set's (current or update) template. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number, revisionName: string): Pod {
  const t = structuredClone(set.spec?.template ?? {});
  const pod: Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      labels: { ...(t.metadata?.labels ?? {}), [REVISION_LABEL]: revisionName },
      ...(t.metadata?.annotations ? { annotations: t.metadata.annotations } : {}),
      ownerReferences: [controllerRef(set)],
    },
    spec: t.spec ?? { containers: [] },
  };
  setIdentity(set, pod, ordinal);
  setStorage(set, pod, ordinal);
  return pod;
}

/** The identity labels a live pod must keep (spec identity fields cannot change after creation). */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = ordinalOf(pod);
  const labels = pod.metadata?.labels ?? {};
  return ordinal >= 0 && isMemberOf(set, pod)
    && labels[POD_NAME_LABEL] === pod.metadata?.name && labels[POD_INDEX_LABEL] === String(ordinal);
}

export function podRevision(pod: Pod): string {
  return pod.metadata?.labels?.[REVISION_LABEL] ?? '';
}
