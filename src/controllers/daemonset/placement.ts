// Which nodes a DaemonSet's pods belong on: the template's node name, node selector and required
// node affinity must fit the node, and every NoSchedule/NoExecute taint must be tolerated — with
// the tolerations Kubernetes adds to every daemon pod so that node conditions do not evict them.
import type { DaemonSet, Node, Pod } from './types.js';
import type { Affinity, PodSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { podMatchesRequiredNodeAffinity } from '../../api/node-selector.js';
import { findUntoleratedTaint } from '../../api/tolerations.js';

/** The field a daemon pod's required node affinity pins it to a node with. */
export const NODE_NAME_FIELD = 'metadata.name';

const notReady = 'node.kubernetes.io/not-ready';
const unreachable = 'node.kubernetes.io/unreachable';

/**
 * The tolerations every daemon pod gets: it survives its node going not-ready or unreachable (no
 * tolerationSeconds, so never evicted for it), and it lands on nodes under pressure or cordoned,
 * because a node's daemons are part of what makes it work. Host-network pods also tolerate a node
 * whose pod network is not up yet.
 */
export function daemonPodTolerations(spec: PodSpec | undefined): Toleration[] {
  const added: Toleration[] = [
    { key: notReady, operator: 'Exists', effect: 'NoExecute' },
    { key: unreachable, operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec?.hostNetwork) added.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const out = [...(spec?.tolerations ?? [])];
  for (const t of added) {
    // Replace a user toleration of the same key and effect, as Kubernetes does.
    const i = out.findIndex((o) => o.key === t.key && o.effect === t.effect);
    if (i >= 0) out[i] = t;
    else out.push(t);
  }
  return out;
}

/** `spec.nodeSelector` and the required node affinity together. */
function fitsNodeAffinity(spec: PodSpec | undefined, node: Node): boolean {
  return podMatchesRequiredNodeAffinity({ spec } as Pod, node);
}

export interface Placement {
  /** A daemon pod should be created on the node if missing. */
  shouldRun: boolean;
  /** An existing daemon pod may stay (a NoSchedule taint added later does not evict it). */
  shouldContinueRunning: boolean;
}

export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): Placement {
  const spec = ds.spec?.template?.spec;
  const nodeName = node.metadata?.name ?? '';
  if (spec?.nodeName && spec.nodeName !== nodeName) return { shouldRun: false, shouldContinueRunning: false };
  if (!fitsNodeAffinity(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonPodTolerations(spec);
  const taints = node.spec?.taints;
  if (findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')) {
    const evicting = findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute');
    return { shouldRun: false, shouldContinueRunning: !evicting };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/**
 * Pins a pod to one node the way Kubernetes' DaemonSet controller does: the required node
 * affinity becomes a single term matching the node's `metadata.name` (the node already passed the
 * template's own terms). Preferred terms and pod (anti-)affinity are kept.
 */
export function pinToNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const out: Affinity = structuredClone(affinity ?? {});
  const nodeAffinity = (out.nodeAffinity ??= {});
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: [{ matchFields: [{ key: NODE_NAME_FIELD, operator: 'In', values: [nodeName] }] }],
  };
  return out;
}

/** The node a daemon pod is on, or is pinned to by its node affinity when not yet bound. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length !== 1) return undefined;
  for (const f of terms[0]!.matchFields ?? []) {
    if (f.key === NODE_NAME_FIELD && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}
