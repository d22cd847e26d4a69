// PrioritySort: the default QueueSort — higher pod priority first, then earlier queue timestamp.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PluginFactory, QueuedPodInfo, QueueSortPlugin } from '../../framework/interface.js';

export const NAME = 'PrioritySort';

export function podPriority(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

export class PrioritySort implements QueueSortPlugin {
  readonly name = NAME;

  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    const pa = podPriority(a.pod);
    const pb = podPriority(b.pod);
    return pa > pb || (pa === pb && a.timestamp < b.timestamp);
  }
}

export const newPrioritySort: PluginFactory = () => new PrioritySort();
