// Rules shared by the four RBAC kinds: names, policy rules, subjects and role references.
import type { FieldError } from '../../../apimachinery/status.js';
import { isDNS1123Subdomain, isValidPathSegmentName } from '../../../apimachinery/validation.js';
import type { PolicyRule, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import { AGE_COLUMN } from '../shared/columns.js';
import { goStruct } from '../shared/go-values.js';
import { invalid, invalidEach, notSupported, required } from '../shared/field-errors.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** RBAC names only have to survive as a URL path segment (`system:controller:…` is fine). */
export function validateRbacName(name: string | undefined): FieldError[] {
  return name ? invalidEach('metadata.name', name, isValidPathSegmentName(name)) : [];
}

export function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if ((rule.verbs ?? []).length === 0) errs.push(required(`${path}.verbs`, 'verbs must contain at least one value'));
  const urls = rule.nonResourceURLs ?? [];
  if (urls.length > 0) {
    if (namespaced) errs.push(invalid(`${path}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if ((rule.apiGroups ?? []).length || (rule.resources ?? []).length || (rule.resourceNames ?? []).length) {
      errs.push(invalid(`${path}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if ((rule.apiGroups ?? []).length === 0) errs.push(required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if ((rule.resources ?? []).length === 0) errs.push(required(`${path}.resources`, 'resource rules must supply at least one resource'));
  return errs;
}

export function validateRules(rules: PolicyRule[] | undefined, namespaced: boolean): FieldError[] {
  return (rules ?? []).flatMap((r, i) => validatePolicyRule(r, namespaced, `rules[${i}]`));
}

export function setSubjectDefaults(subjects: Subject[] | undefined): void {
  for (const s of subjects ?? []) {
    if (s.apiGroup) continue;
    // A ServiceAccount's group is the core group, "", which Kubernetes' JSON leaves out.
    if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
    else if (s.kind === 'ServiceAccount') delete s.apiGroup;
  }
}

export function validateSubject(s: Subject, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(required(`${path}.name`));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) errs.push(...invalidEach(`${path}.name`, s.name, isDNS1123Subdomain(s.name)));
      if (s.apiGroup) errs.push(notSupported(`${path}.apiGroup`, s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(required(`${path}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(`${path}.apiGroup`, s.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(`${path}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

/** roleRef: the RBAC group, an allowed kind and a path-segment name. */
export function validateRoleRef(ref: RoleRef | undefined, kinds: string[]): FieldError[] {
  const r = ref ?? ({} as RoleRef);
  const errs: FieldError[] = [];
  if (r.apiGroup !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', r.apiGroup ?? '', [RBAC_GROUP]));
  if (!kinds.includes(r.kind)) errs.push(notSupported('roleRef.kind', r.kind ?? '', kinds));
  if (!r.name) errs.push(required('roleRef.name'));
  else errs.push(...invalidEach('roleRef.name', r.name, isValidPathSegmentName(r.name)));
  return errs;
}

/** Bindings never change which role they grant: delete and recreate instead. */
export function validateRoleRefUnchanged(ref: RoleRef | undefined, old: RoleRef | undefined): FieldError[] {
  const a = ref ?? ({} as RoleRef);
  const b = old ?? ({} as RoleRef);
  if (a.apiGroup === b.apiGroup && a.kind === b.kind && a.name === b.name) return [];
  const value = goStruct('rbac.RoleRef', [['APIGroup', a.apiGroup ?? ''], ['Kind', a.kind ?? ''], ['Name', a.name ?? '']]);
  return [invalid('roleRef', value, 'cannot change roleRef')];
}

/** USERS, GROUPS and SERVICEACCOUNTS cells of the binding printers. */
export function subjectCells(subjects: Subject[] | undefined): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of subjects ?? []) {
    if (s.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name}`);
    else if (s.kind === 'User') users.push(s.name);
    else if (s.kind === 'Group') groups.push(s.name);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

/** The `Created At` column roles use (Kubernetes' default table). */
export const CREATED_AT_COLUMN = {
  name: 'Created At', type: 'date' as const, priority: 0,
  description: 'Time the object was created (metadata.creationTimestamp).',
};

export function bindingColumns(what: string) {
  return [
    { name: 'Role', type: 'string' as const, priority: 0, description: 'The role this binding grants: kind/name.' },
    AGE_COLUMN,
    { name: 'Users', type: 'string' as const, priority: 1, description: `Users in the ${what}` },
    { name: 'Groups', type: 'string' as const, priority: 1, description: `Groups in the ${what}` },
    { name: 'ServiceAccounts', type: 'string' as const, priority: 1, description: `ServiceAccounts in the ${what}` },
  ];
}
