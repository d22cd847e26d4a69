// The pod garbage collector: force-deletes pods bound to nodes that no longer exist, terminating
// pods no kubelet will finish (unscheduled, or on an out-of-service node that is not ready), and
// the oldest finished pods beyond `terminatedPodGCThreshold`. Sweeps every 20 s and on node deletion.
import type { Node as WireNode, Pod as WirePod } from 'kubernetes-types/core/v1.js';
import { formatTime } from '../../apimachinery/duration.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import { objectKey } from '../../client/informer-types.js';
import { resourceForKind } from '../../client/rest.js';
import { runWorkers, type ReconcileResult } from '../../client/runner.js';
import { WorkQueue } from '../../client/workqueue.js';

type Node = WireNode & KubeObject;
type Pod = WirePod & KubeObject;

export const GC_PERIOD_MS = 20_000;
export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';
const SWEEP = 'sweep';

export function isTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The finished pods to delete so that `threshold` remain: evicted ones first, then the oldest. */
export function terminatedPodsToDelete(pods: Pod[], threshold: number): Pod[] {
  if (threshold <= 0) return [];
  const terminated = pods.filter(isTerminated);
  const excess = terminated.length - threshold;
  if (excess <= 0) return [];
  const evicted = (p: Pod) => (p.status?.reason === 'Evicted' ? 0 : 1);
  const created = (p: Pod) => Date.parse(p.metadata?.creationTimestamp ?? '') || 0;
  return [...terminated]
    .sort((a, b) => evicted(a) - evicted(b) || created(a) - created(b) || objectKey(a).localeCompare(objectKey(b)))
    .slice(0, excess);
}

function outOfServiceAndNotReady(node: Node): boolean {
  const tainted = (node.spec?.taints ?? []).some((t) => t.key === TAINT_OUT_OF_SERVICE && t.effect === 'NoExecute');
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready')?.status === 'True';
  return tainted && !ready;
}

export const podGCController: Controller = {
  name: 'podgc',
  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const nodes = ctx.informers.informer<Node>(resourceForKind('v1', 'Node'));
    const pods = ctx.informers.informer<Pod>(resourceForKind('v1', 'Pod'));
    const nodeClient = ctx.client.kind<Node>('v1', 'Node');
    const podClient = ctx.client.kind<Pod>('v1', 'Pod');
    const logger = ctx.logger.with({ component: 'pod-garbage-collector' });
    const queue = new WorkQueue({ clock: ctx.clock, name: 'podgc' });

    nodes.addEventHandler({ onDelete: () => queue.add(SWEEP) });

    await ctx.informers.waitForSync(signal);
    if (signal.aborted) return;

    const forceDelete = async (pod: Pod, why: string) => {
      try {
        await podClient.delete(pod.metadata?.namespace, pod.metadata!.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid } });
        logger.info('deleted pod', { pod: objectKey(pod), reason: why });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    };

    /** Records why the pod goes (DisruptionTarget) and fails it if it had not finished, then deletes it. */
    const failAndDelete = async (pod: Pod, message: string) => {
      const conditions = [
        ...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'),
        { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message, lastTransitionTime: formatTime(ctx.clock.now()) },
      ];
      const status = { ...pod.status, conditions, ...(isTerminated(pod) ? {} : { phase: 'Failed' }) };
      try {
        await podClient.updateStatus(pod.metadata?.namespace, { ...pod, status });
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      await forceDelete(pod, message);
    };

    // The informer may not have seen a node created a moment ago; the API has the last word.
    const nodeGone = async (name: string): Promise<boolean> => {
      if (nodes.store.get(name)) return false;
      try {
        await nodeClient.get(undefined, name);
        return false;
      } catch (e) {
        if (isNotFound(e)) return true;
        throw e;
      }
    };

    const sweep = async (): Promise<void> => {
      const all = pods.store.list();
      const errors: unknown[] = [];
      const attempt = async (fn: () => Promise<void>) => {
        try {
          await fn();
        } catch (e) {
          errors.push(e);
        }
      };

      const done = new Set<Pod>();
      for (const pod of terminatedPodsToDelete(all, ctx.options.terminatedPodGCThreshold)) {
        done.add(pod);
        await attempt(() => forceDelete(pod, 'terminated pods over the threshold'));
      }

      const missing = new Map<string, boolean>();
      for (const pod of all) {
        if (done.has(pod)) continue;
        const nodeName = pod.spec?.nodeName;
        const deleting = !!pod.metadata?.deletionTimestamp;
        if (!nodeName) {
          // Nothing will ever finish a terminating pod that no node runs.
          if (deleting) await attempt(() => forceDelete(pod, 'terminating pod not bound to a node'));
          continue;
        }
        const node = nodes.store.get(nodeName);
        if (node) {
          if (deleting && outOfServiceAndNotReady(node)) await attempt(() => failAndDelete(pod, 'PodGC: node is out of service'));
          continue;
        }
        await attempt(async () => {
          if (!missing.has(nodeName)) missing.set(nodeName, await nodeGone(nodeName));
          if (missing.get(nodeName)) await failAndDelete(pod, 'PodGC: node no longer exists');
        });
      }
      if (errors.length) throw errors[0];
    };

    const reconcile = async (): Promise<ReconcileResult> => {
      await sweep();
      return { requeueAfterMs: GC_PERIOD_MS };
    };

    queue.add(SWEEP);
    await runWorkers(queue, reconcile, {
      workers: 1,
      signal,
      onError: (_key, err) => logger.warn('pod garbage collection failed', { error: String(err) }),
    });
  },
};
