// apps/v1 Deployment: defaults, validation and `kubectl get` columns as Kubernetes has them.
import type { FieldError } from '../../../apimachinery/status.js';
import { selectorToString } from '../../../apimachinery/labels.js';
import { setPodTemplateSpecDefaults } from '../core/pod-spec.js';
import type { Deployment, DeploymentStrategy } from 'kubernetes-types/apps/v1.js';
import { AGE_COLUMN, templateColumns } from '../shared/columns.js';
import { REPLICAS_SCALE, SCALE_SUBRESOURCE, statusSubresource } from '../shared/subresources.js';
import { age, containerCells } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import { forbidden, IMMUTABLE, invalid, nonNegative, notSupported, required } from '../shared/field-errors.js';
import { goIntOrString, goLabelSelector } from '../shared/go-values.js';
import {
  intOrPercentValue, isNotMoreThan100Percent, validatePodTemplateForController, validatePositiveIntOrPercent,
  validateRequiredSelector,
} from './workload-checks.js';
import { isSet } from '../shared/is-set.js';
import { semanticEqual } from '../shared/semantic-equal.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';

export function setDeploymentDefaults(d: Deployment): void {
  const spec = (d.spec ??= {} as NonNullable<Deployment['spec']>);
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {});
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  if (spec.template) setPodTemplateSpecDefaults(spec.template);
}

function validateStrategy(strategy: DeploymentStrategy | undefined, path: string): FieldError[] {
  const s = strategy ?? {};
  switch (s.type) {
    case 'Recreate':
      return s.rollingUpdate ? [forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      const ru = s.rollingUpdate;
      if (!ru) return [required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil')];
      const p = `${path}.rollingUpdate`;
      const errs = [
        ...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`),
        ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`),
      ];
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalid(`${p}.maxUnavailable`, goIntOrString(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
      return errs;
    }
    default:
      return [notSupported(path, s, ['Recreate', 'RollingUpdate'])];
  }
}

export function validateDeployment(d: Deployment): FieldError[] {
  const spec = d.spec ?? ({} as NonNullable<Deployment['spec']>);
  const errs: FieldError[] = [];
  errs.push(...nonNegative('spec.replicas', spec.replicas ?? 0));
  errs.push(...validateRequiredSelector(spec.selector, 'spec.selector', 'deployment'));
  errs.push(...validatePodTemplateForController(spec.selector, spec.template, 'spec.template', 'ReplicaSet'));
  errs.push(...validateStrategy(spec.strategy, 'spec.strategy'));
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds ?? 0));
  if (isSet(spec.revisionHistoryLimit)) errs.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  if (isSet(spec.progressDeadlineSeconds)) {
    errs.push(...nonNegative('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

/** apps/v1 forbids changing the selector (older API versions allowed it). */
export function validateSelectorUnchanged(sel: LabelSelector | undefined, oldSel: LabelSelector | undefined): FieldError[] {
  if (semanticEqual(sel, oldSel)) return [];
  return [invalid('spec.selector', goLabelSelector(sel), IMMUTABLE)];
}

export function deploymentRow(d: Deployment, now: number): unknown[] {
  const spec = d.spec;
  const st = d.status ?? {};
  let selector: string;
  try {
    selector = selectorToString(spec?.selector);
  } catch {
    selector = '<invalid>';
  }
  const [names, images] = containerCells(spec?.template?.spec?.containers);
  return [`${st.readyReplicas ?? 0}/${spec?.replicas ?? 0}`, st.updatedReplicas ?? 0, st.availableReplicas ?? 0, age(d, now),
    names, images, selector];
}

export const deployments = defineResource<Deployment>({
  group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment',
  namespaced: true, shortNames: ['deploy'], categories: ['all'],
  subresources: [statusSubresource('Deployment'), SCALE_SUBRESOURCE],
  schema: 'io.k8s.api.apps.v1.Deployment',
  hasStatus: true, tracksGeneration: true, scale: REPLICAS_SCALE,
  setDefaults: setDeploymentDefaults,
  validate: validateDeployment,
  validateUpdate: (d, old) => [...validateDeployment(d), ...validateSelectorUnchanged(d.spec?.selector, old.spec?.selector)],
  columns: [
    { name: 'Ready', type: 'string', priority: 0, description: 'Number of the pod with ready state' },
    { name: 'Up-to-date', type: 'string', priority: 0, description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.' },
    { name: 'Available', type: 'string', priority: 0, description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.' },
    AGE_COLUMN,
    ...templateColumns(true),
  ],
  row: deploymentRow,
});
