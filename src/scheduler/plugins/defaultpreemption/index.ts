// DefaultPreemption: a PostFilter plugin. When a pod fits no node, it looks for a node where
// evicting lower-priority pods would make it fit, evicts the fewest (respecting
// PodDisruptionBudgets where it can) and nominates the pod to that node, as kube-scheduler does.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { Informer } from '../../../client/informer-types.js';
import { resourceForKind } from '../../../client/rest.js';
import { fitErrorMessage } from '../../framework/fiterror.js';
import type { Handle, NodeToStatus, PluginFactory, PostFilterPlugin } from '../../framework/interface.js';
import { Code, Status } from '../../framework/status.js';
import type { CycleState } from '../../framework/types.js';
import {
  DEFAULT_MIN_CANDIDATE_NODES_ABSOLUTE, DEFAULT_MIN_CANDIDATE_NODES_PERCENTAGE, calculateNumCandidates, dryRunPreemption,
  nodesWherePreemptionMightHelp, pickOneNodeForPreemption,
} from './candidates.js';
import { clearNominatedNodeName, podTerminatingByPreemption, prepareCandidate } from './prepare.js';
import { podPriority } from './victims.js';

export { ERR_NO_VICTIMS } from './victims.js';
export { EVENT_PREEMPTED, REASON_PREEMPTION_BY_SCHEDULER } from './prepare.js';

export const NAME = 'DefaultPreemption';
export const MSG_PREFIX = 'preemption: ';
export const ERR_PREEMPTION_NEVER = 'not eligible due to preemptionPolicy=Never.';
export const ERR_TERMINATING_ON_NOMINATED = 'not eligible due to a terminating pod on the nominated node.';
export const ERR_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const ERR_NO_CANDIDATE = 'no candidate node for preemption';

export interface DefaultPreemptionArgs {
  /** Share of the potential nodes to find candidates on (Kubernetes: 10). */
  minCandidateNodesPercentage?: number;
  /** At least this many candidates, when there are that many nodes (Kubernetes: 100). */
  minCandidateNodesAbsolute?: number;
}

export interface DefaultPreemptionOptions {
  /** Random source for the node the dry run starts from (tests pin it). */
  random?: () => number;
}

type PDB = PodDisruptionBudget & KubeObject;

/** Whether the pod may preempt; the reason when not. `nominatedStatus` is its nominated node's Filter status. */
export function podEligibleToPreemptOthers(handle: Handle, pod: Pod, nominatedStatus: Status | undefined): { eligible: boolean; reason?: string } {
  if (pod.spec?.preemptionPolicy === 'Never') return { eligible: false, reason: ERR_PREEMPTION_NEVER };
  const nominated = pod.status?.nominatedNodeName;
  if (nominated) {
    // The nominated node cannot take the pod whatever is evicted: look elsewhere.
    if (nominatedStatus?.code === Code.UnschedulableAndUnresolvable) return { eligible: true };
    const node = handle.snapshot().get(nominated);
    const prio = podPriority(pod);
    if (node?.pods.some((p) => podPriority(p) < prio && podTerminatingByPreemption(p))) {
      return { eligible: false, reason: ERR_TERMINATING_ON_NOMINATED };
    }
  }
  return { eligible: true };
}

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = NAME;
  private readonly percentage: number;
  private readonly absolute: number;
  private readonly random: () => number;
  private readonly pdbs?: Informer<PDB>;

  constructor(private readonly handle: Handle, args: DefaultPreemptionArgs = {}, opts: DefaultPreemptionOptions = {}) {
    this.percentage = args.minCandidateNodesPercentage ?? DEFAULT_MIN_CANDIDATE_NODES_PERCENTAGE;
    this.absolute = args.minCandidateNodesAbsolute ?? DEFAULT_MIN_CANDIDATE_NODES_ABSOLUTE;
    if (this.percentage < 0 || this.percentage > 100) throw new Error(`${NAME}: minCandidateNodesPercentage must be in [0, 100]`);
    if (this.absolute < 0) throw new Error(`${NAME}: minCandidateNodesAbsolute must not be negative`);
    if (this.percentage === 0 && this.absolute === 0) throw new Error(`${NAME}: minCandidateNodesPercentage and minCandidateNodesAbsolute cannot both be zero`);
    this.random = opts.random ?? Math.random;
    // Asked for here: the scheduler starts its informers after the plugins are built.
    this.pdbs = pdbInformer(handle);
  }

  /** The budgets known now (none without informers). */
  podDisruptionBudgets(): PodDisruptionBudget[] {
    return this.pdbs?.store.list() ?? [];
  }

  async postFilter(state: CycleState, pod: Pod, filtered: NodeToStatus): Promise<{ nominatedNodeName?: string; status: Status }> {
    const r = await this.preempt(state, pod, filtered);
    const msg = r.status.message();
    return msg ? { ...r, status: new Status(r.status.code, [MSG_PREFIX + msg]) } : r;
  }

  private async preempt(state: CycleState, pod: Pod, filtered: NodeToStatus): Promise<{ nominatedNodeName?: string; status: Status }> {
    const nominatedName = pod.status?.nominatedNodeName;
    const elig = podEligibleToPreemptOthers(this.handle, pod, nominatedName ? filtered.get(nominatedName) : undefined);
    if (!elig.eligible) return { status: Status.unschedulable(elig.reason ?? '') };

    const all = this.handle.snapshot().list();
    if (all.length === 0) return { status: Status.error('no nodes available') };
    const potential = nodesWherePreemptionMightHelp(all, filtered);
    let candidates: ReturnType<typeof dryRunPreemption>['candidates'] = [];
    let statuses: NodeToStatus = new Map();
    const now = this.handle.clock.now();
    if (potential.length > 0) {
      const r = dryRunPreemption({
        runner: this.handle.runner, state, pod, potentialNodes: potential, pdbs: this.podDisruptionBudgets(),
        offset: Math.min(potential.length - 1, Math.floor(this.random() * potential.length)),
        numCandidates: calculateNumCandidates(potential.length, this.percentage, this.absolute), now,
      });
      if (r.errors.length > 0 && r.candidates.length === 0) return { status: new Status(Code.Error, r.errors.map((s) => s.message())) };
      candidates = r.candidates;
      statuses = r.statuses;
    }

    if (candidates.length === 0) {
      // The pod's nomination, if any, no longer holds.
      if (nominatedName) await clearNominatedNodeName(this.handle, [pod]);
      const nodeToStatus: NodeToStatus = new Map(all.map((n) => [n.name, statuses.get(n.name) ?? Status.unresolvable(ERR_NOT_HELPFUL)]));
      return { status: Status.unschedulable(fitErrorMessage(all.length, { nodeToStatus })) };
    }

    const best = pickOneNodeForPreemption(candidates, now);
    if (!best || !best.name) return { status: Status.unschedulable(ERR_NO_CANDIDATE) };
    const prepared = await prepareCandidate(this.handle, NAME, best, pod);
    if (!prepared.isSuccess()) return { status: prepared };
    return { nominatedNodeName: best.name, status: Status.success() };
  }
}

function pdbInformer(handle: Handle): Informer<PDB> | undefined {
  if (!handle.informers) return undefined;
  let ref;
  try {
    ref = resourceForKind('policy/v1', 'PodDisruptionBudget');
  } catch {
    // The API does not serve budgets: preemption then knows of none.
    return undefined;
  }
  return handle.informers.informer<PDB>(ref);
}

export const newDefaultPreemption: PluginFactory = (args, handle) =>
  new DefaultPreemption(handle, (args ?? {}) as DefaultPreemptionArgs);
