// apps/v1 ReplicaSet.
import type { FieldError } from '../../../apimachinery/status.js';
import { setPodTemplateSpecDefaults } from '../core/pod-spec.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { AGE_COLUMN, templateColumns } from '../shared/columns.js';
import { REPLICAS_SCALE, SCALE_SUBRESOURCE, statusSubresource } from '../shared/subresources.js';
import { age, containerCells, selectorCell } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import { nonNegative } from '../shared/field-errors.js';
import { validateSelectorUnchanged } from './deployment.js';
import { validatePodTemplateForController, validateRequiredSelector } from './workload-checks.js';

export function setReplicaSetDefaults(rs: ReplicaSet): void {
  const spec = (rs.spec ??= {} as NonNullable<ReplicaSet['spec']>);
  spec.replicas ??= 1;
  if (spec.template) setPodTemplateSpecDefaults(spec.template);
}

export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  const spec = rs.spec ?? ({} as NonNullable<ReplicaSet['spec']>);
  return [
    ...nonNegative('spec.replicas', spec.replicas ?? 0),
    ...nonNegative('spec.minReadySeconds', spec.minReadySeconds ?? 0),
    // Kubernetes' ReplicaSet check says "deployment" here too.
    ...validateRequiredSelector(spec.selector, 'spec.selector', 'deployment'),
    ...validatePodTemplateForController(spec.selector, spec.template, 'spec.template', 'ReplicaSet'),
  ];
}

export function replicaSetRow(rs: ReplicaSet, now: number): unknown[] {
  const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
  return [rs.spec?.replicas ?? 0, rs.status?.replicas ?? 0, rs.status?.readyReplicas ?? 0, age(rs, now),
    names, images, selectorCell(rs.spec?.selector)];
}

export const replicasets = defineResource<ReplicaSet>({
  group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', singular: 'replicaset',
  namespaced: true, shortNames: ['rs'], categories: ['all'],
  subresources: [statusSubresource('ReplicaSet'), SCALE_SUBRESOURCE],
  schema: 'io.k8s.api.apps.v1.ReplicaSet',
  hasStatus: true, tracksGeneration: true, scale: REPLICAS_SCALE,
  setDefaults: setReplicaSetDefaults,
  validate: validateReplicaSet,
  validateUpdate: (rs, old) => [...validateReplicaSet(rs), ...validateSelectorUnchanged(rs.spec?.selector, old.spec?.selector)],
  columns: [
    { name: 'Desired', type: 'integer', priority: 0, description: 'Number of desired pods.' },
    { name: 'Current', type: 'integer', priority: 0, description: 'The most recently observed number of replicas.' },
    { name: 'Ready', type: 'integer', priority: 0, description: 'The number of pods targeted by this ReplicaSet with a Ready Condition.' },
    AGE_COLUMN,
    ...templateColumns(true),
  ],
  row: replicaSetRow,
  fields: { 'status.replicas': (rs) => String(rs.status?.replicas ?? 0) },
});
