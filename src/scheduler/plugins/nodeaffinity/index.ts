// NodeAffinity: the pod's nodeSelector and required node affinity (plus an affinity the scheduler
// profile adds, `addedAffinity`) must match the node; preferred terms score it.
import type { NodeAffinity as NodeAffinitySpec, NodeSelector, NodeSelectorTerm, Pod, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import type { ClusterEvent, EnqueueExtensions, FilterPlugin, PluginFactory, PreFilterPlugin, PreFilterResult, PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';
import type { CycleState, NodeInfo, NodeScore } from '../../framework/types.js';
import { defaultNormalizeScore } from '../helper/normalize.js';
import { nodeSelectorMatches, nodeSelectorTermMatches, podMatchesRequiredNodeAffinity } from '../../../api/node-selector.js';

export const NAME = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';

export interface NodeAffinityArgs {
  /** Applied to every pod of the profile, in addition to the pod's own affinity. */
  addedAffinity?: NodeAffinitySpec;
}

const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

/**
 * The node names the required terms restrict the pod to through `metadata.name In (...)`, or
 * undefined when some term does not restrict names (terms are ORed, so every node may match).
 */
export function nodeNamesFromTerms(terms: NodeSelectorTerm[]): Set<string> | undefined {
  let names: Set<string> | undefined;
  for (const term of terms) {
    let termNames: Set<string> | undefined;
    for (const r of term.matchFields ?? []) {
      if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
      const s = new Set(r.values ?? []);
      // Requirements within a term are ANDed: intersect.
      termNames = termNames === undefined ? s : new Set([...termNames].filter((n) => s.has(n)));
    }
    if (termNames === undefined) return undefined;
    names ??= new Set();
    for (const n of termNames) names.add(n);
  }
  return names;
}

export function preferredScore(terms: PreferredSchedulingTerm[], node: NodeInfo['node']): number {
  let score = 0;
  for (const t of terms) {
    if (t.weight !== 0 && nodeSelectorTermMatches(t.preference, node)) score += t.weight;
  }
  return score;
}

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;
  private readonly addedRequired?: NodeSelector;
  private readonly addedPreferred: PreferredSchedulingTerm[];

  constructor(args: NodeAffinityArgs = {}) {
    this.addedRequired = args.addedAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    this.addedPreferred = args.addedAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  }

  preFilter(state: CycleState, pod: Pod, _nodes: NodeInfo[]): { result?: PreFilterResult; status: Status } {
    const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    const hasSelector = Object.keys(pod.spec?.nodeSelector ?? {}).length > 0;
    if (!required && !hasSelector && !this.addedRequired) return { status: Status.skip() };
    state.write(PRE_FILTER_KEY, true);
    if (!required) return { status: Status.success() };
    const names = nodeNamesFromTerms(required.nodeSelectorTerms);
    if (names === undefined) return { status: Status.success() };
    if (names.size === 0) return { status: Status.unresolvable(ERR_REASON_CONFLICT) };
    return { result: { nodeNames: names }, status: Status.success() };
  }

  filter(_state: CycleState, pod: Pod, node: NodeInfo): Status {
    if (this.addedRequired && !nodeSelectorMatches(this.addedRequired, node.node)) return Status.unresolvable(ERR_REASON_ENFORCED);
    return podMatchesRequiredNodeAffinity(pod, node.node) ? Status.success() : Status.unresolvable(ERR_REASON_POD);
  }

  private preferredTerms(pod: Pod): PreferredSchedulingTerm[] {
    return [...(pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []), ...this.addedPreferred];
  }

  preScore(state: CycleState, pod: Pod, _nodes: NodeInfo[]): Status {
    const terms = this.preferredTerms(pod);
    if (terms.length === 0) return Status.skip();
    state.write(PRE_SCORE_KEY, terms);
    return Status.success();
  }

  score(state: CycleState, pod: Pod, node: NodeInfo): { score: number; status: Status } {
    const terms = state.read<PreferredSchedulingTerm[]>(PRE_SCORE_KEY) ?? this.preferredTerms(pod);
    return { score: preferredScore(terms, node.node), status: Status.success() };
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): Status {
    defaultNormalizeScore(scores, false);
    return Status.success();
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      { resource: 'Node', action: 'Add' },
      { resource: 'Node', action: 'UpdateNodeLabel' },
      { resource: 'Pod', action: 'Update' },
    ];
  }
}

export const newNodeAffinity: PluginFactory = (args) => new NodeAffinity((args ?? {}) as NodeAffinityArgs);
