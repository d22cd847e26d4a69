// rbac.authorization.k8s.io/v1 ClusterRoleBinding (cluster-scoped): grants a ClusterRole everywhere.
import type { FieldError } from '../../../apimachinery/status.js';
import type { ClusterRoleBinding } from 'kubernetes-types/rbac/v1.js';
import { age } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import {
  RBAC_GROUP, bindingColumns, setSubjectDefaults, subjectCells, validateRbacName, validateRoleRef, validateRoleRefUnchanged,
  validateSubject,
} from './rbac-checks.js';

export function setClusterRoleBindingDefaults(crb: ClusterRoleBinding): void {
  if (crb.roleRef && !crb.roleRef.apiGroup) crb.roleRef.apiGroup = RBAC_GROUP;
  setSubjectDefaults(crb.subjects);
}

function validateBody(crb: ClusterRoleBinding): FieldError[] {
  return [
    ...validateRoleRef(crb.roleRef, ['ClusterRole']),
    ...(crb.subjects ?? []).flatMap((s, i) => validateSubject(s, false, `subjects[${i}]`)),
  ];
}

export const clusterrolebindings = defineResource<ClusterRoleBinding>({
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings',
  singular: 'clusterrolebinding', namespaced: false,
  schema: 'io.k8s.api.rbac.v1.ClusterRoleBinding',
  setDefaults: setClusterRoleBindingDefaults,
  validate: (crb) => [...validateRbacName(crb.metadata?.name), ...validateBody(crb)],
  validateUpdate: (crb, old) => [...validateBody(crb), ...validateRoleRefUnchanged(crb.roleRef, old.roleRef)],
  columns: bindingColumns('clusterRoleBinding'),
  row: (crb, now) => [`${crb.roleRef?.kind ?? ''}/${crb.roleRef?.name ?? ''}`, age(crb, now), ...subjectCells(crb.subjects)],
});
