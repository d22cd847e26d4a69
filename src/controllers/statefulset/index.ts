// The StatefulSet controller: pods with stable names, hostnames and claims, created and removed in
// ordinal order (or all at once with podManagementPolicy Parallel), and rolled to new templates
// from the highest ordinal down to the partition.
import { selectorFromLabelSelector } from '../../apimachinery/labels.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { objectKey } from '../../client/informer-types.js';
import { resourceForKind } from '../../client/rest.js';
import { runWorkers } from '../../client/runner.js';
import { WorkQueue } from '../../client/workqueue.js';
import { controllerOf } from './identity.js';
import { StatefulSetSync } from './sync.js';
import type { ControllerRevision, PersistentVolumeClaim, Pod, StatefulSet } from './types.js';

export { POD_INDEX_LABEL, POD_NAME_LABEL, REVISION_LABEL, newStatefulSetPod, podClaims } from './identity.js';
export { computeStatus } from './status.js';

export const statefulSetController: Controller = {
  name: 'statefulset',
  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const sets = ctx.informers.informer<StatefulSet>(resourceForKind('apps/v1', 'StatefulSet'));
    const pods = ctx.informers.informer<Pod>(resourceForKind('v1', 'Pod'));
    const revisions = ctx.informers.informer<ControllerRevision>(resourceForKind('apps/v1', 'ControllerRevision'));
    const claims = ctx.informers.informer<PersistentVolumeClaim>(resourceForKind('v1', 'PersistentVolumeClaim'));
    const logger = ctx.logger.with({ component: 'statefulset-controller' });
    const queue = new WorkQueue({ clock: ctx.clock, name: 'statefulset' });

    const sync = new StatefulSetSync({
      clock: ctx.clock, logger, recorder: ctx.recorder('statefulset-controller'),
      setStore: sets.store, podStore: pods.store, revisionStore: revisions.store, claimStore: claims.store,
      sets: ctx.client.kind<StatefulSet>('apps/v1', 'StatefulSet'),
      pods: ctx.client.kind<Pod>('v1', 'Pod'),
      revisions: ctx.client.kind<ControllerRevision>('apps/v1', 'ControllerRevision'),
      claims: ctx.client.kind<PersistentVolumeClaim>('v1', 'PersistentVolumeClaim'),
    });

    const ownerKey = (obj: Pod | ControllerRevision): string | undefined => {
      const ref = controllerOf(obj);
      if (!ref || ref.kind !== 'StatefulSet') return undefined;
      const key = `${obj.metadata?.namespace}/${ref.name}`;
      return sets.store.get(key)?.metadata?.uid === ref.uid ? key : undefined;
    };
    const enqueueSelecting = (pod: Pod) => {
      for (const set of sets.store.byIndex('namespace', pod.metadata?.namespace ?? '')) {
        try {
          if (selectorFromLabelSelector(set.spec?.selector).matches(pod.metadata?.labels)) queue.add(objectKey(set));
        } catch {
          // An invalid selector selects nothing.
        }
      }
    };
    const onOwned = (obj: Pod | ControllerRevision, orphanToo: boolean) => {
      const key = ownerKey(obj);
      if (key) queue.add(key);
      else if (orphanToo && !controllerOf(obj)) enqueueSelecting(obj as Pod);
    };

    sets.addEventHandler({
      onAdd: (s) => queue.add(objectKey(s)),
      onUpdate: (_o, s) => queue.add(objectKey(s)),
      onDelete: (s) => queue.add(objectKey(s)),
    });
    pods.addEventHandler({
      onAdd: (p) => onOwned(p, true),
      onUpdate: (o, p) => {
        if (o.metadata?.resourceVersion === p.metadata?.resourceVersion) return;
        const oldKey = ownerKey(o);
        if (oldKey && oldKey !== ownerKey(p)) queue.add(oldKey);
        onOwned(p, true);
      },
      onDelete: (p) => onOwned(p, false),
    });
    revisions.addEventHandler({
      onAdd: (r) => onOwned(r, false),
      onUpdate: (_o, r) => onOwned(r, false),
      onDelete: (r) => onOwned(r, false),
    });
    // A claim going away may unblock a pod waiting on a stale claim of the same name.
    claims.addEventHandler({
      onDelete: (c) => {
        for (const set of sets.store.byIndex('namespace', c.metadata?.namespace ?? '')) {
          if ((c.metadata?.name ?? '').includes(`-${set.metadata?.name}-`)) queue.add(objectKey(set));
        }
      },
    });

    await ctx.informers.waitForSync(signal);
    if (signal.aborted) return;

    await runWorkers(queue, (key) => sync.reconcile(key), {
      workers: ctx.options.workers,
      signal,
      onError: (key, err) => logger.warn('syncing statefulset failed', { statefulset: key, error: String(err) }),
    });
  },
};
