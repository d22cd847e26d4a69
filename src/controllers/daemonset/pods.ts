// Daemon pods: building one for a node, and the readiness questions the controller asks of them.
import type { DaemonSet, Pod } from './types.js';
import type { OwnerReference } from '../../apimachinery/object.js';
import { daemonPodTolerations, pinToNode } from './placement.js';

/** Pod and ControllerRevision label naming the template revision (Kubernetes' DefaultDaemonSetUniqueLabelKey). */
export const REVISION_HASH_LABEL = 'controller-revision-hash';
/** Legacy label carrying the DaemonSet generation the pod was made from; Kubernetes still writes it. */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

export function controllerRef(ds: DaemonSet): OwnerReference {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata?.name ?? '', uid: ds.metadata?.uid ?? '',
    controller: true, blockOwnerDeletion: true,
  };
}

export function controllerOf(obj: { metadata?: { ownerReferences?: OwnerReference[] } }): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/**
 * A pod for `nodeName`. It carries the required node affinity on `metadata.name` that Kubernetes'
 * DaemonSet controller sets for the scheduler to bind it, and also `spec.nodeName` directly, so
 * the pod runs even where no scheduler binds pods (the node agent only looks at `nodeName`).
 */
export function newDaemonPod(ds: DaemonSet, nodeName: string, hash: string): Pod {
  const template = structuredClone(ds.spec?.template ?? {});
  const labels: Record<string, string> = { ...(template.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash };
  if (ds.metadata?.generation !== undefined) labels[TEMPLATE_GENERATION_LABEL] = String(ds.metadata.generation);
  const spec = template.spec ?? { containers: [] };
  spec.tolerations = daemonPodTolerations(spec);
  spec.affinity = pinToNode(spec.affinity, nodeName);
  spec.nodeName = nodeName;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      generateName: `${ds.metadata?.name}-`,
      namespace: ds.metadata?.namespace,
      labels,
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [controllerRef(ds)],
    },
    spec,
  };
}

export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Ready for at least `minReadySeconds`. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const since = ready?.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Bound pods first, then oldest first, then by name: the order Kubernetes keeps the first of. */
export function byCreationAndBinding(a: Pod, b: Pod): number {
  const boundA = a.spec?.nodeName ? 0 : 1;
  const boundB = b.spec?.nodeName ? 0 : 1;
  if (boundA !== boundB) return boundA - boundB;
  const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}
