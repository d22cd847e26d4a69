// The PersistentVolume controller: binds claims and volumes, hands claims to their class's
// provisioner, marks claims Lost and volumes Released, and reclaims released volumes. Two queues,
// claims by `namespace/name` and volumes by name, fed by the claim, volume and class informers.
import type { Controller, ControllerContext } from '../../client/controller.js';
import { cachesSynced } from '../../client/cache-sync.js';
import { objectKey } from '../../client/informer-types.js';
import { resourceForKind } from '../../client/rest.js';
import { runWorkers, type ReconcileResult } from '../../client/runner.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { BinderDeps } from './binder.js';
import { claimClass, claimKey, hasAnnotation, ANN_BIND_COMPLETED, type Pv, type Pvc, type StorageClass } from './rules.js';
import { syncClaim, syncVolume } from './sync.js';

export { syncClaim, syncVolume, NO_PROVISIONER } from './sync.js';
export {
  ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_BETA_STORAGE_PROVISIONER, ANN_PROVISIONED_BY, ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER, findBestMatch,
} from './rules.js';
export type { BinderDeps } from './binder.js';

export const persistentVolumeController: Controller = {
  name: 'persistentvolume-binder',
  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const volumes = ctx.informers.informer<Pv>(resourceForKind('v1', 'PersistentVolume'));
    const claims = ctx.informers.informer<Pvc>(resourceForKind('v1', 'PersistentVolumeClaim'));
    const classes = ctx.informers.informer<StorageClass>(resourceForKind('storage.k8s.io/v1', 'StorageClass'));
    const logger = ctx.logger.with({ component: 'persistentvolume-binder-controller' });
    const claimQueue = new WorkQueue({ clock: ctx.clock, name: 'claims' });
    const volumeQueue = new WorkQueue({ clock: ctx.clock, name: 'volumes' });

    const volumesOfClaim = (pvc: Pvc) => {
      const name = pvc.spec?.volumeName;
      if (name) volumeQueue.add(name);
      for (const pv of volumes.store.list()) {
        const ref = pv.spec?.claimRef;
        if (ref && ref.namespace === pvc.metadata?.namespace && ref.name === pvc.metadata?.name && pv.metadata?.name !== name) volumeQueue.add(objectKey(pv));
      }
    };
    claims.addEventHandler({
      onAdd: (c) => claimQueue.add(objectKey(c)),
      onUpdate: (_o, c) => claimQueue.add(objectKey(c)),
      onDelete: (c) => volumesOfClaim(c),
    });
    const claimOfVolume = (pv: Pv) => {
      const ref = pv.spec?.claimRef;
      if (ref?.name) claimQueue.add(claimKey({ metadata: { namespace: ref.namespace, name: ref.name } }));
    };
    volumes.addEventHandler({
      onAdd: (v) => volumeQueue.add(objectKey(v)),
      onUpdate: (_o, v) => volumeQueue.add(objectKey(v)),
      // A bound claim whose volume went away is Lost.
      onDelete: (v) => claimOfVolume(v),
    });
    // A class appearing or changing may unblock its claims still waiting.
    const claimsOfClass = (sc: StorageClass) => {
      for (const c of claims.store.list()) {
        if (claimClass(c) === sc.metadata?.name && !hasAnnotation(c, ANN_BIND_COMPLETED)) claimQueue.add(objectKey(c));
      }
    };
    classes.addEventHandler({ onAdd: claimsOfClass, onUpdate: (_o, sc) => claimsOfClass(sc) });

    if (!(await cachesSynced(ctx.informers, signal))) {
      claimQueue.shutDown();
      volumeQueue.shutDown();
      return;
    }

    const deps: BinderDeps = {
      volumes: volumes.store, claims: claims.store, classes: classes.store,
      pvClient: ctx.client.kind<Pv>('v1', 'PersistentVolume'),
      pvcClient: ctx.client.kind<Pvc>('v1', 'PersistentVolumeClaim'),
      recorder: ctx.recorder('persistentvolume-controller'),
      enqueueClaim: (key) => claimQueue.add(key),
      enqueueVolume: (name) => volumeQueue.add(name),
    };
    const reconcileClaim = async (key: string): Promise<ReconcileResult> => {
      const pvc = claims.store.get(key);
      if (pvc) await syncClaim(deps, pvc);
    };
    const reconcileVolume = async (key: string): Promise<ReconcileResult> => {
      const pv = volumes.store.get(key);
      if (pv) await syncVolume(deps, pv);
    };
    await Promise.all([
      runWorkers(claimQueue, reconcileClaim, {
        workers: ctx.options.workers, signal,
        onError: (key, err) => logger.warn('syncing claim failed', { claim: key, error: String(err) }),
      }),
      runWorkers(volumeQueue, reconcileVolume, {
        workers: ctx.options.workers, signal,
        onError: (key, err) => logger.warn('syncing volume failed', { volume: key, error: String(err) }),
      }),
    ]);
  },
};
