// Fixtures for the VolumeBinding tests: claims, volumes, classes and pods that use them.
import type { NodeSelectorTerm, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { makePod } from '../helper/testing.js';
import { ANN_BIND_COMPLETED, WAIT_FOR_FIRST_CONSUMER } from './volumes.js';

export interface ClaimOptions {
  className?: string;
  request?: string;
  accessModes?: string[];
  volumeName?: string;
  /** Fully bound: volumeName plus the bind-completed annotation. */
  boundTo?: string;
  deleting?: boolean;
  phase?: string;
  selector?: LabelSelector;
  annotations?: Record<string, string>;
  ownerPodUid?: string;
  volumeMode?: string;
}

export function makeClaim(name: string, o: ClaimOptions = {}): PersistentVolumeClaim {
  const annotations = { ...o.annotations, ...(o.boundTo ? { [ANN_BIND_COMPLETED]: 'yes' } : {}) };
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: {
      name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '1',
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
      ...(o.ownerPodUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'owner', uid: o.ownerPodUid, controller: true }] } : {}),
    },
    spec: {
      accessModes: o.accessModes ?? ['ReadWriteOnce'],
      resources: { requests: { storage: o.request ?? '1Gi' } },
      ...(o.className !== undefined ? { storageClassName: o.className } : {}),
      ...(o.boundTo ?? o.volumeName ? { volumeName: o.boundTo ?? o.volumeName } : {}),
      ...(o.selector ? { selector: o.selector } : {}),
      ...(o.volumeMode ? { volumeMode: o.volumeMode } : {}),
    },
    status: { phase: o.phase ?? (o.boundTo ? 'Bound' : 'Pending') },
  };
}

export interface VolumeOptions {
  className?: string;
  capacity?: string;
  accessModes?: string[];
  /** Node names the volume is reachable from (a local volume), by kubernetes.io/hostname. */
  hosts?: string[];
  terms?: NodeSelectorTerm[];
  claim?: string;
  claimUid?: string;
  phase?: string;
  labels?: Record<string, string>;
  volumeMode?: string;
}

export function makeVolume(name: string, o: VolumeOptions = {}): PersistentVolume {
  const terms = o.terms ?? (o.hosts ? [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: o.hosts }] }] : undefined);
  return {
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { name, resourceVersion: '1', ...(o.labels ? { labels: o.labels } : {}) },
    spec: {
      capacity: { storage: o.capacity ?? '1Gi' },
      accessModes: o.accessModes ?? ['ReadWriteOnce'],
      ...(o.className !== undefined ? { storageClassName: o.className } : {}),
      ...(terms ? { nodeAffinity: { required: { nodeSelectorTerms: terms } } } : {}),
      ...(o.claim ? { claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: o.claim, ...(o.claimUid ? { uid: o.claimUid } : {}) } } : {}),
      ...(o.volumeMode ? { volumeMode: o.volumeMode } : {}),
      hostPath: { path: `/mnt/${name}` },
    },
    status: { phase: o.phase ?? (o.claim ? 'Bound' : 'Available') },
  };
}

export function makeClass(name: string, o: { mode?: string; provisioner?: string; zones?: string[] } = {}): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
    metadata: { name },
    provisioner: o.provisioner ?? 'kubernetes.io/no-provisioner',
    volumeBindingMode: o.mode ?? WAIT_FOR_FIRST_CONSUMER,
    ...(o.zones ? { allowedTopologies: [{ matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: o.zones }] }] } : {}),
  };
}

/** A pod mounting the named claims, plus generic ephemeral volumes by volume name. */
export function podWithClaims(name: string, claims: string[], ephemeral: string[] = []): Pod {
  const pod = makePod(name);
  pod.spec!.volumes = [
    ...claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })),
    ...ephemeral.map((v) => ({ name: v, ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } })),
  ];
  return pod;
}
