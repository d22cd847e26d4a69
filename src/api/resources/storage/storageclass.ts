// storage.k8s.io/v1 StorageClass (cluster-scoped): how volumes of a class are provisioned and bound.
import type { FieldError } from '../../../apimachinery/status.js';
import { isQualifiedName } from '../../../apimachinery/validation.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { TopologySelectorTerm } from 'kubernetes-types/core/v1.js';
import { AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import { duplicate, forbidden, immutable, invalid, notSupported, required, tooLong } from '../shared/field-errors.js';
import { isSet } from '../shared/is-set.js';
import { semanticEqual } from '../shared/semantic-equal.js';

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';
export const RECLAIM_POLICIES = ['Delete', 'Retain'];
export const VOLUME_BINDING_IMMEDIATE = 'Immediate';
export const VOLUME_BINDING_WAIT_FOR_FIRST_CONSUMER = 'WaitForFirstConsumer';
export const VOLUME_BINDING_MODES = [VOLUME_BINDING_IMMEDIATE, VOLUME_BINDING_WAIT_FOR_FIRST_CONSUMER];

const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;

/** Whether the class is the cluster's default (either annotation set to "true"). */
export function isDefaultStorageClass(sc: StorageClass): boolean {
  const a = sc.metadata?.annotations ?? {};
  return a[DEFAULT_CLASS_ANNOTATION] === 'true' || a[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';
}

export function setStorageClassDefaults(sc: StorageClass): void {
  sc.reclaimPolicy ??= 'Delete';
  sc.volumeBindingMode ??= VOLUME_BINDING_IMMEDIATE;
}

function validateParameters(params: Record<string, string> | undefined): FieldError[] {
  const entries = Object.entries(params ?? {});
  if (entries.length > MAX_PARAMETERS) {
    return [tooLong('parameters', MAX_PARAMETERS)];
  }
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of entries) {
    if (k.length < 1) errs.push(invalid('parameters', k, 'field can not be empty.'));
    size += k.length + v.length;
  }
  if (size > MAX_PARAMETERS_SIZE) {
    errs.push(tooLong('parameters', MAX_PARAMETERS_SIZE));
  }
  return errs;
}

/** Each term's expressions: values given and unique, keys label names and unique; no two equal terms. */
function validateAllowedTopologies(terms: TopologySelectorTerm[] | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const seenTerms: Map<string, Set<string>>[] = [];
  (terms ?? []).forEach((term, i) => {
    const p = `allowedTopologies[${i}]`;
    const exprs = new Map<string, Set<string>>();
    (term.matchLabelExpressions ?? []).forEach((req, j) => {
      const rp = `${p}.matchLabelExpressions[${j}]`;
      const values = new Set<string>();
      if (!(req.values ?? []).length) errs.push(required(`${rp}.values`));
      (req.values ?? []).forEach((v, n) => {
        if (values.has(v)) errs.push(duplicate(`${rp}.values[${n}]`, v));
        values.add(v);
      });
      for (const m of isQualifiedName(req.key ?? '')) errs.push(invalid(`${rp}.key`, req.key ?? '', m));
      if (exprs.has(req.key)) errs.push(duplicate(`${rp}.key`, req.key));
      exprs.set(req.key, values);
    });
    const asPlain = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]));
    if (seenTerms.some((t) => semanticEqual(asPlain(t), asPlain(exprs)))) errs.push(duplicate(`${p}.matchLabelExpressions`, ''));
    seenTerms.push(exprs);
  });
  return errs;
}

export function validateStorageClass(sc: StorageClass): FieldError[] {
  const errs: FieldError[] = [];
  const provisioner = sc.provisioner ?? '';
  if (!provisioner) errs.push(required('provisioner'));
  else for (const m of isQualifiedName(provisioner.toLowerCase())) errs.push(invalid('provisioner', provisioner, m));
  errs.push(...validateParameters(sc.parameters));
  if (sc.reclaimPolicy && !RECLAIM_POLICIES.includes(sc.reclaimPolicy)) {
    errs.push(notSupported('reclaimPolicy', sc.reclaimPolicy, RECLAIM_POLICIES));
  }
  if (!isSet(sc.volumeBindingMode)) errs.push(required('volumeBindingMode'));
  else if (!VOLUME_BINDING_MODES.includes(sc.volumeBindingMode)) {
    errs.push(notSupported('volumeBindingMode', sc.volumeBindingMode, VOLUME_BINDING_MODES));
  }
  errs.push(...validateAllowedTopologies(sc.allowedTopologies));
  return errs;
}

/** Everything but allowVolumeExpansion, allowedTopologies and mountOptions is fixed once created. */
export function validateStorageClassUpdate(sc: StorageClass, old: StorageClass): FieldError[] {
  const errs = validateStorageClass(sc);
  if (!semanticEqual(sc.parameters ?? {}, old.parameters ?? {})) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if ((sc.provisioner ?? '') !== (old.provisioner ?? '')) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  if (sc.volumeBindingMode !== old.volumeBindingMode) errs.push(immutable('volumeBindingMode', sc.volumeBindingMode));
  return errs;
}

export function storageClassRow(sc: StorageClass, now: number): unknown[] {
  const name = (sc.metadata?.name ?? '') + (isDefaultStorageClass(sc) ? ' (default)' : '');
  return [name, sc.provisioner ?? '', sc.reclaimPolicy ?? 'Delete', sc.volumeBindingMode ?? VOLUME_BINDING_IMMEDIATE,
    sc.allowVolumeExpansion ?? false, age(sc, now)];
}

export const storageclasses = defineResource<StorageClass>({
  group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', singular: 'storageclass',
  namespaced: false, shortNames: ['sc'],
  schema: 'io.k8s.api.storage.v1.StorageClass',
  setDefaults: setStorageClassDefaults,
  validate: validateStorageClass,
  validateUpdate: validateStorageClassUpdate,
  columns: [
    // Name is the kind's own column: the default class is printed as "<name> (default)".
    {
      name: 'Name', type: 'string', format: 'name', priority: 0,
      description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.',
    },
    { name: 'Provisioner', type: 'string', priority: 0, description: 'provisioner indicates the type of the provisioner.' },
    { name: 'ReclaimPolicy', type: 'string', priority: 0, description: 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.' },
    { name: 'VolumeBindingMode', type: 'string', priority: 0, description: 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.' },
    { name: 'AllowVolumeExpansion', type: 'string', priority: 0, description: 'allowVolumeExpansion shows whether the storage class allow volume expand.' },
    AGE_COLUMN,
  ],
  row: storageClassRow,
});
