// What the local-path provisioner decides without doing: which claims are this node's to
// provision, whether it can, where the data lives, and the PersistentVolume that points there.
import { join, resolve, sep } from 'node:path';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass as WireSc } from 'kubernetes-types/storage/v1.js';
import type { KubeObject } from '../../../apimachinery/object.js';

export type Pv = PersistentVolume & KubeObject;
export type Pvc = PersistentVolumeClaim & KubeObject;
export type StorageClass = WireSc & KubeObject;

/** The provisioner name of the built-in `local-path` StorageClass. */
export const LOCAL_PATH_PROVISIONER = 'kite.io/local-path';
import {
  ANN_BETA_STORAGE_CLASS, ANN_BETA_STORAGE_PROVISIONER, ANN_PROVISIONED_BY, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER,
} from '../../../api/resources/storage/annotations.js';

export { ANN_BETA_STORAGE_PROVISIONER, ANN_PROVISIONED_BY, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER };
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
const SUPPORTED_ACCESS_MODES = new Set(['ReadWriteOnce', 'ReadWriteOncePod']);

export function claimClass(pvc: Pvc): string {
  return pvc.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pvc.spec?.storageClassName ?? '';
}

/** `pvc-<claim uid>`, as external provisioners name their volumes. */
export function volumeNameFor(pvc: Pvc): string {
  return `pvc-${pvc.metadata?.uid ?? ''}`;
}

/** `<dir>/pvc-<uid>_<namespace>_<name>` */
export function volumeDirFor(dir: string, pvc: Pvc): string {
  return join(dir, `${volumeNameFor(pvc)}_${pvc.metadata?.namespace ?? ''}_${pvc.metadata?.name ?? ''}`);
}

/**
 * The claim waits for this provisioner on this node: unbound, of a class this provisioner serves
 * (and not handed to another provisioner), with the scheduler's choice of node being ours.
 */
export function isOursToProvision(pvc: Pvc, sc: StorageClass | undefined, nodeName: string): boolean {
  if (pvc.spec?.volumeName || pvc.metadata?.deletionTimestamp) return false;
  if (!sc || sc.provisioner !== LOCAL_PATH_PROVISIONER) return false;
  const ann = pvc.metadata?.annotations ?? {};
  const named = ann[ANN_STORAGE_PROVISIONER] ?? ann[ANN_BETA_STORAGE_PROVISIONER];
  if (named !== undefined && named !== LOCAL_PATH_PROVISIONER) return false;
  return ann[ANN_SELECTED_NODE] === nodeName;
}

/** Why the claim cannot be provisioned as a directory on one node, or undefined. */
export function unsupportedClaim(pvc: Pvc): string | undefined {
  if (pvc.spec?.volumeMode === 'Block') return 'local-path volumes are directories: volumeMode Block is not supported';
  const modes = pvc.spec?.accessModes ?? [];
  const bad = modes.filter((m) => !SUPPORTED_ACCESS_MODES.has(m));
  if (bad.length) return `local-path volumes live on one node and support only the ReadWriteOnce and ReadWriteOncePod access modes, not ${bad.join(', ')}`;
  if (pvc.spec?.resources?.requests?.storage === undefined) return 'the claim requests no storage';
  return undefined;
}

/** The volume for the claim: a directory on this node, bound in advance to the claim. */
export function provisionedVolume(pvc: Pvc, sc: StorageClass, nodeName: string, path: string): Pv {
  const m = pvc.metadata ?? {};
  return {
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { name: volumeNameFor(pvc), annotations: { [ANN_PROVISIONED_BY]: LOCAL_PATH_PROVISIONER } },
    spec: {
      capacity: { storage: String(pvc.spec?.resources?.requests?.storage) },
      accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata?.name,
      volumeMode: 'Filesystem',
      ...(sc.mountOptions?.length ? { mountOptions: sc.mountOptions } : {}),
      hostPath: { path, type: 'DirectoryOrCreate' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: 'In', values: [nodeName] }] }] } },
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion },
    },
  };
}

/** The node a volume of this provisioner lives on (its required hostname term). */
export function volumeNode(pv: Pv): string | undefined {
  for (const term of pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const e of term.matchExpressions ?? []) {
      if (e.key === HOSTNAME_LABEL && e.operator === 'In' && e.values?.length === 1) return e.values[0];
    }
  }
  return undefined;
}

/** A released volume of this provisioner on this node, to be deleted with its directory. */
export function isOursToDelete(pv: Pv, nodeName: string): boolean {
  if (pv.metadata?.annotations?.[ANN_PROVISIONED_BY] !== LOCAL_PATH_PROVISIONER) return false;
  if (volumeNode(pv) !== nodeName) return false;
  return pv.status?.phase === 'Released' && pv.spec?.persistentVolumeReclaimPolicy === 'Delete';
}

/** The volume's directory, if it is one this provisioner made under `dir` (never anything else). */
export function ownedDirectory(pv: Pv, dir: string): string | undefined {
  const path = pv.spec?.hostPath?.path;
  if (!path) return undefined;
  const full = resolve(path);
  const root = resolve(dir);
  if (!full.startsWith(root + sep)) return undefined;
  const rest = full.slice(root.length + 1);
  if (rest.includes(sep) || !rest.startsWith(`${pv.metadata?.name ?? '\0'}_`)) return undefined;
  return full;
}
