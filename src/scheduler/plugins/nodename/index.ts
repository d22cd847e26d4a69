// NodeName: a pod that names its node (spec.nodeName) fits only that node.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ClusterEvent, EnqueueExtensions, FilterPlugin, PluginFactory } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';
import type { CycleState, NodeInfo } from '../../framework/types.js';

export const NAME = 'NodeName';
export const ERR_REASON = "node(s) didn't match the requested node name";

export function fitsNodeName(pod: Pod, nodeName: string): boolean {
  const wanted = pod.spec?.nodeName;
  return !wanted || wanted === nodeName;
}

export class NodeName implements FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  filter(_state: CycleState, pod: Pod, node: NodeInfo): Status {
    return fitsNodeName(pod, node.name) ? Status.success() : Status.unresolvable(ERR_REASON);
  }

  eventsToRegister(): ClusterEvent[] {
    return [{ resource: 'Node', action: 'Add' }];
  }
}

export const newNodeName: PluginFactory = () => new NodeName();
