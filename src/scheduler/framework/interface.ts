// The scheduling framework's extension points (kube-scheduler's framework/interface.go, written
// for Kite). A plugin implements any subset; the framework calls them in this order per cycle:
// PreEnqueue, QueueSort | PreFilter, Filter, PostFilter | PreScore, Score, NormalizeScore |
// Reserve, Permit | PreBind, Bind, PostBind.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../apimachinery/clock.js';
import type { Logger } from '../../apimachinery/log.js';
import type { ApiClient } from '../../client/rest.js';
import type { EventRecorder } from '../../client/controller.js';
import type { InformerFactory } from '../../client/informer-types.js';
import type { Status } from './status.js';
import type { CycleState, NodeInfo, NodeInfoLister, NodeScore } from './types.js';

export interface Plugin { readonly name: string }

/** A pod waiting in the scheduling queue. */
export interface QueuedPodInfo {
  pod: Pod;
  /** When it was first added (ms); for ordering and latency. */
  initialAttemptTimestamp: number;
  /** When it was last added to the active queue (ms). */
  timestamp: number;
  attempts: number;
  /** Plugins that rejected it in its last attempt; cluster events re-queue it only if they could help one of them. */
  unschedulablePlugins: Set<string>;
}

export interface PreEnqueuePlugin extends Plugin { preEnqueue(pod: Pod): Status }
export interface QueueSortPlugin extends Plugin { less(a: QueuedPodInfo, b: QueuedPodInfo): boolean }

export interface PreFilterResult {
  /** Only these nodes need Filter (e.g. NodeName, NodeAffinity on metadata.name); undefined = all. */
  nodeNames?: Set<string>;
}

export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): { result?: PreFilterResult; status: Status };
  /** Incremental updates of the PreFilter state when preemption adds or removes pods on a node. */
  addPod?(state: CycleState, pod: Pod, podToAdd: Pod, node: NodeInfo): Status;
  removePod?(state: CycleState, pod: Pod, podToRemove: Pod, node: NodeInfo): Status;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: Pod, node: NodeInfo): Status;
}

/** Why each node was rejected in Filter (node name → status). */
export type NodeToStatus = Map<string, Status>;

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: Pod, filtered: NodeToStatus): Promise<{ nominatedNodeName?: string; status: Status }>;
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status;
}

export interface ScorePlugin extends Plugin {
  /** An integer score for the node; NormalizeScore (if any) maps all scores into 0..MAX_NODE_SCORE. */
  score(state: CycleState, pod: Pod, node: NodeInfo): { score: number; status: Status };
  normalizeScore?(state: CycleState, pod: Pod, scores: NodeScore[]): Status;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: Pod, nodeName: string): Status;
  unreserve(state: CycleState, pod: Pod, nodeName: string): void;
}

export interface PermitPlugin extends Plugin {
  permit(state: CycleState, pod: Pod, nodeName: string): { status: Status; timeoutMs?: number };
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: Pod, nodeName: string): Promise<Status>;
}

export interface BindPlugin extends Plugin {
  /** Binds the pod; returns Skip to let the next Bind plugin do it. */
  bind(state: CycleState, pod: Pod, nodeName: string): Promise<Status>;
}

export interface PostBindPlugin extends Plugin {
  postBind(state: CycleState, pod: Pod, nodeName: string): void;
}

/** Kinds of cluster change that may make unschedulable pods schedulable. */
export type ClusterEventResource = 'Pod' | 'Node' | 'PersistentVolumeClaim' | 'PersistentVolume' | 'StorageClass' | 'Service' | 'PriorityClass';
export type ClusterEventAction = 'Add' | 'Delete' | 'Update' | 'UpdateNodeLabel' | 'UpdateNodeTaint' | 'UpdateNodeAllocatable' | 'UpdateNodeCondition' | 'UpdatePodLabel' | 'All';
export interface ClusterEvent { resource: ClusterEventResource; action: ClusterEventAction }

/** Plugins that reject pods say which cluster events could change their mind. */
export interface EnqueueExtensions {
  eventsToRegister(): ClusterEvent[];
}

/** Pods that preemption nominated to a node: the room made for them is kept for them. */
export interface PodNominator {
  addNominatedPod(pod: Pod, nodeName: string): void;
  deleteNominatedPodIfExists(pod: Pod): void;
  nominatedPodsForNode(nodeName: string): Pod[];
  /** Whether any pod is nominated at all, so Filter can skip asking node by node (optional). */
  hasNominatedPods?(): boolean;
}

/**
 * The framework's own runners, for plugins (preemption) that re-run the filters on what-if
 * copies of a node. They use the PreFilter state and the skipped plugins of the cycle in `state`.
 */
export interface PluginsRunner {
  /** Filter with the higher-or-equal priority nominated pods counted on the node, as the cycle does. */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: Pod, node: NodeInfo): Status;
  /** Tells the PreFilter plugins' state that `podToAdd` now sits on `node` (a clone being edited). */
  runPreFilterExtensionAddPod(state: CycleState, podToSchedule: Pod, podToAdd: Pod, node: NodeInfo): Status;
  runPreFilterExtensionRemovePod(state: CycleState, podToSchedule: Pod, podToRemove: Pod, node: NodeInfo): Status;
}

/** A pod parked at Permit, as other plugins may see and reject it. */
export interface WaitingPodHandle {
  readonly pod: Pod;
  readonly nodeName: string;
  reject(plugin: string, message: string): void;
}

/** What the framework hands plugin factories. */
export interface Handle {
  /** The snapshot of the current cycle (valid during a cycle). */
  snapshot(): NodeInfoLister;
  client: ApiClient;
  clock: Clock;
  logger: Logger;
  recorder: EventRecorder;
  /** The scheduler's shared informers (PodDisruptionBudgets, PVCs, workloads…); absent in bare unit setups. */
  informers?: InformerFactory;
  nominator: PodNominator;
  runner: PluginsRunner;
  /** The pod parked at Permit with this uid, if any. */
  getWaitingPod(uid: string): WaitingPodHandle | undefined;
}

export type PluginFactory = (args: Record<string, unknown> | undefined, handle: Handle) => Plugin;

/** Plugin name → factory; the default set lives in src/scheduler/plugins/registry.ts. */
export type PluginRegistry = Record<string, PluginFactory>;
