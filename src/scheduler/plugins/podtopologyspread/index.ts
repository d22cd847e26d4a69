// PodTopologySpread: DoNotSchedule constraints filter nodes whose domain would exceed maxSkew;
// ScheduleAnyway constraints (or the cluster defaults) score nodes by how spread the pods are.
// As kube-scheduler's plugin of the same name.
import type { Pod, ReplicationController, Service, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Informer, InformerFactory } from '../../../client/informer-types.js';
import { resourceForKind } from '../../../client/rest.js';
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
  SYSTEM_DEFAULT_CONSTRAINTS,
  defaultConstraints,
  filterConstraints,
  type Action,
  type Constraint,
  type Workloads,
} from './constraints.js';
import { cloneState, computePreFilterState, fits, updateWithPod, type PreFilterState } from './filtering.js';
import { computePreScoreState, normalizeScores, scoreNode, type PreScoreState } from './scoring.js';

export { SYSTEM_DEFAULT_CONSTRAINTS, defaultSelector, type Workloads } from './constraints.js';

export const NAME = 'PodTopologySpread';
export const REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const REASON_NODE_LABEL_NOT_MATCH = `${REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

export interface PodTopologySpreadArgs {
  /** `System` (default): SYSTEM_DEFAULT_CONSTRAINTS; `List`: `defaultConstraints`. */
  defaultingType?: 'System' | 'List';
  /** Constraints for pods that have none, when defaultingType is List. */
  defaultConstraints?: TopologySpreadConstraint[];
  /**
   * The Services, ReplicationControllers, ReplicaSets and StatefulSets of a namespace, from which
   * default constraints take their selector. Without it default constraints never apply.
   */
  workloads?: (namespace: string) => Workloads;
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;
  private readonly defaults: TopologySpreadConstraint[];
  private readonly systemDefaulted: boolean;
  private readonly workloads?: (namespace: string) => Workloads;

  constructor(args: PodTopologySpreadArgs, private readonly lister: () => NodeInfoLister) {
    this.systemDefaulted = (args.defaultingType ?? 'System') === 'System';
    this.defaults = this.systemDefaulted ? SYSTEM_DEFAULT_CONSTRAINTS : args.defaultConstraints ?? [];
    this.workloads = args.workloads;
  }

  private constraints(pod: Pod, action: Action): Constraint[] {
    const own = pod.spec?.topologySpreadConstraints ?? [];
    if (own.length > 0) return filterConstraints(own, pod.metadata?.labels ?? {}, action);
    return defaultConstraints(pod, this.defaults, action, this.workloads?.(pod.metadata?.namespace ?? ''));
  }

  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): { result?: PreFilterResult; status: Status } {
    let cs: Constraint[];
    try {
      cs = this.constraints(pod, 'DoNotSchedule');
    } catch (e) {
      return { status: Status.error(`parsing topology spread constraints: ${(e as Error).message}`) };
    }
    if (cs.length === 0) return { status: Status.skip() };
    state.write(PRE_FILTER_KEY, computePreFilterState(pod, cs, nodes));
    return { status: Status.success() };
  }

  addPod(state: CycleState, pod: Pod, podToAdd: Pod, node: NodeInfo): Status {
    return this.update(state, pod, podToAdd, node, 1);
  }

  removePod(state: CycleState, pod: Pod, podToRemove: Pod, node: NodeInfo): Status {
    return this.update(state, pod, podToRemove, node, -1);
  }

  // Copy on write: a cloned CycleState shares the original's values.
  private update(state: CycleState, pod: Pod, other: Pod, node: NodeInfo, delta: number): Status {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (!s) return Status.success();
    const next = cloneState(s);
    updateWithPod(next, pod, other, node.node, delta);
    state.write(PRE_FILTER_KEY, next);
    return Status.success();
  }

  filter(state: CycleState, pod: Pod, node: NodeInfo): Status {
    // No state means PreFilter skipped: the pod has no DoNotSchedule constraint.
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (!s) return Status.success();
    switch (fits(s, pod, node.node)) {
      case 'missingLabel': return Status.unresolvable(REASON_NODE_LABEL_NOT_MATCH);
      case 'skewTooLarge': return Status.unschedulable(REASON_CONSTRAINTS_NOT_MATCH);
      default: return Status.success();
    }
  }

  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status {
    const all = this.lister().list();
    if (nodes.length === 0 || all.length === 0) return Status.skip();
    let cs: Constraint[];
    try {
      cs = this.constraints(pod, 'ScheduleAnyway');
    } catch (e) {
      return Status.error(`parsing topology spread constraints: ${(e as Error).message}`);
    }
    if (cs.length === 0) return Status.skip();
    const requireAllTopologies = (pod.spec?.topologySpreadConstraints?.length ?? 0) > 0 || !this.systemDefaulted;
    state.write(PRE_SCORE_KEY, computePreScoreState(pod, cs, nodes, all, requireAllTopologies));
    return Status.success();
  }

  score(state: CycleState, pod: Pod, node: NodeInfo): { score: number; status: Status } {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    return { score: s ? scoreNode(s, pod, node) : 0, status: Status.success() };
  }

  normalizeScore(state: CycleState, _pod: Pod, scores: NodeScore[]): Status {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    if (s) normalizeScores(s, scores);
    return Status.success();
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      { resource: 'Pod', action: 'Add' },
      { resource: 'Pod', action: 'Delete' },
      { resource: 'Pod', action: 'UpdatePodLabel' },
      { resource: 'Node', action: 'Add' },
      { resource: 'Node', action: 'Delete' },
      { resource: 'Node', action: 'UpdateNodeLabel' },
      { resource: 'Node', action: 'UpdateNodeTaint' },
    ];
  }
}

export const newPodTopologySpread: PluginFactory = (args, handle: Handle) => {
  const a = (args ?? {}) as PodTopologySpreadArgs;
  if (a.defaultingType !== undefined && a.defaultingType !== 'System' && a.defaultingType !== 'List') {
    throw new Error(`${NAME}: defaultingType must be System or List, got ${String(a.defaultingType)}`);
  }
  if (a.defaultingType === 'System' && (a.defaultConstraints?.length ?? 0) > 0) {
    throw new Error(`${NAME}: defaultConstraints must be empty when defaultingType is System`);
  }
  for (const c of a.defaultConstraints ?? []) {
    if (c.labelSelector) throw new Error(`${NAME}: defaultConstraints must not have a labelSelector`);
  }
  const workloads = a.workloads ?? (handle.informers ? workloadsFromInformers(handle.informers) : undefined);
  return new PodTopologySpread({ ...a, workloads }, () => handle.snapshot());
};

const WORKLOAD_KINDS = [
  ['v1', 'Service'], ['v1', 'ReplicationController'], ['apps/v1', 'ReplicaSet'], ['apps/v1', 'StatefulSet'],
] as const;

/** A namespace's Services, ReplicationControllers, ReplicaSets and StatefulSets, from the shared informers. */
export function workloadsFromInformers(informers: InformerFactory): (namespace: string) => Workloads {
  // Asked for now, while the framework is built, so the scheduler's cache sync waits for them too.
  const [services, rcs, rss, sets] = WORKLOAD_KINDS.map(([v, k]) => informers.informer(resourceForKind(v, k)));
  const inNs = <T>(inf: Informer, ns: string) => inf.store.byIndex('namespace', ns) as unknown as T[];
  return (ns) => ({
    services: inNs<Service>(services!, ns),
    replicationControllers: inNs<ReplicationController>(rcs!, ns),
    replicaSets: inNs<ReplicaSet>(rss!, ns),
    statefulSets: inNs<StatefulSet>(sets!, ns),
  });
}
