// The node lifecycle controller: notices nodes whose kubelet stopped heartbeating (Node status and
// its Lease in kube-node-lease), marks their conditions Unknown, keeps condition taints in step,
// marks their pods not ready, and evicts pods that do not tolerate the node's NoExecute taints.
//
// Not done here (Kubernetes does them): eviction rate limiting per zone, and the DisruptionTarget
// pod condition before an eviction. Pods lacking any toleration for not-ready/unreachable are
// treated as tolerating them for `defaultTolerationSeconds`, standing in for the
// DefaultTolerationSeconds admission plugin.
import type { Node as WireNode, Pod as WirePod, Taint } from 'kubernetes-types/core/v1.js';
import type { Lease as WireLease } from 'kubernetes-types/coordination/v1.js';
import { formatTime } from '../../apimachinery/duration.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import { objectKey } from '../../client/informer-types.js';
import { resourceForKind } from '../../client/rest.js';
import { runWorkers, type ReconcileResult } from '../../client/runner.js';
import { WorkQueue } from '../../client/workqueue.js';
import { observe, unknownConditions, type Heartbeat } from './health.js';
import { condition, desiredTaints, evictionTime } from './taints.js';

export { TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, desiredTaints, evictionTime, tolerates } from './taints.js';
export { REASON_UNKNOWN, MESSAGE_UNKNOWN } from './health.js';

type Node = WireNode & KubeObject;
type Pod = WirePod & KubeObject;
type Lease = WireLease & KubeObject;

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const POD_NODE_INDEX = 'spec.nodeName';

function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  if (a.length !== b.length) return false;
  const id = (t: Taint) => `${t.key}|${t.value ?? ''}|${t.effect}|${t.timeAdded ?? ''}`;
  return a.every((t, i) => id(t) === id(b[i]!));
}

function parseTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

export const nodeLifecycleController: Controller = {
  name: 'nodelifecycle',
  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const nodes = ctx.informers.informer<Node>(resourceForKind('v1', 'Node'));
    const leases = ctx.informers.informer<Lease>(resourceForKind('coordination.k8s.io/v1', 'Lease'), { namespace: NODE_LEASE_NAMESPACE });
    const pods = ctx.informers.informer<Pod>(resourceForKind('v1', 'Pod'));
    pods.addIndex(POD_NODE_INDEX, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    const nodeClient = ctx.client.kind<Node>('v1', 'Node');
    const podClient = ctx.client.kind<Pod>('v1', 'Pod');
    const logger = ctx.logger.with({ component: 'node-lifecycle-controller' });
    const nodeEvents = ctx.recorder('node-controller');
    const evictionEvents = ctx.recorder('taint-eviction-controller');
    const queue = new WorkQueue({ clock: ctx.clock, name: 'nodelifecycle' });

    const heartbeats = new Map<string, Heartbeat>();
    // When a NoExecute taint without timeAdded was first seen, per node and taint.
    const taintSeen = new Map<string, Map<string, number>>();

    nodes.addEventHandler({
      onAdd: (n) => queue.add(objectKey(n)),
      onUpdate: (_o, n) => queue.add(objectKey(n)),
      onDelete: (n) => queue.add(objectKey(n)),
    });
    leases.addEventHandler({
      onAdd: (l) => queue.add(l.metadata?.name ?? ''),
      onUpdate: (_o, l) => queue.add(l.metadata?.name ?? ''),
    });
    const enqueuePodNode = (p: Pod) => {
      if (p.spec?.nodeName) queue.add(p.spec.nodeName);
    };
    pods.addEventHandler({ onAdd: enqueuePodNode, onUpdate: (_o, p) => enqueuePodNode(p) });

    await ctx.informers.waitForSync(signal);
    if (signal.aborted) return;

    const markPodsNotReady = async (node: Node, onNode: Pod[]) => {
      const nowIso = formatTime(ctx.clock.now());
      for (const pod of onNode) {
        if (pod.metadata?.deletionTimestamp) continue;
        const conds = pod.status?.conditions ?? [];
        if (!conds.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
        const status = {
          ...pod.status,
          conditions: conds.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: nowIso } : c)),
        };
        try {
          await podClient.updateStatus(pod.metadata?.namespace, { ...pod, status });
        } catch (e) {
          if (!isNotFound(e)) throw e;
          continue;
        }
        nodeEvents.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
        logger.info('marked pod not ready', { pod: objectKey(pod), node: node.metadata?.name });
      }
    };

    /** Evicts the pods the node's NoExecute taints no longer tolerate; the next due eviction, if any. */
    const runTaintEviction = async (node: Node, onNode: Pod[], now: number): Promise<number | undefined> => {
      const name = node.metadata!.name!;
      const noExecute = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
      const seen = taintSeen.get(name) ?? new Map<string, number>();
      const present = new Set(noExecute.map((t) => `${t.key}:${t.value ?? ''}`));
      for (const k of seen.keys()) if (!present.has(k)) seen.delete(k);
      taintSeen.set(name, seen);
      if (noExecute.length === 0) return undefined;
      const start = (t: Taint): number => {
        const added = parseTime(t.timeAdded);
        if (added !== undefined) return added;
        const k = `${t.key}:${t.value ?? ''}`;
        if (!seen.has(k)) seen.set(k, now);
        return seen.get(k)!;
      };
      let next: number | undefined;
      for (const pod of onNode) {
        if (pod.metadata?.deletionTimestamp) continue;
        const { at } = evictionTime(pod, noExecute, ctx.options.defaultTolerationSeconds, start);
        if (at === undefined) continue;
        if (at > now) {
          next = next === undefined ? at - now : Math.min(next, at - now);
          continue;
        }
        evictionEvents.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${objectKey(pod)}`);
        try {
          // The pod's own grace period applies, as for any deletion.
          await podClient.delete(pod.metadata?.namespace, pod.metadata!.name!, { preconditions: { uid: pod.metadata?.uid } });
          logger.info('evicted pod from tainted node', { pod: objectKey(pod), node: name });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
      return next;
    };

    const reconcile = async (name: string): Promise<ReconcileResult> => {
      const now = ctx.clock.now();
      const nowIso = formatTime(now);
      let node = nodes.store.get(name);
      if (!node) {
        heartbeats.delete(name);
        taintSeen.delete(name);
        return;
      }
      const lease = leases.store.get(`${NODE_LEASE_NAMESPACE}/${name}`);
      const hb = observe(heartbeats.get(name), condition(node, 'Ready')?.lastHeartbeatTime ?? '', lease?.spec?.renewTime ?? '', now);
      heartbeats.set(name, hb);

      const graceMs = ctx.options.nodeMonitorGracePeriodSeconds * 1000;
      const silentMs = now - hb.observedAt;
      let requeue: number | undefined;
      if (silentMs > graceMs) {
        const conditions = unknownConditions(node, nowIso);
        if (conditions) {
          node = await nodeClient.updateStatus(undefined, { ...node, status: { ...node.status, conditions } });
          nodeEvents.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
          logger.info('node stopped posting status', { node: name, silentSeconds: Math.round(silentMs / 1000) });
        }
      } else {
        requeue = graceMs - silentMs + 1;
      }

      const taints = desiredTaints(node, nowIso);
      if (!sameTaints(taints, node.spec?.taints ?? [])) {
        node = await nodeClient.update(undefined, { ...node, spec: { ...node.spec, taints } });
      }

      const onNode = pods.store.byIndex(POD_NODE_INDEX, name);
      const ready = condition(node, 'Ready')?.status;
      if (ready === 'False' || ready === 'Unknown') await markPodsNotReady(node, onNode);
      const eviction = await runTaintEviction(node, onNode, now);
      if (eviction !== undefined) requeue = requeue === undefined ? eviction : Math.min(requeue, eviction);
      return requeue === undefined ? undefined : { requeueAfterMs: requeue };
    };

    await runWorkers(queue, reconcile, {
      workers: ctx.options.workers,
      signal,
      onError: (key, err) => logger.warn('syncing node failed', { node: key, error: String(err) }),
    });
  },
};
