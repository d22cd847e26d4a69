// apps/v1 DaemonSet.
import type { FieldError } from '../../../apimachinery/status.js';
import { setPodTemplateSpecDefaults } from '../core/pod-spec.js';
import type { DaemonSet, DaemonSetSpec, DaemonSetUpdateStrategy } from 'kubernetes-types/apps/v1.js';
import { AGE_COLUMN, templateColumns } from '../shared/columns.js';
import { age, containerCells, formatLabels, selectorCell } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import { statusSubresource } from '../shared/subresources.js';
import { goIntOrString, goLabelSelector } from '../shared/go-values.js';
import { invalid, nonNegative, notSupported, required } from '../shared/field-errors.js';
import { validateSelectorUnchanged } from './deployment.js';
import {
  intOrPercentValue, isEmptySelector, isNotMoreThan100Percent, validatePodTemplateForController,
  validatePositiveIntOrPercent,
} from './workload-checks.js';
import { isSet } from '../shared/is-set.js';
import { validateLabelSelector } from '../shared/label-checks.js';

export function setDaemonSetDefaults(ds: DaemonSet): void {
  const spec = (ds.spec ??= {} as DaemonSetSpec);
  const us = (spec.updateStrategy ??= {});
  us.type ||= 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    const ru = (us.rollingUpdate ??= {});
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  if (spec.template) setPodTemplateSpecDefaults(spec.template);
}

function validateUpdateStrategy(us: DaemonSetUpdateStrategy | undefined, path: string): FieldError[] {
  const s = us ?? {};
  switch (s.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate': {
      const ru = s.rollingUpdate;
      if (!ru) return [required(`${path}.rollingUpdate`)];
      const p = `${path}.rollingUpdate`;
      const errs = [
        ...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`),
        ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`),
        ...isNotMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`),
        ...isNotMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`),
      ];
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) {
        errs.push(invalid(`${p}.maxSurge`, goIntOrString(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
      } else if (!hasUnavailable && !hasSurge) {
        errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      }
      return errs;
    }
    default:
      return [notSupported(path, s, ['RollingUpdate', 'OnDelete'])];
  }
}

export function validateDaemonSet(ds: DaemonSet): FieldError[] {
  const spec = ds.spec ?? ({} as DaemonSetSpec);
  const errs: FieldError[] = [...validateLabelSelector(spec.selector, 'spec.selector')];
  const sel = spec.selector;
  // A DaemonSet has no separate "Required" error: a missing selector matches nothing, so the
  // template check below reports it.
  errs.push(...validatePodTemplateForController(sel, spec.template, 'spec.template', 'DaemonSet', { skipEmptySelector: false }));
  if (sel && isEmptySelector(sel)) errs.push(invalid('spec.selector', goLabelSelector(sel), 'empty selector is invalid for daemonset'));
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds ?? 0));
  errs.push(...validateUpdateStrategy(spec.updateStrategy, 'spec.updateStrategy'));
  if (isSet(spec.revisionHistoryLimit)) errs.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  return errs;
}

export function daemonSetRow(ds: DaemonSet, now: number): unknown[] {
  const st = ds.status;
  const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
  return [st?.desiredNumberScheduled ?? 0, st?.currentNumberScheduled ?? 0, st?.numberReady ?? 0,
    st?.updatedNumberScheduled ?? 0, st?.numberAvailable ?? 0, formatLabels(ds.spec?.template?.spec?.nodeSelector), age(ds, now),
    names, images, selectorCell(ds.spec?.selector)];
}

export const daemonsets = defineResource<DaemonSet>({
  group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', singular: 'daemonset',
  namespaced: true, shortNames: ['ds'], categories: ['all'],
  subresources: [statusSubresource('DaemonSet')],
  schema: 'io.k8s.api.apps.v1.DaemonSet',
  hasStatus: true, tracksGeneration: true,
  setDefaults: setDaemonSetDefaults,
  validate: validateDaemonSet,
  validateUpdate: (ds, old) => [...validateDaemonSet(ds), ...validateSelectorUnchanged(ds.spec?.selector, old.spec?.selector)],
  columns: [
    { name: 'Desired', type: 'integer', priority: 0, description: 'The total number of nodes that should be running the daemon pod.' },
    { name: 'Current', type: 'integer', priority: 0, description: 'The number of nodes running at least one daemon pod that are supposed to.' },
    { name: 'Ready', type: 'integer', priority: 0, description: 'The number of nodes that should be running the daemon pod and have one or more of it running and ready.' },
    { name: 'Up-to-date', type: 'integer', priority: 0, description: 'The total number of nodes running the updated daemon pod.' },
    { name: 'Available', type: 'integer', priority: 0, description: 'The number of nodes that should be running the daemon pod and have one or more of it running and available.' },
    { name: 'Node Selector', type: 'string', priority: 0, description: 'Labels a node must have for the pod to fit on it.' },
    AGE_COLUMN,
    ...templateColumns(true),
  ],
  row: daemonSetRow,
});
