// NodeResourcesBalancedAllocation: prefers nodes whose usage fractions (CPU vs memory by default)
// stay close to each other once the pod is placed. Like Kubernetes, it uses the actual requests,
// not the non-zero defaults.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PluginFactory, PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
import { podRequests } from '../../framework/nodeinfo.js';
import { Status } from '../../framework/status.js';
import type { CycleState, NodeInfo, Resource } from '../../framework/types.js';
import { allocatableAndRequestedInto } from './resources.js';
import { balancedResourceScore, DEFAULT_RESOURCES, type ResourceSpec } from './scoring.js';

export const BALANCED_ALLOCATION_NAME = 'NodeResourcesBalancedAllocation';

export interface BalancedAllocationArgs { resources?: ResourceSpec[] }

const PRE_SCORE_KEY = `PreScore${BALANCED_ALLOCATION_NAME}`;

export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = BALANCED_ALLOCATION_NAME;
  private readonly resources: string[];
  /** Per-node amounts, reused from one Score call to the next. */
  private readonly scratch = { allocatable: [] as number[], requested: [] as number[] };

  constructor(args: BalancedAllocationArgs = {}) {
    this.resources = (args.resources?.length ? args.resources : DEFAULT_RESOURCES).map((r) => r.name);
  }

  preScore(state: CycleState, pod: Pod, _nodes: NodeInfo[]): Status {
    state.write(PRE_SCORE_KEY, podRequests(pod));
    return Status.success();
  }

  score(state: CycleState, pod: Pod, node: NodeInfo): { score: number; status: Status } {
    const req = state.read<Resource>(PRE_SCORE_KEY) ?? podRequests(pod);
    const { allocatable, requested } = allocatableAndRequestedInto(this.scratch, node, req, this.resources, false);
    return { score: balancedResourceScore(requested, allocatable), status: Status.success() };
  }
}

export const newNodeResourcesBalancedAllocation: PluginFactory = (args) => new NodeResourcesBalancedAllocation((args ?? {}) as BalancedAllocationArgs);
