// rbac.authorization.k8s.io/v1 ClusterRole (cluster-scoped), optionally aggregated from others.
import type { FieldError } from '../../../apimachinery/status.js';
import type { ClusterRole } from 'kubernetes-types/rbac/v1.js';
import { defineResource } from '../shared/define-resource.js';
import { goLabelSelector } from '../shared/go-values.js';
import { invalid, required } from '../shared/field-errors.js';
import { toSelector, validateLabelSelector } from '../shared/label-checks.js';
import { CREATED_AT_COLUMN, validateRbacName, validateRules } from './rbac-checks.js';

function validateAggregation(cr: ClusterRole): FieldError[] {
  const rule = cr.aggregationRule;
  if (!rule) return [];
  const path = 'aggregationRule.clusterRoleSelectors';
  const selectors = rule.clusterRoleSelectors ?? [];
  if (selectors.length === 0) return [required(path, 'at least one clusterRoleSelector required if aggregationRule is non-nil')];
  return selectors.flatMap((s, i) => {
    const errs = validateLabelSelector(s, `${path}[${i}]`);
    if (!toSelector(s)) errs.push(invalid(`${path}[${i}]`, goLabelSelector(s), 'invalid label selector.'));
    return errs;
  });
}

export function validateClusterRole(cr: ClusterRole): FieldError[] {
  return [...validateRules(cr.rules, false), ...validateAggregation(cr)];
}

export const clusterroles = defineResource<ClusterRole>({
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', singular: 'clusterrole',
  namespaced: false,
  schema: 'io.k8s.api.rbac.v1.ClusterRole',
  validate: (cr) => [...validateRbacName(cr.metadata?.name), ...validateClusterRole(cr)],
  validateUpdate: (cr) => validateClusterRole(cr),
  columns: [CREATED_AT_COLUMN],
  row: (cr) => [cr.metadata?.creationTimestamp ?? ''],
});
