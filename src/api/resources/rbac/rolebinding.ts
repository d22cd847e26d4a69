// rbac.authorization.k8s.io/v1 RoleBinding (namespaced): grants a Role or ClusterRole in one namespace.
import type { FieldError } from '../../../apimachinery/status.js';
import type { RoleBinding } from 'kubernetes-types/rbac/v1.js';
import { age } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import {
  RBAC_GROUP, bindingColumns, setSubjectDefaults, subjectCells, validateRbacName, validateRoleRef, validateRoleRefUnchanged,
  validateSubject,
} from './rbac-checks.js';

export function setRoleBindingDefaults(rb: RoleBinding): void {
  if (rb.roleRef && !rb.roleRef.apiGroup) rb.roleRef.apiGroup = RBAC_GROUP;
  setSubjectDefaults(rb.subjects);
}

function validateBody(rb: RoleBinding): FieldError[] {
  return [
    ...validateRoleRef(rb.roleRef, ['Role', 'ClusterRole']),
    ...(rb.subjects ?? []).flatMap((s, i) => validateSubject(s, true, `subjects[${i}]`)),
  ];
}

export const rolebindings = defineResource<RoleBinding>({
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', singular: 'rolebinding',
  namespaced: true,
  schema: 'io.k8s.api.rbac.v1.RoleBinding',
  setDefaults: setRoleBindingDefaults,
  validate: (rb) => [...validateRbacName(rb.metadata?.name), ...validateBody(rb)],
  validateUpdate: (rb, old) => [...validateBody(rb), ...validateRoleRefUnchanged(rb.roleRef, old.roleRef)],
  columns: bindingColumns('roleBinding'),
  row: (rb, now) => [`${rb.roleRef?.kind ?? ''}/${rb.roleRef?.name ?? ''}`, age(rb, now), ...subjectCells(rb.subjects)],
});
