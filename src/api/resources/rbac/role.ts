// rbac.authorization.k8s.io/v1 Role (namespaced).
import type { Role } from 'kubernetes-types/rbac/v1.js';
import { defineResource } from '../shared/define-resource.js';
import { CREATED_AT_COLUMN, validateRbacName, validateRules } from './rbac-checks.js';

export const roles = defineResource<Role>({
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', singular: 'role',
  namespaced: true,
  schema: 'io.k8s.api.rbac.v1.Role',
  validate: (r) => [...validateRbacName(r.metadata?.name), ...validateRules(r.rules, true)],
  validateUpdate: (r) => validateRules(r.rules, true),
  columns: [CREATED_AT_COLUMN],
  row: (r) => [r.metadata?.creationTimestamp ?? ''],
});
