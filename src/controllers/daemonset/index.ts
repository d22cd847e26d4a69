// The DaemonSet controller: one pod on every node the DaemonSet's template fits (node selector,
// required node affinity, taints against tolerations), rolled to new templates node by node.
//
// Pods are created already bound: like Kubernetes, each carries a required node affinity on the
// node's `metadata.name`; unlike Kubernetes, it also gets `spec.nodeName` set directly, so daemon
// pods run whether or not a scheduler is there to bind them.
import type { ControllerRevision, DaemonSet, Node, Pod } from './types.js';
import { selectorFromLabelSelector } from '../../apimachinery/labels.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { objectKey } from '../../client/informer-types.js';
import { resourceForKind } from '../../client/rest.js';
import { runWorkers } from '../../client/runner.js';
import { WorkQueue } from '../../client/workqueue.js';
import { canonicalJson } from '../../client/template-hash.js';
import { Expectations } from './expectations.js';
import { nodeShouldRunDaemonPod } from './placement.js';
import { controllerOf } from './pods.js';
import { DaemonSetSync } from './sync.js';

export { daemonPodTolerations, nodeShouldRunDaemonPod, targetNodeName } from './placement.js';
export { computeStatus, rollingUpdateStep, podsForNode } from './plan.js';
export { REVISION_HASH_LABEL, newDaemonPod } from './pods.js';

export const daemonSetController: Controller = {
  name: 'daemonset',
  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const daemonsets = ctx.informers.informer<DaemonSet>(resourceForKind('apps/v1', 'DaemonSet'));
    const pods = ctx.informers.informer<Pod>(resourceForKind('v1', 'Pod'));
    const nodes = ctx.informers.informer<Node>(resourceForKind('v1', 'Node'));
    const revisions = ctx.informers.informer<ControllerRevision>(resourceForKind('apps/v1', 'ControllerRevision'));
    const logger = ctx.logger.with({ component: 'daemonset-controller' });
    const queue = new WorkQueue({ clock: ctx.clock, name: 'daemonset' });
    const expectations = new Expectations(ctx.clock);

    const sync = new DaemonSetSync({
      clock: ctx.clock, logger, recorder: ctx.recorder('daemonset-controller'), expectations,
      daemonSetStore: daemonsets.store, podStore: pods.store, nodeStore: nodes.store, revisionStore: revisions.store,
      daemonsets: ctx.client.kind<DaemonSet>('apps/v1', 'DaemonSet'),
      pods: ctx.client.kind<Pod>('v1', 'Pod'),
      revisions: ctx.client.kind<ControllerRevision>('apps/v1', 'ControllerRevision'),
    });

    /** The DaemonSet controlling an object, if it is one we know (same UID). */
    const ownerKey = (obj: Pod | ControllerRevision): string | undefined => {
      const ref = controllerOf(obj);
      if (!ref || ref.kind !== 'DaemonSet') return undefined;
      const key = `${obj.metadata?.namespace}/${ref.name}`;
      return daemonsets.store.get(key)?.metadata?.uid === ref.uid ? key : undefined;
    };
    /** An orphan concerns every DaemonSet whose selector picks it: one of them may adopt it. */
    const enqueueSelecting = (pod: Pod) => {
      for (const ds of daemonsets.store.byIndex('namespace', pod.metadata?.namespace ?? '')) {
        try {
          if (selectorFromLabelSelector(ds.spec?.selector).matches(pod.metadata?.labels)) queue.add(objectKey(ds));
        } catch {
          // An invalid selector selects nothing.
        }
      }
    };
    const enqueueAll = () => {
      for (const ds of daemonsets.store.list()) queue.add(objectKey(ds));
    };

    daemonsets.addEventHandler({
      onAdd: (ds) => queue.add(objectKey(ds)),
      onUpdate: (_o, ds) => queue.add(objectKey(ds)),
      onDelete: (ds) => {
        expectations.forget(objectKey(ds));
        queue.add(objectKey(ds));
      },
    });
    pods.addEventHandler({
      onAdd: (pod) => {
        const key = ownerKey(pod);
        if (!key) return enqueueSelecting(pod);
        if (pod.metadata?.deletionTimestamp) expectations.deletionObserved(key, pod.metadata.uid);
        else expectations.creationObserved(key);
        queue.add(key);
      },
      onUpdate: (oldPod, pod) => {
        if (oldPod.metadata?.resourceVersion === pod.metadata?.resourceVersion) return;
        const key = ownerKey(pod);
        const oldKey = ownerKey(oldPod);
        if (oldKey && oldKey !== key) queue.add(oldKey);
        if (!key) {
          if (!controllerOf(pod)) enqueueSelecting(pod);
          return;
        }
        // A pod being gracefully deleted counts as deleted: its node may get a replacement.
        if (pod.metadata?.deletionTimestamp && !oldPod.metadata?.deletionTimestamp) expectations.deletionObserved(key, pod.metadata.uid);
        queue.add(key);
      },
      onDelete: (pod) => {
        const key = ownerKey(pod);
        if (!key) return;
        expectations.deletionObserved(key, pod.metadata?.uid);
        queue.add(key);
      },
    });
    nodes.addEventHandler({
      onAdd: () => enqueueAll(),
      onDelete: () => enqueueAll(),
      onUpdate: (oldNode, node) => {
        // Heartbeats change nothing about placement; only DaemonSets whose answer changed care.
        if (canonicalJson([oldNode.metadata?.labels, oldNode.spec]) === canonicalJson([node.metadata?.labels, node.spec])) return;
        for (const ds of daemonsets.store.list()) {
          const a = nodeShouldRunDaemonPod(oldNode, ds);
          const b = nodeShouldRunDaemonPod(node, ds);
          if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) queue.add(objectKey(ds));
        }
      },
    });
    revisions.addEventHandler({
      onAdd: (rev) => { const k = ownerKey(rev); if (k) queue.add(k); },
      onUpdate: (_o, rev) => { const k = ownerKey(rev); if (k) queue.add(k); },
      onDelete: (rev) => { const k = ownerKey(rev); if (k) queue.add(k); },
    });

    await ctx.informers.waitForSync(signal);
    if (signal.aborted) return;

    await runWorkers(queue, (key) => sync.reconcile(key), {
      workers: ctx.options.workers,
      signal,
      onError: (key, err) => logger.warn('syncing daemonset failed', { daemonset: key, error: String(err) }),
    });
  },
};
