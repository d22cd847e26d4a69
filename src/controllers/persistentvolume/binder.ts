// The binder's writes: a volume and a claim bound to each other (spec, annotations, then phases),
// a volume unbound, phases changed; each write an update at the version read, so a stale cache
// conflicts and the key is retried.
import type { EventRecorder } from '../../client/controller.js';
import type { ObjectStore } from '../../client/informer-types.js';
import type { ResourceClient } from '../../client/rest.js';
import {
  ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, claimKey, hasAnnotation, isVolumeBoundToClaim,
  type Pv, type Pvc, type StorageClass,
} from './rules.js';

export interface BinderDeps {
  volumes: ObjectStore<Pv>;
  claims: ObjectStore<Pvc>;
  classes: ObjectStore<StorageClass>;
  pvClient: ResourceClient<Pv>;
  pvcClient: ResourceClient<Pvc>;
  recorder: EventRecorder;
  enqueueClaim(key: string): void;
  enqueueVolume(name: string): void;
}

type ClaimPhase = 'Pending' | 'Bound' | 'Lost';
type VolumePhase = 'Available' | 'Bound' | 'Released' | 'Failed' | 'Pending';

export async function setClaimPhase(d: BinderDeps, pvc: Pvc, phase: ClaimPhase, volume?: Pv): Promise<Pvc> {
  const status = { ...(pvc.status ?? {}), phase };
  if (volume) {
    status.accessModes = volume.spec?.accessModes ?? [];
    status.capacity = volume.spec?.capacity ?? {};
  } else if (phase === 'Pending') {
    delete status.accessModes;
    delete status.capacity;
  }
  const same = pvc.status?.phase === phase
    && JSON.stringify(pvc.status?.accessModes ?? null) === JSON.stringify(status.accessModes ?? null)
    && JSON.stringify(pvc.status?.capacity ?? null) === JSON.stringify(status.capacity ?? null);
  if (same) return pvc;
  return d.pvcClient.updateStatus(pvc.metadata?.namespace, { ...pvc, status });
}

export async function setVolumePhase(d: BinderDeps, pv: Pv, phase: VolumePhase, message?: string): Promise<Pv> {
  if (pv.status?.phase === phase && (message === undefined || pv.status?.message === message)) return pv;
  const status = { ...(pv.status ?? {}), phase };
  if (message !== undefined) status.message = message;
  else delete status.message;
  return d.pvClient.updateStatus(undefined, { ...pv, status });
}

/** Points the volume's claimRef at the claim (marking it bound by the controller unless pre-bound), then phase Bound. */
async function bindVolumeToClaim(d: BinderDeps, pv: Pv, pvc: Pvc): Promise<Pv> {
  const ref = pv.spec?.claimRef;
  const m = pvc.metadata ?? {};
  const prebound = isVolumeBoundToClaim(pv, pvc);
  let next: Pv | undefined;
  if (!ref || ref.name !== m.name || ref.namespace !== m.namespace || ref.uid !== m.uid) {
    next = structuredClone(pv);
    next.spec!.claimRef = {
      kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion,
    };
  }
  if (!prebound && !hasAnnotation(pv, ANN_BOUND_BY_CONTROLLER)) {
    next ??= structuredClone(pv);
    next.metadata = { ...next.metadata, annotations: { ...next.metadata?.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' } };
  }
  const stored = next ? await d.pvClient.update(undefined, next) : pv;
  return setVolumePhase(d, stored, 'Bound');
}

/** Sets the claim's volumeName and binding annotations, then phase Bound with the volume's modes and capacity. */
async function bindClaimToVolume(d: BinderDeps, pvc: Pvc, pv: Pv): Promise<Pvc> {
  const name = pv.metadata?.name ?? '';
  const annotations = { ...(pvc.metadata?.annotations ?? {}) };
  let dirty = false;
  if (pvc.spec?.volumeName !== name) {
    // The user did not name the volume: the controller chose it.
    annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
    dirty = true;
  }
  if (annotations[ANN_BIND_COMPLETED] === undefined) {
    annotations[ANN_BIND_COMPLETED] = 'yes';
    dirty = true;
  }
  const stored = dirty
    ? await d.pvcClient.update(pvc.metadata?.namespace, { ...pvc, metadata: { ...pvc.metadata, annotations }, spec: { ...pvc.spec, volumeName: name } })
    : pvc;
  return setClaimPhase(d, stored, 'Bound', pv);
}

/** Binds both ways; every step is skipped when already done, so a retry finishes an interrupted bind. */
export async function bind(d: BinderDeps, pv: Pv, pvc: Pvc): Promise<void> {
  const volume = await bindVolumeToClaim(d, pv, pvc);
  await bindClaimToVolume(d, pvc, volume);
}

/** Undoes a binding the controller made (a claimRef the user set keeps its name, without the uid); phase Available. */
export async function unbindVolume(d: BinderDeps, pv: Pv): Promise<void> {
  const next = structuredClone(pv);
  if (hasAnnotation(pv, ANN_BOUND_BY_CONTROLLER)) {
    delete next.spec!.claimRef;
    const annotations = { ...next.metadata?.annotations };
    delete annotations[ANN_BOUND_BY_CONTROLLER];
    next.metadata = { ...next.metadata, annotations };
  } else if (next.spec?.claimRef) {
    delete next.spec.claimRef.uid;
  }
  const stored = await d.pvClient.update(undefined, next);
  await setVolumePhase(d, stored, 'Available');
}

export function claimOf(d: BinderDeps, pv: Pv): Pvc | undefined {
  const ref = pv.spec?.claimRef;
  if (!ref) return undefined;
  const pvc = d.claims.get(claimKey({ metadata: { namespace: ref.namespace, name: ref.name } }));
  if (!pvc || (ref.uid && pvc.metadata?.uid !== ref.uid)) return undefined;
  return pvc;
}
