// NodeUnschedulable: cordoned nodes (spec.unschedulable) take only pods that tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint.
import type { Pod, Taint } from 'kubernetes-types/core/v1.js';
import type { ClusterEvent, EnqueueExtensions, FilterPlugin, PluginFactory } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';
import type { CycleState, NodeInfo } from '../../framework/types.js';
import { tolerationsTolerateTaint } from '../../../api/tolerations.js';

export const NAME = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

const unschedulableTaint: Taint = { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' };

export class NodeUnschedulable implements FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  filter(_state: CycleState, pod: Pod, node: NodeInfo): Status {
    if (!node.unschedulable) return Status.success();
    if (tolerationsTolerateTaint(pod.spec?.tolerations, unschedulableTaint)) return Status.success();
    return Status.unresolvable(ERR_REASON_UNSCHEDULABLE);
  }

  eventsToRegister(): ClusterEvent[] {
    // Uncordoning shows up as a taint change; a pod gaining the toleration as a pod update.
    return [
      { resource: 'Node', action: 'Add' },
      { resource: 'Node', action: 'UpdateNodeTaint' },
      { resource: 'Pod', action: 'Update' },
    ];
  }
}

export const newNodeUnschedulable: PluginFactory = () => new NodeUnschedulable();
