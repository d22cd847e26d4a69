// Node heartbeats as this controller observes them, and the conditions of a node gone silent.
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';

/** The conditions a kubelet reports that go Unknown when it stops reporting. */
export const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
export const REASON_UNKNOWN = 'NodeStatusUnknown';
export const MESSAGE_UNKNOWN = 'Kubelet stopped posting node status.';
export const REASON_NEVER_UPDATED = 'NodeStatusNeverUpdated';
export const MESSAGE_NEVER_UPDATED = 'Kubelet never posted node status.';

/**
 * What was last seen of a node's heartbeats, and when (on this controller's clock) they last
 * moved. Judging silence by our own clock, as Kubernetes does, keeps clock skew between a node and
 * the control plane out of the decision.
 */
export interface Heartbeat {
  heartbeatTime: string;
  renewTime: string;
  observedAt: number;
}

export function observe(prev: Heartbeat | undefined, heartbeatTime: string, renewTime: string, now: number): Heartbeat {
  if (!prev) return { heartbeatTime, renewTime, observedAt: now };
  const moved = heartbeatTime !== prev.heartbeatTime || (renewTime !== '' && renewTime !== prev.renewTime);
  return moved ? { heartbeatTime, renewTime, observedAt: now } : prev;
}

/**
 * The node's conditions with every kubelet-reported one set to Unknown; undefined when they
 * already all are. Heartbeat times stay those the kubelet last wrote.
 */
export function unknownConditions(node: Node, nowIso: string): NodeCondition[] | undefined {
  const conds = [...(node.status?.conditions ?? [])];
  let changed = false;
  for (const type of KUBELET_CONDITIONS) {
    const i = conds.findIndex((c) => c.type === type);
    if (i < 0) {
      conds.push({
        type, status: 'Unknown', reason: REASON_NEVER_UPDATED, message: MESSAGE_NEVER_UPDATED,
        lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: nowIso,
      });
      changed = true;
    } else if (conds[i]!.status !== 'Unknown') {
      conds[i] = { ...conds[i]!, status: 'Unknown', reason: REASON_UNKNOWN, message: MESSAGE_UNKNOWN, lastTransitionTime: nowIso };
      changed = true;
    }
  }
  return changed ? conds : undefined;
}
