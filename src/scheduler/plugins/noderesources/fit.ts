// NodeResourcesFit: the node must have room for the pod's requests (and one more pod slot);
// Score ranks fitting nodes by a configurable strategy over the non-zero requests.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ClusterEvent, EnqueueExtensions, FilterPlugin, PluginFactory, PreFilterPlugin, PreFilterResult, PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
import { nonZeroRequests, podRequests } from '../../framework/nodeinfo.js';
import { Status } from '../../framework/status.js';
import type { CycleState, NodeInfo, Resource } from '../../framework/types.js';
import { allocatableAndRequestedInto } from './resources.js';
import {
  DEFAULT_RESOURCES, leastAllocatedScorer, mostAllocatedScorer, requestedToCapacityRatioScorer,
  type ResourceScorer, type ResourceSpec, type ScoringStrategyType, type UtilizationShapePoint,
} from './scoring.js';

export const NAME = 'NodeResourcesFit';
export const REASON_TOO_MANY_PODS = 'Too many pods';
export const REASON_INSUFFICIENT_CPU = 'Insufficient cpu';
export const REASON_INSUFFICIENT_MEMORY = 'Insufficient memory';
export const REASON_INSUFFICIENT_EPHEMERAL_STORAGE = 'Insufficient ephemeral-storage';
export function reasonInsufficient(resource: string): string {
  return `Insufficient ${resource}`;
}

export interface NodeResourcesFitArgs {
  scoringStrategy?: {
    type?: ScoringStrategyType;
    resources?: ResourceSpec[];
    requestedToCapacityRatio?: { shape: UtilizationShapePoint[] };
  };
}

const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

export interface InsufficientResource { resource: string; reason: string; requested: number; used: number; capacity: number }

/** Every way the pod does not fit the node; empty when it fits. */
export function fitsRequest(req: Resource, node: NodeInfo): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const alloc = node.allocatable;
  const used = node.requested;
  if (node.pods.length + 1 > alloc.allowedPodNumber) {
    out.push({ resource: 'pods', reason: REASON_TOO_MANY_PODS, requested: 1, used: node.pods.length, capacity: alloc.allowedPodNumber });
  }
  const scalarNames = Object.keys(req.scalar).filter((k) => req.scalar[k] !== 0);
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && scalarNames.length === 0) return out;
  const check = (resource: string, reason: string, want: number, have: number, capacity: number) => {
    if (want > 0 && want > capacity - have) out.push({ resource, reason, requested: want, used: have, capacity });
  };
  check('cpu', REASON_INSUFFICIENT_CPU, req.milliCPU, used.milliCPU, alloc.milliCPU);
  check('memory', REASON_INSUFFICIENT_MEMORY, req.memory, used.memory, alloc.memory);
  check('ephemeral-storage', REASON_INSUFFICIENT_EPHEMERAL_STORAGE, req.ephemeralStorage, used.ephemeralStorage, alloc.ephemeralStorage);
  for (const name of scalarNames) {
    check(name, reasonInsufficient(name), req.scalar[name]!, used.scalar[name] ?? 0, alloc.scalar[name] ?? 0);
  }
  return out;
}

/** Whether the pod fits the node: fitsRequest's checks without collecting the reasons. */
function fits(req: Resource, node: NodeInfo): boolean {
  const alloc = node.allocatable;
  const used = node.requested;
  if (node.pods.length + 1 > alloc.allowedPodNumber) return false;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) return false;
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) return false;
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) return false;
  for (const name in req.scalar) {
    const want = req.scalar[name]!;
    if (want > 0 && want > (alloc.scalar[name] ?? 0) - (used.scalar[name] ?? 0)) return false;
  }
  return true;
}

export function scorerFor(args: NodeResourcesFitArgs): { scorer: ResourceScorer; resources: ResourceSpec[] } {
  const strategy = args.scoringStrategy ?? {};
  const resources = strategy.resources?.length ? strategy.resources : DEFAULT_RESOURCES;
  switch (strategy.type ?? 'LeastAllocated') {
    case 'LeastAllocated': return { scorer: leastAllocatedScorer, resources };
    case 'MostAllocated': return { scorer: mostAllocatedScorer, resources };
    case 'RequestedToCapacityRatio': {
      const shape = strategy.requestedToCapacityRatio?.shape ?? [];
      if (shape.length === 0) throw new Error(`${NAME}: RequestedToCapacityRatio needs at least one shape point`);
      return { scorer: requestedToCapacityRatioScorer(shape), resources };
    }
    default: throw new Error(`${NAME}: unknown scoring strategy ${String(strategy.type)}`);
  }
}

export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;
  private readonly scorer: ResourceScorer;
  private readonly resources: ResourceSpec[];
  private readonly resourceNames: string[];
  /** Per-node amounts, reused from one Score call to the next. */
  private readonly scratch = { allocatable: [] as number[], requested: [] as number[] };

  constructor(args: NodeResourcesFitArgs = {}) {
    ({ scorer: this.scorer, resources: this.resources } = scorerFor(args));
    this.resourceNames = this.resources.map((r) => r.name);
  }

  preFilter(state: CycleState, pod: Pod, _nodes: NodeInfo[]): { result?: PreFilterResult; status: Status } {
    state.write(PRE_FILTER_KEY, podRequests(pod));
    return { status: Status.success() };
  }

  filter(state: CycleState, pod: Pod, node: NodeInfo): Status {
    const req = state.read<Resource>(PRE_FILTER_KEY) ?? podRequests(pod);
    if (fits(req, node)) return Status.success();
    return Status.unschedulable(...fitsRequest(req, node).map((r) => r.reason));
  }

  preScore(state: CycleState, pod: Pod, _nodes: NodeInfo[]): Status {
    state.write(PRE_SCORE_KEY, nonZeroRequests(pod));
    return Status.success();
  }

  score(state: CycleState, pod: Pod, node: NodeInfo): { score: number; status: Status } {
    const req = state.read<Resource>(PRE_SCORE_KEY) ?? nonZeroRequests(pod);
    const { allocatable, requested } = allocatableAndRequestedInto(this.scratch, node, req, this.resourceNames, true);
    return { score: this.scorer(requested, allocatable, this.resources), status: Status.success() };
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      { resource: 'Pod', action: 'Delete' },
      { resource: 'Node', action: 'Add' },
      { resource: 'Node', action: 'UpdateNodeAllocatable' },
    ];
  }
}

export const newNodeResourcesFit: PluginFactory = (args) => new NodeResourcesFit((args ?? {}) as NodeResourcesFitArgs);
