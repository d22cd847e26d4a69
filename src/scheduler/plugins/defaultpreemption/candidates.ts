// Where preemption could help and which node to preempt on, as kube-scheduler decides: only nodes
// that Filter found Unschedulable (not UnschedulableAndUnresolvable) are tried, from a random
// start, until enough candidates are found; the best is the one that disturbs least.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { NodeToStatus, PluginsRunner } from '../../framework/interface.js';
import { MutableNodeInfo } from '../../framework/nodeinfo.js';
import { Code, Status } from '../../framework/status.js';
import type { CycleState, NodeInfo } from '../../framework/types.js';
import { podPriority, podStartTime, selectVictimsOnNode, type NodeVictims } from './victims.js';

export const DEFAULT_MIN_CANDIDATE_NODES_PERCENTAGE = 10;
export const DEFAULT_MIN_CANDIDATE_NODES_ABSOLUTE = 100;

export interface Candidate {
  name: string;
  victims: NodeVictims;
}

/** The nodes whose Filter status is Unschedulable: removing pods might make room there. */
export function nodesWherePreemptionMightHelp(nodes: NodeInfo[], filtered: NodeToStatus): NodeInfo[] {
  return nodes.filter((n) => filtered.get(n.name)?.code === Code.Unschedulable);
}

/** How many candidates the dry run looks for among `numNodes` potential nodes. */
export function calculateNumCandidates(numNodes: number, percentage: number, absolute: number): number {
  let n = Math.trunc((numNodes * percentage) / 100);
  if (n < absolute) n = absolute;
  return Math.min(n, numNodes);
}

function editableCopy(node: NodeInfo): MutableNodeInfo {
  return node instanceof MutableNodeInfo ? node.clone() : new MutableNodeInfo(node.node, node.pods);
}

export interface DryRunInput {
  runner: PluginsRunner;
  state: CycleState;
  pod: Pod;
  potentialNodes: NodeInfo[];
  pdbs: PodDisruptionBudget[];
  offset: number;
  numCandidates: number;
  now: number;
}

/**
 * Runs victim selection on copies of the nodes from `offset` on (wrapping round), stopping once
 * there is a candidate that breaks no budget and `numCandidates` in all. Candidates that break
 * no budget come first. Nodes that cannot help get their status in `statuses`.
 */
export function dryRunPreemption(input: DryRunInput): { candidates: Candidate[]; statuses: NodeToStatus; errors: Status[] } {
  const { potentialNodes: nodes } = input;
  const nonViolating: Candidate[] = [];
  const violating: Candidate[] = [];
  const statuses: NodeToStatus = new Map();
  const errors: Status[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = editableCopy(nodes[(input.offset + i) % nodes.length]!);
    const r = selectVictimsOnNode(input.runner, input.state.clone(), input.pod, node, input.pdbs, input.now);
    let status = r.status;
    if (status.isSuccess() && r.victims && r.victims.pods.length > 0) {
      (r.victims.numPDBViolations === 0 ? nonViolating : violating).push({ name: node.name, victims: r.victims });
      if (nonViolating.length > 0 && nonViolating.length + violating.length >= input.numCandidates) break;
      continue;
    }
    if (status.isSuccess()) status = Status.error(`expected at least one victim pod on node "${node.name}"`);
    if (status.code === Code.Error) errors.push(status);
    statuses.set(node.name, status);
  }
  return { candidates: [...nonViolating, ...violating], statuses, errors };
}

/** The earliest start among the victims of the highest priority (victims come most important first). */
export function earliestStartOfHighestPriority(victims: Pod[], now: number): number | undefined {
  if (victims.length === 0) return undefined;
  let maxPrio = podPriority(victims[0]!);
  let earliest = podStartTime(victims[0]!, now);
  for (const p of victims) {
    const prio = podPriority(p);
    const start = podStartTime(p, now);
    if (prio === maxPrio) earliest = Math.min(earliest, start);
    else if (prio > maxPrio) { maxPrio = prio; earliest = start; }
  }
  return earliest;
}

// Priorities are shifted by 2^31 so that many negative-priority victims never beat fewer ones.
const PRIORITY_SHIFT = 2 ** 31;

/**
 * The node to preempt on, by Kubernetes' criteria in order: fewest budget violations, lowest
 * highest-victim priority, smallest sum of priorities, fewest victims, latest start of the
 * highest-priority victims; the first candidate when all tie.
 */
export function pickOneNodeForPreemption(candidates: Candidate[], now: number): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  const scores: ((c: Candidate) => number)[] = [
    (c) => -c.victims.numPDBViolations,
    (c) => -podPriority(c.victims.pods[0]!),
    (c) => -c.victims.pods.reduce((sum, p) => sum + podPriority(p) + PRIORITY_SHIFT, 0),
    (c) => -c.victims.pods.length,
    (c) => earliestStartOfHighestPriority(c.victims.pods, now) ?? Number.MIN_SAFE_INTEGER,
  ];
  let remaining = candidates;
  for (const score of scores) {
    let best = -Infinity;
    let selected: Candidate[] = [];
    for (const c of remaining) {
      const s = score(c);
      if (s > best) { best = s; selected = [c]; } else if (s === best) selected.push(c);
    }
    if (selected.length === 1) return selected[0];
    remaining = selected;
  }
  return remaining[0];
}
