// The decisions of a DaemonSet sync as pure functions of the cached world: which pods each node
// needs created or deleted, which old pods a rolling update replaces now, and the status.
import type { DaemonSet, DaemonSetStatus, Node, Pod } from './types.js';
import { nodeShouldRunDaemonPod } from './placement.js';
import { byCreationAndBinding, isPodAvailable, isPodReady, REVISION_HASH_LABEL } from './pods.js';

export type NodePods = Map<string, Pod[]>;

export interface NodeActions {
  nodesNeedingPods: string[];
  podsToDelete: Pod[];
  /** Failed pods deleted so they are recreated (reported as warnings). */
  failedPods: Pod[];
}

export function allowsSurge(ds: DaemonSet): boolean {
  const ru = ds.spec?.updateStrategy?.type === 'RollingUpdate' ? ds.spec.updateStrategy.rollingUpdate : undefined;
  return ru !== undefined && scaledValue(ru.maxSurge, 1, true) > 0;
}

/** What one node needs: a pod created, failed or surplus pods removed, or every pod removed. */
export function podsForNode(ds: DaemonSet, node: Node, pods: Pod[], hash: string, now: number): NodeActions {
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const out: NodeActions = { nodesNeedingPods: [], podsToDelete: [], failedPods: [] };
  const name = node.metadata?.name ?? '';
  if (shouldRun && pods.length === 0) {
    out.nodesNeedingPods.push(name);
    return out;
  }
  if (!shouldContinueRunning) {
    out.podsToDelete.push(...pods.filter((p) => !p.metadata?.deletionTimestamp));
    return out;
  }
  const running: Pod[] = [];
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    if (p.status?.phase === 'Failed') {
      out.failedPods.push(p);
      continue;
    }
    running.push(p);
  }
  if (running.length <= 1) return out;
  running.sort(byCreationAndBinding);
  if (!allowsSurge(ds)) {
    out.podsToDelete.push(...running.slice(1));
    return out;
  }
  // With surge, an old and a new pod may overlap while the new one becomes available: keep the
  // oldest of each, and drop the old one once it is not ready or the new one is available.
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const p of running) {
    const isNew = p.metadata?.labels?.[REVISION_HASH_LABEL] === hash;
    if (isNew && !oldestNew) oldestNew = p;
    else if (!isNew && !oldestOld) oldestOld = p;
    else out.podsToDelete.push(p);
  }
  if (oldestNew && oldestOld) {
    if (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec?.minReadySeconds ?? 0, now)) out.podsToDelete.push(oldestOld);
  }
  return out;
}

/** An IntOrString as a count of `total`: percentages round up or down as asked. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number.parseInt(v, 10) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export function desiredNodeCount(ds: DaemonSet, nodes: Node[]): number {
  return nodes.filter((n) => nodeShouldRunDaemonPod(n, ds).shouldRun).length;
}

/** maxSurge and maxUnavailable in pods; both zero would stall, so unavailable falls back to 1. */
export function updateBudget(ds: DaemonSet, nodes: Node[]): { maxSurge: number; maxUnavailable: number } {
  const desired = desiredNodeCount(ds, nodes);
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  const maxSurge = scaledValue(ru?.maxSurge, desired, true);
  let maxUnavailable = scaledValue(ru?.maxUnavailable, desired, true);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/** The node's one new and one old pod; `ok` is false when it has several of either (the sync cleans up first). */
function updatedPodsOnNode(pods: Pod[], hash: string): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    if (p.metadata?.labels?.[REVISION_HASH_LABEL] === hash) {
      if (newPod) return { ok: false };
      newPod = p;
    } else {
      if (oldPod) return { ok: false };
      oldPod = p;
    }
  }
  return { newPod, oldPod, ok: true };
}

export interface RollingStep {
  oldPodsToDelete: Pod[];
  nodesToCreate: string[];
}

/**
 * One step of a rolling update. Without surge, old pods are deleted (the sync then recreates
 * them) while no more than maxUnavailable pods are unavailable; unavailable old pods are always
 * fair game. With surge, a new pod is started next to an old one on up to maxSurge nodes, and the
 * old one goes once the new one is available.
 */
export function rollingUpdateStep(ds: DaemonSet, nodes: Node[], nodePods: NodePods, hash: string, now: number): RollingStep {
  const { maxSurge, maxUnavailable } = updateBudget(ds, nodes);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const names = [...nodePods.keys()].sort();
  const nodeByName = new Map(nodes.map((n) => [n.metadata?.name ?? '', n]));

  if (maxSurge === 0) {
    // A node that should run a pod and has none (its replacement not yet seen) is unavailable too.
    let unavailable = nodes.filter((n) => !nodePods.has(n.metadata?.name ?? '') && nodeShouldRunDaemonPod(n, ds).shouldRun).length;
    const replaceNow: Pod[] = [];
    const candidates: Pod[] = [];
    for (const name of names) {
      const { newPod, oldPod, ok } = updatedPodsOnNode(nodePods.get(name)!, hash);
      if (!ok || (!newPod && !oldPod) || (newPod && oldPod)) {
        unavailable++;
        continue;
      }
      if (newPod) {
        if (!isPodAvailable(newPod, minReady, now)) unavailable++;
        continue;
      }
      if (!isPodAvailable(oldPod!, minReady, now)) replaceNow.push(oldPod!);
      else if (unavailable < maxUnavailable) candidates.push(oldPod!);
    }
    const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
    return { oldPodsToDelete: [...replaceNow, ...candidates.slice(0, room)], nodesToCreate: [] };
  }

  let surging = 0;
  const allowedNodes: string[] = [];
  const candidateNodes: string[] = [];
  const oldPodsToDelete: Pod[] = [];
  for (const name of names) {
    const { newPod, oldPod, ok } = updatedPodsOnNode(nodePods.get(name)!, hash);
    if (!ok || !oldPod) continue;
    if (!newPod) {
      const node = nodeByName.get(name);
      if (!node || !nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
      if (!isPodAvailable(oldPod, minReady, now)) allowedNodes.push(name);
      else if (surging < maxSurge) candidateNodes.push(name);
      continue;
    }
    if (!isPodAvailable(newPod, minReady, now)) {
      surging++;
      continue;
    }
    oldPodsToDelete.push(oldPod);
  }
  const room = Math.min(Math.max(0, maxSurge - surging), candidateNodes.length);
  return { oldPodsToDelete, nodesToCreate: [...allowedNodes, ...candidateNodes.slice(0, room)] };
}

/** The status fields, counted over nodes that should run the pod (or still have one). */
export function computeStatus(ds: DaemonSet, nodes: Node[], nodePods: NodePods, hash: string, now: number): DaemonSetStatus {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  let desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
  for (const node of nodes) {
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    const pods = [...(nodePods.get(node.metadata?.name ?? '') ?? [])].sort(byCreationAndBinding);
    const scheduled = pods.length > 0;
    if (!shouldRun) {
      if (scheduled) misscheduled++;
      continue;
    }
    desired++;
    if (!scheduled) continue;
    current++;
    const pod = pods[0]!;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
    if (pod.metadata?.labels?.[REVISION_HASH_LABEL] === hash) updated++;
  }
  return {
    observedGeneration: ds.metadata?.generation,
    desiredNumberScheduled: desired,
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    numberReady: ready,
    numberAvailable: available,
    numberUnavailable: Math.max(0, desired - available),
    updatedNumberScheduled: updated,
    ...(ds.status?.collisionCount !== undefined ? { collisionCount: ds.status.collisionCount } : {}),
    ...(ds.status?.conditions ? { conditions: ds.status.conditions } : {}),
  };
}
