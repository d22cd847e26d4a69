// InterPodAffinity: required pod affinity and anti-affinity (the incoming pod's terms against
// existing pods, and existing pods' required anti-affinity against the incoming pod), and scoring
// from preferred terms, as kube-scheduler's plugin of the same name.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type {
  ClusterEvent,
  EnqueueExtensions,
  FilterPlugin,
  Handle,
  PluginFactory,
  PreFilterPlugin,
  PreFilterResult,
  PreScorePlugin,
  ScorePlugin,
} from '../../framework/interface.js';
import { Status } from '../../framework/status.js';
import type { CycleState, NodeInfo, NodeInfoLister, NodeScore } from '../../framework/types.js';
import {
  cloneState,
  computePreFilterState,
  satisfiesExistingPodsAntiAffinity,
  satisfiesPodAffinity,
  satisfiesPodAntiAffinity,
  updateWithPod,
  type PreFilterState,
} from './filtering.js';
import { computePreScoreState, normalizeScores, scoreNode, type PreScoreState } from './scoring.js';
import { defaultNamespaceLabels, type NamespaceLabels } from './terms.js';

export const NAME = 'InterPodAffinity';
export const REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";
export const REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";

const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

export interface InterPodAffinityArgs {
  /** Score an existing pod's required affinity term matching the incoming pod contributes (0..100; default 1). */
  hardPodAffinityWeight?: number;
  /** Skip scoring entirely when the incoming pod has no preferred terms (default false). */
  ignorePreferredTermsOfExistingPods?: boolean;
  /**
   * Labels of a namespace, for terms' namespaceSelector. Without it a namespace is known only by
   * its `kubernetes.io/metadata.name` label, so `{}` (all namespaces) and name selectors work.
   */
  namespaceLabels?: NamespaceLabels;
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;
  private readonly hardPodAffinityWeight: number;
  private readonly ignorePreferredTermsOfExistingPods: boolean;
  private readonly namespaceLabels: NamespaceLabels;

  constructor(args: InterPodAffinityArgs, private readonly lister: () => NodeInfoLister) {
    this.hardPodAffinityWeight = args.hardPodAffinityWeight ?? 1;
    this.ignorePreferredTermsOfExistingPods = args.ignorePreferredTermsOfExistingPods ?? false;
    this.namespaceLabels = args.namespaceLabels ?? defaultNamespaceLabels;
  }

  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): { result?: PreFilterResult; status: Status } {
    let s: PreFilterState | undefined;
    try {
      const l = this.lister();
      s = computePreFilterState(pod, nodes, this.namespaceLabels, l.list() === nodes ? l.havePodsWithRequiredAntiAffinity() : undefined);
    } catch (e) {
      return { status: Status.error(`parsing pod affinity terms: ${(e as Error).message}`) };
    }
    if (!s) return { status: Status.skip() };
    state.write(PRE_FILTER_KEY, s);
    return { status: Status.success() };
  }

  addPod(state: CycleState, _pod: Pod, podToAdd: Pod, node: NodeInfo): Status {
    return this.update(state, podToAdd, node, 1);
  }

  removePod(state: CycleState, _pod: Pod, podToRemove: Pod, node: NodeInfo): Status {
    return this.update(state, podToRemove, node, -1);
  }

  // Copy on write: a cloned CycleState shares the original's values.
  private update(state: CycleState, pod: Pod, node: NodeInfo, delta: number): Status {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (!s) return Status.success();
    const next = cloneState(s);
    updateWithPod(next, pod, node.node, this.namespaceLabels, delta);
    state.write(PRE_FILTER_KEY, next);
    return Status.success();
  }

  filter(state: CycleState, _pod: Pod, node: NodeInfo): Status {
    // No state means PreFilter skipped: nothing constrains this pod.
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (!s) return Status.success();
    if (!satisfiesPodAffinity(s, node.node)) return Status.unresolvable(REASON_AFFINITY_RULES_NOT_MATCH);
    if (!satisfiesPodAntiAffinity(s, node.node)) return Status.unschedulable(REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
    if (!satisfiesExistingPodsAntiAffinity(s, node.node)) return Status.unschedulable(REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
    return Status.success();
  }

  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status {
    if (nodes.length === 0) return Status.skip();
    let s: PreScoreState | undefined;
    try {
      const l = this.lister();
      s = computePreScoreState(pod, l.list(), {
        hardPodAffinityWeight: this.hardPodAffinityWeight,
        ignorePreferredTermsOfExistingPods: this.ignorePreferredTermsOfExistingPods,
        namespaceLabels: this.namespaceLabels,
      }, l.havePodsWithAffinity());
    } catch (e) {
      return Status.error(`parsing pod affinity terms: ${(e as Error).message}`);
    }
    if (!s) return Status.skip();
    state.write(PRE_SCORE_KEY, s);
    return Status.success();
  }

  score(state: CycleState, _pod: Pod, node: NodeInfo): { score: number; status: Status } {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    return { score: s ? scoreNode(s, node.node) : 0, status: Status.success() };
  }

  normalizeScore(state: CycleState, _pod: Pod, scores: NodeScore[]): Status {
    if (state.read<PreScoreState>(PRE_SCORE_KEY)) normalizeScores(scores);
    return Status.success();
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      { resource: 'Pod', action: 'Add' },
      { resource: 'Pod', action: 'Delete' },
      { resource: 'Pod', action: 'UpdatePodLabel' },
      { resource: 'Node', action: 'Add' },
      { resource: 'Node', action: 'UpdateNodeLabel' },
    ];
  }
}

export const newInterPodAffinity: PluginFactory = (args, handle: Handle) => {
  const a = (args ?? {}) as InterPodAffinityArgs;
  const w = a.hardPodAffinityWeight;
  if (w !== undefined && (!Number.isInteger(w) || w < 0 || w > 100)) {
    throw new Error(`${NAME}: hardPodAffinityWeight must be an integer in 0..100, got ${w}`);
  }
  return new InterPodAffinity(a, () => handle.snapshot());
};
