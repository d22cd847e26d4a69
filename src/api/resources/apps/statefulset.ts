// apps/v1 StatefulSet.
import type { FieldError } from '../../../apimachinery/status.js';
import { isDNS1123Label } from '../../../apimachinery/validation.js';
import { setPodTemplateSpecDefaults, validatePodTemplateSpec } from '../core/pod-spec.js';
import { semanticEqual } from '../shared/semantic-equal.js';
import type { StatefulSet, StatefulSetSpec } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { AGE_COLUMN, templateColumns } from '../shared/columns.js';
import { REPLICAS_SCALE, SCALE_SUBRESOURCE, statusSubresource } from '../shared/subresources.js';
import { age, containerCells } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import { forbidden, invalid, invalidEach, nonNegative, notSupported, required } from '../shared/field-errors.js';
import { goIntOrString, goLabelSelector, goStruct } from '../shared/go-values.js';
import {
  intOrPercentValue, isNotMoreThan100Percent, validatePositiveIntOrPercent, validateRequiredSelector,
  validateRestartAlwaysNoDeadline, validateSelectorMatchesTemplate,
} from './workload-checks.js';
import { isSet } from '../shared/is-set.js';
import { toSelector } from '../shared/label-checks.js';

export function setStatefulSetDefaults(sts: StatefulSet): void {
  const spec = (sts.spec ??= {} as StatefulSetSpec);
  spec.podManagementPolicy ||= 'OrderedReady';
  const us = (spec.updateStrategy ??= {});
  if (!us.type) {
    us.type = 'RollingUpdate';
    us.rollingUpdate ??= {};
  }
  if (us.type === 'RollingUpdate' && us.rollingUpdate) us.rollingUpdate.partition ??= 0;
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  retention.whenDeleted ||= 'Retain';
  retention.whenScaled ||= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  if (spec.template) setPodTemplateSpecDefaults(spec.template);
  for (const claim of spec.volumeClaimTemplates ?? []) {
    // Claim templates get PersistentVolumeClaim defaults, status included, as Kubernetes stores them.
    if (claim.spec) claim.spec.volumeMode ??= 'Filesystem';
    const status = ((claim as { status?: { phase?: string } }).status ??= {});
    status.phase ||= 'Pending';
  }
}

function validateRetention(spec: StatefulSetSpec): FieldError[] {
  const policy = spec.persistentVolumeClaimRetentionPolicy;
  if (!policy) return [];
  const path = 'spec.persistentVolumeClaimRetentionPolicy';
  const errs: FieldError[] = [];
  for (const key of ['whenDeleted', 'whenScaled'] as const) {
    const v = policy[key] ?? '';
    if (v !== 'Retain' && v !== 'Delete') errs.push(notSupported(`${path}.${key}`, v, ['Retain', 'Delete']));
  }
  return errs;
}

function validateUpdateStrategy(spec: StatefulSetSpec): FieldError[] {
  const us = spec.updateStrategy ?? {};
  const path = 'spec.updateStrategy';
  switch (us.type ?? '') {
    case '':
      return [required(path)];
    case 'OnDelete':
      return us.rollingUpdate ? [invalid(`${path}.rollingUpdate`, us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'")] : [];
    case 'RollingUpdate': {
      const ru = us.rollingUpdate;
      if (!ru) return [];
      const p = `${path}.rollingUpdate`;
      const errs = nonNegative(`${p}.partition`, ru.partition ?? 0);
      if (isSet(ru.maxUnavailable)) {
        errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`));
        if (intOrPercentValue(ru.maxUnavailable) === 0) errs.push(invalid(`${p}.maxUnavailable`, goIntOrString(ru.maxUnavailable), 'cannot be 0'));
        errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
      }
      return errs;
    }
    default:
      return [invalid(path, goStruct('apps.StatefulSetUpdateStrategy', [['Type', us.type ?? '']]), "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

/**
 * The pod spec as the controller will create it: each claim template becomes a volume, so
 * mounts that name a claim template are not reported as unknown volumes.
 */
function templateWithClaims(spec: StatefulSetSpec): PodTemplateSpec {
  const t = structuredClone(spec.template);
  const volumes = t.spec?.volumes ?? [];
  const known = new Set(volumes.map((v) => v.name));
  for (const claim of spec.volumeClaimTemplates ?? []) {
    const name = claim.metadata?.name;
    if (name && !known.has(name)) volumes.push({ name, persistentVolumeClaim: { claimName: name } });
  }
  if (t.spec && volumes.length) t.spec.volumes = volumes;
  return t;
}

export function validateStatefulSet(sts: StatefulSet): FieldError[] {
  const spec = sts.spec ?? ({} as StatefulSetSpec);
  const errs: FieldError[] = [];
  // StatefulSet pods are named <name>-<ordinal> and need a DNS label for their hostname.
  if (sts.metadata?.name) errs.push(...invalidEach('metadata.name', sts.metadata.name, isDNS1123Label(sts.metadata.name)));
  switch (spec.podManagementPolicy ?? '') {
    case '': errs.push(required('spec.podManagementPolicy')); break;
    case 'OrderedReady': case 'Parallel': break;
    default: errs.push(invalid('spec.podManagementPolicy', spec.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }
  errs.push(...validateUpdateStrategy(spec));
  errs.push(...validateRetention(spec));
  errs.push(...nonNegative('spec.replicas', spec.replicas ?? 0));
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds ?? 0));
  if (spec.ordinals) errs.push(...nonNegative('spec.ordinals.start', spec.ordinals.start ?? 0));
  errs.push(...validateRequiredSelector(spec.selector, 'spec.selector', 'statefulset'));
  const sel = toSelector(spec.selector);
  if (!sel) errs.push(invalid('spec.selector', goLabelSelector(spec.selector), ''));
  else errs.push(...validateSelectorMatchesTemplate(sel, spec.template, 'spec.template'));
  if (!spec.template) return [...errs, required('spec.template')];
  errs.push(...validatePodTemplateSpec(templateWithClaims(spec), 'spec.template'));
  errs.push(...validateRestartAlwaysNoDeadline(spec.template, 'spec.template', 'StatefulSet'));
  return errs;
}

const MUTABLE_SPEC_FIELDS = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'] as const;

export function validateStatefulSetUpdate(sts: StatefulSet, old: StatefulSet): FieldError[] {
  // The name is not re-checked on update, as in Kubernetes (old objects may predate the label rule).
  const errs = validateStatefulSet(sts).filter((e) => e.field !== 'metadata.name');
  const a: Record<string, unknown> = { ...(sts.spec ?? {}) };
  const b: Record<string, unknown> = { ...(old.spec ?? {}) };
  for (const k of MUTABLE_SPEC_FIELDS) { delete a[k]; delete b[k]; }
  if (!semanticEqual(a, b)) {
    errs.push(forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
  return errs;
}

export function statefulSetRow(sts: StatefulSet, now: number): unknown[] {
  const [names, images] = containerCells(sts.spec?.template?.spec?.containers);
  return [`${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 0}`, age(sts, now), names, images];
}

export const statefulsets = defineResource<StatefulSet>({
  group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', singular: 'statefulset',
  namespaced: true, shortNames: ['sts'], categories: ['all'],
  subresources: [statusSubresource('StatefulSet'), SCALE_SUBRESOURCE],
  schema: 'io.k8s.api.apps.v1.StatefulSet',
  hasStatus: true, tracksGeneration: true, scale: REPLICAS_SCALE,
  setDefaults: setStatefulSetDefaults,
  validate: validateStatefulSet,
  validateUpdate: validateStatefulSetUpdate,
  columns: [
    { name: 'Ready', type: 'string', priority: 0, description: 'Number of the pod with ready state' },
    AGE_COLUMN,
    ...templateColumns(false),
  ],
  row: statefulSetRow,
});
