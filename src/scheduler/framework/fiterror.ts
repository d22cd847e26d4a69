// The "0/3 nodes are available: …" message of a pod that fits no node, built as kube-scheduler's
// FitError does: each reason counted over the nodes, "<count> <reason>" sorted as strings.
import type { NodeToStatus } from './interface.js';

export const NO_NODE_AVAILABLE = (n: number): string => `0/${n} nodes are available`;

/** "1 node(s) had untolerated taint {a: b}, 2 Insufficient cpu" */
export function reasonHistogram(statuses: Iterable<{ reasons: string[] }>): string {
  const counts = new Map<string, number>();
  for (const s of statuses) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${n} ${r}`).sort().join(', ');
}

export interface Diagnosis {
  nodeToStatus: NodeToStatus;
  /** Set when a PreFilter plugin rejected the pod for every node. */
  preFilterMsg?: string;
  /** The PostFilter plugins' message (e.g. "preemption: 0/3 nodes are available: …"). */
  postFilterMsg?: string;
  /** Plugins that rejected the pod (for the queue's event matching). */
  unschedulablePlugins: Set<string>;
}

export class FitError extends Error {
  constructor(readonly numAllNodes: number, readonly diagnosis: Diagnosis) {
    super('');
    this.name = 'FitError';
    this.message = fitErrorMessage(numAllNodes, diagnosis);
  }
}

/** Kubernetes' message when the cluster has no nodes at all (no filters or preemption run then). */
export const ERR_NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export function fitErrorMessage(numAllNodes: number, d: Omit<Diagnosis, 'unschedulablePlugins'>): string {
  if (numAllNodes === 0) return ERR_NO_NODES_AVAILABLE;
  let msg = `${NO_NODE_AVAILABLE(numAllNodes)}:`;
  if (d.preFilterMsg) msg += ` ${d.preFilterMsg}.`;
  else {
    const hist = reasonHistogram(d.nodeToStatus.values());
    if (hist) msg += ` ${hist}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
  return msg;
}
