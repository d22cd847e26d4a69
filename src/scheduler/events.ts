// Which cluster events a node or pod change is, so the queue moves only the unschedulable pods
// the change may help (kube-scheduler's event handlers).
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { ClusterEvent } from './framework/interface.js';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The scheduling-relevant kinds of change between two versions of a node (none for heartbeats). */
export function nodeUpdateEvents(oldNode: Node, node: Node): ClusterEvent[] {
  const ev: ClusterEvent[] = [];
  const add = (action: ClusterEvent['action']): void => { ev.push({ resource: 'Node', action }); };
  if (!same(oldNode.status?.allocatable, node.status?.allocatable)) add('UpdateNodeAllocatable');
  if (!same(oldNode.metadata?.labels, node.metadata?.labels)) add('UpdateNodeLabel');
  if (!same(oldNode.spec?.taints, node.spec?.taints) || !!oldNode.spec?.unschedulable !== !!node.spec?.unschedulable) add('UpdateNodeTaint');
  const conds = (n: Node) => (n.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).sort();
  if (!same(conds(oldNode), conds(node))) add('UpdateNodeCondition');
  return ev;
}

export function isAssigned(pod: Pod): boolean {
  return !!pod.spec?.nodeName;
}

export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/**
 * Resources besides nodes and pods whose changes plugins may register for, with their API kind.
 * The scheduler watches one only when a plugin of its profiles registered an event on it.
 */
export const WATCHED_RESOURCES: Partial<Record<ClusterEvent['resource'], { apiVersion: string; kind: string }>> = {
  PersistentVolumeClaim: { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  PersistentVolume: { apiVersion: 'v1', kind: 'PersistentVolume' },
  StorageClass: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' },
};

export const POD_ADD: ClusterEvent = { resource: 'Pod', action: 'Add' };
export const POD_DELETE: ClusterEvent = { resource: 'Pod', action: 'Delete' };
export const NODE_ADD: ClusterEvent = { resource: 'Node', action: 'Add' };
export const NODE_DELETE: ClusterEvent = { resource: 'Node', action: 'Delete' };

/** UpdatePodLabel when only labels changed in a way scheduling reads; Update otherwise. */
export function podUpdateEvent(oldPod: Pod, pod: Pod): ClusterEvent {
  return !same(oldPod.metadata?.labels, pod.metadata?.labels) ? { resource: 'Pod', action: 'UpdatePodLabel' } : { resource: 'Pod', action: 'Update' };
}
