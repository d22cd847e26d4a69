// persistentVolumeClaim (and generic ephemeral) volumes: the claim is resolved to its bound
// PersistentVolume, whose hostPath or local path is what the runtime bind-mounts.
import type { PersistentVolume, PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { ApiClient } from '../../client/rest.js';
import { checkHostPathType } from './hostpath.js';
import { stat } from 'node:fs/promises';

export interface ClaimVolume {
  hostPath: string;
  readOnly: boolean;
  pv: string;
}

/** The claim a volume uses: its own, or `<pod>-<volume>` for a generic ephemeral volume. */
export function claimNameOf(pod: Pod, v: Volume): string | undefined {
  if (v.persistentVolumeClaim) return v.persistentVolumeClaim.claimName;
  if (v.ephemeral) return `${pod.metadata?.name}-${v.name}`;
  return undefined;
}

export async function resolveClaim(client: ApiClient, pod: Pod, v: Volume): Promise<ClaimVolume> {
  const ns = pod.metadata?.namespace ?? 'default';
  const name = claimNameOf(pod, v)!;
  const pvc = await client.kind<PersistentVolumeClaim & KubeObject>('v1', 'PersistentVolumeClaim').get(ns, name);
  if (v.ephemeral) {
    const owned = (pvc.metadata?.ownerReferences ?? []).some((o) => o.controller && o.kind === 'Pod' && o.uid === pod.metadata?.uid);
    if (!owned) throw new Error(`PVC ${ns}/${name} was not created for pod ${ns}/${pod.metadata?.name} (pod is not owner)`);
  }
  const phase = pvc.status?.phase ?? '';
  const volumeName = pvc.spec?.volumeName ?? '';
  if (phase !== 'Bound' || !volumeName) {
    throw new Error(`PVC ${ns}/${name} has non-bound phase (${JSON.stringify(phase)}) or empty pvc.Spec.VolumeName (${JSON.stringify(volumeName)})`);
  }
  const pv = await client.kind<PersistentVolume & KubeObject>('v1', 'PersistentVolume').get(undefined, volumeName);
  const ref = pv.spec?.claimRef;
  if (ref?.uid && ref.uid !== pvc.metadata?.uid) {
    throw new Error(`PV ${volumeName} is bound to claim ${ref.namespace}/${ref.name} (${ref.uid}), not to ${ns}/${name}`);
  }
  const readOnly = Boolean(v.persistentVolumeClaim?.readOnly);
  if (pv.spec?.hostPath) {
    await checkHostPathType(pv.spec.hostPath.path, pv.spec.hostPath.type);
    return { hostPath: pv.spec.hostPath.path, readOnly, pv: volumeName };
  }
  if (pv.spec?.local) {
    const path = pv.spec.local.path;
    const st = await stat(path).catch(() => undefined);
    if (!st) throw new Error(`local volume ${volumeName}: path ${JSON.stringify(path)} does not exist`);
    return { hostPath: path, readOnly, pv: volumeName };
  }
  throw new Error(`PV ${volumeName}: unsupported volume source (only hostPath and local are supported on this node)`);
}
