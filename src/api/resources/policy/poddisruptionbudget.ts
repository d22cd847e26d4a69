// policy/v1 PodDisruptionBudget: how many of a set of pods voluntary disruptions may take down.
import type { FieldError } from '../../../apimachinery/status.js';
import type { PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import { invalid, nonNegative, notSupported } from '../shared/field-errors.js';
import { GoText, goIntOrString, goLabelSelector, goStruct } from '../shared/go-values.js';
import { isSet } from '../shared/is-set.js';
import { validateLabelSelector } from '../shared/label-checks.js';
import { statusSubresource } from '../shared/subresources.js';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from '../apps/workload-checks.js';
import { validateConditions } from './conditions.js';

/** Evict unhealthy pods only while the budget has room (the default when the field is unset). */
export const IF_HEALTHY_BUDGET = 'IfHealthyBudget';
/** Evict unhealthy (Running but not Ready) pods whatever the budget says. */
export const ALWAYS_ALLOW = 'AlwaysAllow';
export const UNHEALTHY_POD_EVICTION_POLICIES = [ALWAYS_ALLOW, IF_HEALTHY_BUDGET];

/** The Kubernetes printer shows an int-or-string as its int or its string. */
function intOrStringCell(v: number | string | undefined): string {
  return v === undefined || v === null ? 'N/A' : String(v);
}

/** The spec as Go prints the struct in the "both set" error (pointers shown by value). */
function goSpec(spec: PodDisruptionBudgetSpec): GoText {
  const ptr = (v: GoText | string | undefined): GoText | string => v ?? new GoText('nil');
  return goStruct('policy.PodDisruptionBudgetSpec', [
    ['MinAvailable', ptr(isSet(spec.minAvailable) ? goIntOrString(spec.minAvailable) : undefined)],
    ['Selector', ptr(isSet(spec.selector) ? goLabelSelector(spec.selector) : undefined)],
    ['MaxUnavailable', ptr(isSet(spec.maxUnavailable) ? goIntOrString(spec.maxUnavailable) : undefined)],
    ['UnhealthyPodEvictionPolicy', ptr(spec.unhealthyPodEvictionPolicy)],
  ]);
}

export function validatePodDisruptionBudgetSpec(spec: PodDisruptionBudgetSpec, path = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  if (isSet(spec.minAvailable) && isSet(spec.maxUnavailable)) {
    errs.push(invalid(path, goSpec(spec), 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const field of ['minAvailable', 'maxUnavailable'] as const) {
    const v = spec[field];
    if (!isSet(v)) continue;
    errs.push(...validatePositiveIntOrPercent(v, `${path}.${field}`), ...isNotMoreThan100Percent(v, `${path}.${field}`));
  }
  errs.push(...validateLabelSelector(spec.selector, `${path}.selector`));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (isSet(policy) && !UNHEALTHY_POD_EVICTION_POLICIES.includes(policy)) {
    errs.push(notSupported(`${path}.unhealthyPodEvictionPolicy`, policy, UNHEALTHY_POD_EVICTION_POLICIES));
  }
  return errs;
}

export function validatePodDisruptionBudgetStatus(status: PodDisruptionBudgetStatus | undefined, path = 'status'): FieldError[] {
  if (!status) return [];
  return [
    ...validateConditions(status.conditions, `${path}.conditions`),
    ...nonNegative(`${path}.disruptionsAllowed`, status.disruptionsAllowed),
    ...nonNegative(`${path}.currentHealthy`, status.currentHealthy),
    ...nonNegative(`${path}.desiredHealthy`, status.desiredHealthy),
    ...nonNegative(`${path}.expectedPods`, status.expectedPods),
  ];
}

export function validatePodDisruptionBudget(pdb: PodDisruptionBudget): FieldError[] {
  return validatePodDisruptionBudgetSpec(pdb.spec ?? {});
}

/** The spec may change (Kubernetes allows it since 1.15); status writes are checked as well. */
export function validatePodDisruptionBudgetUpdate(pdb: PodDisruptionBudget): FieldError[] {
  return [...validatePodDisruptionBudgetSpec(pdb.spec ?? {}), ...validatePodDisruptionBudgetStatus(pdb.status)];
}

export function podDisruptionBudgetRow(pdb: PodDisruptionBudget, now: number): unknown[] {
  return [
    intOrStringCell(pdb.spec?.minAvailable), intOrStringCell(pdb.spec?.maxUnavailable),
    pdb.status?.disruptionsAllowed ?? 0, age(pdb, now),
  ];
}

export const poddisruptionbudgets = defineResource<PodDisruptionBudget>({
  group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', singular: 'poddisruptionbudget',
  namespaced: true, shortNames: ['pdb'],
  subresources: [statusSubresource('PodDisruptionBudget')],
  schema: 'io.k8s.api.policy.v1.PodDisruptionBudget',
  hasStatus: true, tracksGeneration: true,
  validate: validatePodDisruptionBudget,
  validateUpdate: validatePodDisruptionBudgetUpdate,
  columns: [
    { name: 'Min Available', type: 'string', priority: 0, description: 'The minimum number of pods that must be available.' },
    { name: 'Max Unavailable', type: 'string', priority: 0, description: 'The maximum number of pods that may be unavailable.' },
    { name: 'Allowed Disruptions', type: 'integer', priority: 0, description: 'Calculated number of pods that may be disrupted at this time.' },
    AGE_COLUMN,
  ],
  row: podDisruptionBudgetRow,
});
