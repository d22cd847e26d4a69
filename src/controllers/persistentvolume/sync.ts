// One claim's and one volume's sync, level-triggered from the informers' state, with Kubernetes'
// PV controller semantics: pre-bound claims and volumes, Immediate claims matched to Available
// volumes, WaitForFirstConsumer claims left to the scheduler, provisioning handed to the class's
// provisioner, lost claims, released volumes reclaimed by their policy.
import { isNotFound } from '../../client/errors.js';
import { bind, claimOf, setClaimPhase, setVolumePhase, unbindVolume, type BinderDeps } from './binder.js';
import {
  ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_BETA_STORAGE_PROVISIONER, ANN_PROVISIONED_BY, ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER, claimClass, claimKey, findBestMatch, hasAnnotation, isDelayBinding, isVolumeBoundToClaim,
  unsatisfiedBy, volumeModeMismatch, type Pv, type Pvc,
} from './rules.js';

/** A class whose volumes are made by hand (local volumes): nothing provisions them. */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

export async function syncClaim(d: BinderDeps, pvc: Pvc): Promise<void> {
  if (!hasAnnotation(pvc, ANN_BIND_COMPLETED)) await syncUnboundClaim(d, pvc);
  else await syncBoundClaim(d, pvc);
}

async function syncUnboundClaim(d: BinderDeps, pvc: Pvc): Promise<void> {
  const volumeName = pvc.spec?.volumeName;
  if (!volumeName) {
    const delay = isDelayBinding(pvc, (n) => d.classes.get(n));
    const pv = findBestMatch(pvc, d.volumes.list(), delay);
    if (pv) {
      await bind(d, pv, pvc);
      return;
    }
    if (delay && !hasAnnotation(pvc, ANN_SELECTED_NODE)) {
      d.recorder.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    } else if (claimClass(pvc)) {
      await provisionClaim(d, pvc);
      return;
    } else {
      d.recorder.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    }
    await setClaimPhase(d, pvc, 'Pending');
    return;
  }
  // The user named the volume.
  const pv = d.volumes.get(volumeName);
  if (!pv) {
    await setClaimPhase(d, pvc, 'Pending');
    return;
  }
  if (!pv.spec?.claimRef) {
    const why = unsatisfiedBy(pvc, pv);
    if (why) {
      d.recorder.event(pvc, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${volumeName}": ${why}`);
      await setClaimPhase(d, pvc, 'Pending');
      return;
    }
    await bind(d, pv, pvc);
  } else if (isVolumeBoundToClaim(pv, pvc)) {
    await bind(d, pv, pvc);
  } else if (hasAnnotation(pvc, ANN_BOUND_BY_CONTROLLER)) {
    throw new Error(`invalid binding of claim "${claimKey(pvc)}" to volume "${volumeName}": volume already claimed by "${pv.spec.claimRef.namespace}/${pv.spec.claimRef.name}"`);
  } else {
    d.recorder.event(pvc, 'Warning', 'FailedBinding', `volume "${volumeName}" already bound to a different claim.`);
    await setClaimPhase(d, pvc, 'Pending');
  }
}

async function syncBoundClaim(d: BinderDeps, pvc: Pvc): Promise<void> {
  const volumeName = pvc.spec?.volumeName;
  if (!volumeName) {
    await lose(d, pvc, 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
    return;
  }
  const pv = d.volumes.get(volumeName);
  if (!pv) {
    await lose(d, pvc, 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
    return;
  }
  const ref = pv.spec?.claimRef;
  if (!ref || ref.uid === pvc.metadata?.uid) {
    // Unbound volume (re-bind it) or a binding to finish or confirm.
    await bind(d, pv, pvc);
    return;
  }
  await lose(d, pvc, 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
}

async function lose(d: BinderDeps, pvc: Pvc, reason: string, message: string): Promise<void> {
  if (pvc.status?.phase === 'Lost') return;
  await setClaimPhase(d, pvc, 'Lost');
  d.recorder.event(pvc, 'Warning', reason, message);
}

/** Hands the claim to its class's provisioner: the annotations it watches for, phase Pending. */
async function provisionClaim(d: BinderDeps, pvc: Pvc): Promise<void> {
  const className = claimClass(pvc);
  const sc = d.classes.get(className);
  if (!sc) {
    d.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
    await setClaimPhase(d, pvc, 'Pending');
    return;
  }
  if (!sc.provisioner || sc.provisioner === NO_PROVISIONER) {
    d.recorder.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    await setClaimPhase(d, pvc, 'Pending');
    return;
  }
  let current = pvc;
  const ann = pvc.metadata?.annotations ?? {};
  if (ann[ANN_STORAGE_PROVISIONER] !== sc.provisioner || ann[ANN_BETA_STORAGE_PROVISIONER] !== sc.provisioner) {
    const annotations = { ...ann, [ANN_STORAGE_PROVISIONER]: sc.provisioner, [ANN_BETA_STORAGE_PROVISIONER]: sc.provisioner };
    current = await d.pvcClient.update(pvc.metadata?.namespace, { ...pvc, metadata: { ...pvc.metadata, annotations } });
  }
  d.recorder.event(pvc, 'Normal', 'ExternalProvisioning',
    `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. `
    + 'If volume creation is delayed, please verify that the provisioner is running and correctly registered.');
  await setClaimPhase(d, current, 'Pending');
}

export async function syncVolume(d: BinderDeps, pv: Pv): Promise<void> {
  const ref = pv.spec?.claimRef;
  // Unbound, or pre-bound by the user to a claim not bound yet.
  if (!ref || !ref.uid) {
    await setVolumePhase(d, pv, 'Available');
    return;
  }
  const pvc = claimOf(d, pv);
  if (!pvc) {
    await release(d, pv);
    return;
  }
  const name = pv.metadata?.name ?? '';
  if (!pvc.spec?.volumeName) {
    if (volumeModeMismatch(pvc, pv)) {
      d.recorder.event(pv, 'Warning', 'VolumeMismatch', 'Cannot bind PersistentVolume to requested PersistentVolumeClaim due to incompatible volumeMode.');
      return;
    }
    // The claim's sync completes (or re-establishes) the binding.
    d.enqueueClaim(claimKey(pvc));
    return;
  }
  if (pvc.spec.volumeName === name) {
    await setVolumePhase(d, pv, 'Bound');
    return;
  }
  // The claim is bound to another volume.
  if (hasAnnotation(pv, ANN_PROVISIONED_BY) && pv.spec?.persistentVolumeReclaimPolicy === 'Delete') {
    await release(d, pv);
  } else if (hasAnnotation(pv, ANN_BOUND_BY_CONTROLLER)) {
    await unbindVolume(d, pv);
  }
}

/** The claim is gone: the volume is Released, then reclaimed by its policy. */
async function release(d: BinderDeps, pv: Pv): Promise<void> {
  let current = pv;
  if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') current = await setVolumePhase(d, pv, 'Released');
  if (current.status?.phase === 'Failed') return;
  const name = pv.metadata?.name ?? '';
  switch (current.spec?.persistentVolumeReclaimPolicy ?? 'Retain') {
    case 'Retain':
      return;
    case 'Recycle': {
      const message = 'Recycle is not supported: delete the volume and create it again';
      d.recorder.event(current, 'Warning', 'VolumeFailedRecycle', message);
      await setVolumePhase(d, current, 'Failed', message);
      return;
    }
    case 'Delete':
      // A provisioned volume is its provisioner's to delete, with what it holds.
      if (hasAnnotation(current, ANN_PROVISIONED_BY)) return;
      await d.pvClient.delete(undefined, name).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
      return;
    default:
      await setVolumePhase(d, current, 'Failed', `unknown reclaim policy ${JSON.stringify(current.spec?.persistentVolumeReclaimPolicy)}`);
  }
}
