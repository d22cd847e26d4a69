// core/v1 PersistentVolume (cluster-scoped) and PersistentVolumeClaim: defaults, validation,
// immutability after creation, printing.
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../../apimachinery/status.js';
import type { ResourceType } from '../../types.js';
import { isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { forbidden, immutable, invalid, notSupported, required } from '../shared/field-errors.js';
import { semanticEqual } from '../shared/semantic-equal.js';
import { validateName, type Obj } from './meta-checks.js';
import { column, CORE_AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';
import { canonicalQuantity, readQuantity, validateResourceList } from './quantities.js';
import { statusSubresource } from '../shared/subresources.js';
import { ANN_BETA_STORAGE_CLASS as CLASS_ANNOTATION } from '../storage/annotations.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
/** Spec fields of a PV that are not its volume source. */
const PV_NON_SOURCE = new Set(['accessModes', 'capacity', 'claimRef', 'mountOptions', 'nodeAffinity',
  'persistentVolumeReclaimPolicy', 'storageClassName', 'volumeAttributesClassName', 'volumeMode']);

/** Kubernetes' short forms for access modes, in its fixed order. */
export function accessModesString(modes: string[] | undefined): string {
  const have = new Set(modes ?? []);
  const out: string[] = [];
  if (have.has('ReadWriteOnce')) out.push('RWO');
  if (have.has('ReadOnlyMany')) out.push('ROX');
  if (have.has('ReadWriteMany')) out.push('RWX');
  if (have.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

export function setPersistentVolumeDefaults(pv: PersistentVolume): void {
  const spec = ((pv as Mutable<PersistentVolume>).spec ??= {});
  spec.persistentVolumeReclaimPolicy ||= 'Retain';
  spec.volumeMode ||= 'Filesystem';
  const status = ((pv as Mutable<PersistentVolume>).status ??= {}) as Mutable<NonNullable<PersistentVolume['status']>>;
  status.phase ||= 'Pending';
}

export function setPersistentVolumeClaimDefaults(pvc: PersistentVolumeClaim): void {
  const spec = ((pvc as Mutable<PersistentVolumeClaim>).spec ??= {});
  spec.volumeMode ||= 'Filesystem';
  const status = ((pvc as Mutable<PersistentVolumeClaim>).status ??= {}) as Mutable<NonNullable<PersistentVolumeClaim['status']>>;
  status.phase ||= 'Pending';
}

function validateAccessModes(modes: string[] | undefined, path: string, detail = ''): FieldError[] {
  if (!modes?.length) return [required(path, detail)];
  const errs = modes.filter((m) => !ACCESS_MODES.includes(m)).map((m) => notSupported(path, m, ACCESS_MODES));
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) {
    errs.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  }
  return errs;
}

function pvSources(pv: PersistentVolume): string[] {
  return Object.keys(pv.spec ?? {}).filter((k) => !PV_NON_SOURCE.has(k) && (pv.spec as Record<string, unknown>)[k] != null);
}

export function validatePersistentVolume(pv: PersistentVolume): FieldError[] {
  const errs = validateName(pv, isDNS1123Subdomain);
  const spec = pv.spec;
  if (!spec) return [...errs, required('spec')];
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes'));
  if (!spec.capacity || Object.keys(spec.capacity).length === 0) errs.push(required('spec.capacity'));
  else if (!('storage' in spec.capacity)) errs.push(required('spec.capacity[storage]'));
  errs.push(...validateResourceList(spec.capacity, 'spec.capacity').errs);
  const reclaim = spec.persistentVolumeReclaimPolicy;
  if (reclaim && !RECLAIM_POLICIES.includes(reclaim)) errs.push(notSupported('spec.persistentVolumeReclaimPolicy', reclaim, RECLAIM_POLICIES));
  if (spec.volumeMode && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  const sources = pvSources(pv);
  if (sources.length === 0) errs.push(required('spec', 'must specify a volume type'));
  for (const s of sources.slice(1)) errs.push(forbidden(`spec.${s}`, 'may not specify more than 1 volume type'));
  if (spec.hostPath && !spec.hostPath.path) errs.push(required('spec.hostPath.path'));
  if (spec.local && !spec.nodeAffinity) errs.push(required('spec.nodeAffinity', 'Local volume requires node affinity'));
  return errs;
}

export function validatePersistentVolumeUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errs = validatePersistentVolume(pv);
  const source = (v: PersistentVolume): Record<string, unknown> =>
    Object.fromEntries(pvSources(v).map((k) => [k, (v.spec as Record<string, unknown>)[k]]));
  if (!semanticEqual(source(pv), source(old))) {
    errs.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  }
  if ((pv.spec?.volumeMode ?? '') !== (old.spec?.volumeMode ?? '')) errs.push(immutable('spec.volumeMode', pv.spec?.volumeMode ?? ''));
  return errs;
}

export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim): FieldError[] {
  const errs = validateName(pvc, isDNS1123Subdomain);
  const spec = pvc.spec;
  if (!spec) return [...errs, required('spec')];
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes', 'at least 1 access mode is required'));
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined) errs.push(required('spec.resources[storage]'));
  else {
    const q = readQuantity(storage);
    if (q && q.sign() <= 0) errs.push(invalid('spec.resources[storage]', q.toString(), 'must be greater than zero'));
  }
  errs.push(...validateResourceList(spec.resources?.requests, 'spec.resources.requests').errs);
  if (spec.volumeMode && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  return errs;
}

export function validatePersistentVolumeClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const errs = validatePersistentVolumeClaim(pvc);
  // Binding fills volumeName once; resizing a bound claim changes only its storage request.
  const comparable = (c: PersistentVolumeClaim, volumeName: string | undefined, bound: boolean) => ({
    ...c.spec,
    volumeName,
    resources: bound ? { ...c.spec?.resources, requests: { ...c.spec?.resources?.requests, storage: undefined } } : c.spec?.resources,
  });
  const bound = old.status?.phase === 'Bound';
  const volumeName = old.spec?.volumeName ? pvc.spec?.volumeName : undefined;
  if (!semanticEqual(comparable(pvc, volumeName, bound), comparable(old, old.spec?.volumeName, bound))) {
    errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests for bound claims'));
  }
  return errs;
}

const storageClass = (annotations: Record<string, string> | undefined, name: string | undefined): string =>
  annotations?.[CLASS_ANNOTATION] ?? name ?? '';

export const persistentVolumeResource: ResourceType<Obj<PersistentVolume>> = {
  group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', singular: 'persistentvolume', namespaced: false,
  shortNames: ['pv'],
  subresources: [statusSubresource('PersistentVolume')],
  schema: 'io.k8s.api.core.v1.PersistentVolume',
  hasStatus: true,
  tracksGeneration: false,
  setDefaults: setPersistentVolumeDefaults,
  validate: validatePersistentVolume,
  validateUpdate: validatePersistentVolumeUpdate,
  columns: [
    column('Capacity', 'Storage capacity of the volume.'), column('Access Modes', 'How the volume can be mounted.'),
    column('Reclaim Policy', 'What happens to the volume when its claim is released.'), column('Status', 'Phase of the volume.'),
    column('Claim', 'The claim bound to the volume.'), column('StorageClass', 'StorageClass of the pv'),
    column('VolumeAttributesClass', 'VolumeAttributesClass of the pv'), column('Reason', 'Why the volume is in its phase.'),
    CORE_AGE_COLUMN, column('VolumeMode', 'Block or Filesystem.', 'string', 1),
  ],
  row: (pv, now) => {
    const ref = pv.spec?.claimRef;
    return [
      canonicalQuantity(pv.spec?.capacity?.storage), accessModesString(pv.spec?.accessModes), pv.spec?.persistentVolumeReclaimPolicy ?? '',
      pv.metadata?.deletionTimestamp ? 'Terminating' : pv.status?.phase ?? '', ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '',
      storageClass(pv.metadata?.annotations, pv.spec?.storageClassName), pv.spec?.volumeAttributesClassName ?? '<unset>',
      pv.status?.reason ?? '', age(pv, now), pv.spec?.volumeMode ?? '<unset>',
    ];
  },
  fields: { name: (pv) => pv.metadata?.name ?? '' },
};

export const persistentVolumeClaimResource: ResourceType<Obj<PersistentVolumeClaim>> = {
  group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', singular: 'persistentvolumeclaim',
  namespaced: true,
  shortNames: ['pvc'],
  subresources: [statusSubresource('PersistentVolumeClaim')],
  schema: 'io.k8s.api.core.v1.PersistentVolumeClaim',
  hasStatus: true,
  tracksGeneration: false,
  setDefaults: setPersistentVolumeClaimDefaults,
  validate: validatePersistentVolumeClaim,
  validateUpdate: validatePersistentVolumeClaimUpdate,
  columns: [
    column('Status', 'Phase of the claim.'), column('Volume', 'The volume bound to the claim.'), column('Capacity', 'Capacity of the bound volume.'),
    column('Access Modes', 'Access modes of the bound volume.'), column('StorageClass', 'StorageClass of the pvc'),
    column('VolumeAttributesClass', 'VolumeAttributesClass of the pvc'), CORE_AGE_COLUMN, column('VolumeMode', 'Block or Filesystem.', 'string', 1),
  ],
  row: (pvc, now) => {
    const bound = !!pvc.spec?.volumeName;
    return [
      pvc.metadata?.deletionTimestamp ? 'Terminating' : pvc.status?.phase ?? '', pvc.spec?.volumeName ?? '',
      bound ? canonicalQuantity(pvc.status?.capacity?.storage) : '', bound ? accessModesString(pvc.status?.accessModes) : '',
      storageClass(pvc.metadata?.annotations, pvc.spec?.storageClassName), pvc.status?.currentVolumeAttributesClassName ?? '<unset>',
      age(pvc, now), pvc.spec?.volumeMode ?? '<unset>',
    ];
  },
  fields: { name: (pvc) => pvc.metadata?.name ?? '' },
};
