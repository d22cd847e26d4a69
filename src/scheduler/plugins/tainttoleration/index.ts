// TaintToleration: Filter rejects nodes with a NoSchedule/NoExecute taint the pod does not
// tolerate; Score prefers nodes with fewer untolerated PreferNoSchedule taints.
import type { Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { ClusterEvent, EnqueueExtensions, FilterPlugin, PluginFactory, PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';
import type { CycleState, NodeInfo, NodeScore } from '../../framework/types.js';
import { defaultNormalizeScore } from '../helper/normalize.js';
import { findUntoleratedTaint, tolerationsTolerateTaint } from '../../../api/tolerations.js';

export const NAME = 'TaintToleration';

/** The FailedScheduling reason for a node with an untolerated taint. */
export function errReasonUntoleratedTaint(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}

const PRE_SCORE_KEY = `PreScore${NAME}`;

const scheduleEffect = (t: Taint): boolean => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

export function untoleratedScheduleTaint(pod: Pod, taints: Taint[] | undefined): Taint | undefined {
  if (!taints || taints.length === 0) return undefined;
  return findUntoleratedTaint(taints, pod.spec?.tolerations, scheduleEffect);
}

/** Tolerations that can tolerate PreferNoSchedule taints (those with that effect or none). */
export function preferNoScheduleTolerations(pod: Pod): Toleration[] {
  return (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
}

export function countIntolerablePreferNoSchedule(taints: Taint[] | undefined, tolerations: Toleration[]): number {
  let n = 0;
  for (const taint of taints ?? []) {
    if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, taint)) n++;
  }
  return n;
}

export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;

  filter(_state: CycleState, pod: Pod, node: NodeInfo): Status {
    const taint = untoleratedScheduleTaint(pod, node.taints);
    return taint ? Status.unresolvable(errReasonUntoleratedTaint(taint)) : Status.success();
  }

  preScore(state: CycleState, pod: Pod, _nodes: NodeInfo[]): Status {
    state.write(PRE_SCORE_KEY, preferNoScheduleTolerations(pod));
    return Status.success();
  }

  score(state: CycleState, pod: Pod, node: NodeInfo): { score: number; status: Status } {
    const tolerations = state.read<Toleration[]>(PRE_SCORE_KEY) ?? preferNoScheduleTolerations(pod);
    return { score: countIntolerablePreferNoSchedule(node.taints, tolerations), status: Status.success() };
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): Status {
    defaultNormalizeScore(scores, true);
    return Status.success();
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      { resource: 'Node', action: 'Add' },
      { resource: 'Node', action: 'UpdateNodeTaint' },
      { resource: 'Pod', action: 'Update' },
    ];
  }
}

export const newTaintToleration: PluginFactory = () => new TaintToleration();
