// core/v1 ReplicationController: defaults from the template, validation, scale paths, printing.
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../../apimachinery/status.js';
import type { ResourceType } from '../../types.js';
import { isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { forbidden, invalid, nonNegative, notSupported, required } from '../shared/field-errors.js';
import { validateLabels } from '../shared/label-checks.js';
import { validateName, type Obj } from './meta-checks.js';
import { setPodTemplateSpecDefaults } from './pod-spec-defaults.js';
import { validatePodTemplateSpec } from './pod-spec-validation.js';
import { column, CORE_AGE_COLUMN } from '../shared/columns.js';
import { age, containerCells, formatLabels } from '../shared/printing.js';
import { REPLICAS_SCALE, SCALE_SUBRESOURCE, statusSubresource } from '../shared/subresources.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Selector and object labels default to the template's labels; replicas to 1. */
export function setReplicationControllerDefaults(rc: ReplicationController): void {
  const spec = ((rc as Mutable<ReplicationController>).spec ??= {});
  const labels = spec.template?.metadata?.labels;
  if (labels && Object.keys(labels).length) {
    if (!spec.selector || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
    const meta = ((rc as Mutable<ReplicationController>).metadata ??= {});
    if (!meta.labels || Object.keys(meta.labels).length === 0) meta.labels = { ...labels };
  }
  spec.replicas ??= 1;
  if (spec.template) setPodTemplateSpecDefaults(spec.template);
}

const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

export function validateReplicationController(rc: ReplicationController): FieldError[] {
  const errs = validateName(rc, isDNS1123Subdomain);
  const spec = rc.spec;
  if (!spec) return [...errs, required('spec')];
  errs.push(...nonNegative('spec.replicas', spec.replicas));
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  const selector = spec.selector ?? {};
  if (Object.keys(selector).length === 0) errs.push(required('spec.selector'));
  else errs.push(...validateLabels(selector, 'spec.selector'));
  const t = spec.template;
  if (!t) return [...errs, required('spec.template')];
  const labels = t.metadata?.labels ?? {};
  if (Object.keys(selector).length && !matches(selector, labels)) {
    errs.push(invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(t, 'spec.template'));
  const restart = t.spec?.restartPolicy;
  if (restart && restart !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', restart, ['Always']));
  if (t.spec?.activeDeadlineSeconds != null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return errs;
}

export const replicationControllerResource: ResourceType<Obj<ReplicationController>> = {
  group: '', version: 'v1', kind: 'ReplicationController', plural: 'replicationcontrollers', singular: 'replicationcontroller',
  namespaced: true,
  shortNames: ['rc'], categories: ['all'],
  subresources: [statusSubresource('ReplicationController'), SCALE_SUBRESOURCE],
  schema: 'io.k8s.api.core.v1.ReplicationController',
  hasStatus: true,
  // spec.selector here is a plain label map, not a metav1 LabelSelector: render it as `k=v,…`
  // for Scale.status.selector (equivalently, treat it as { matchLabels: selector }).
  scale: REPLICAS_SCALE,
  tracksGeneration: true,
  setDefaults: setReplicationControllerDefaults,
  validate: validateReplicationController,
  validateUpdate: (rc) => validateReplicationController(rc),
  columns: [
    column('Desired', 'Number of desired pods.', 'integer'),
    column('Current', 'Number of pods observed.', 'integer'),
    column('Ready', 'Number of ready pods.', 'integer'),
    CORE_AGE_COLUMN,
    column('Containers', 'Names of each container in the template.', 'string', 1),
    column('Images', 'Images referenced by each container in the template.', 'string', 1),
    column('Selector', 'Label query over the pods the controller manages.', 'string', 1),
  ],
  row: (rc, now) => [
    rc.spec?.replicas ?? 0, rc.status?.replicas ?? 0, rc.status?.readyReplicas ?? 0, age(rc, now),
    ...containerCells(rc.spec?.template?.spec?.containers), formatLabels(rc.spec?.selector),
  ],
  fields: { 'status.replicas': (rc) => String(rc.status?.replicas ?? 0) },
};
