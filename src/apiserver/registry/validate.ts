// The validation every object passes before it is stored: metadata, schema-required fields, and
// the kind's own rules.
import type { KubeObject } from '../../apimachinery/object.js';
import type { FieldError } from '../../apimachinery/status.js';
import {
  isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isValidPathSegmentName, validateObjectMeta,
  validateObjectMetaUpdate,
} from '../../apimachinery/validation.js';
import { checkStructure, getDefinition } from '../../api/schema.js';
import type { ResourceType } from '../../api/types.js';

/** Name rules that differ from the default DNS-1123 subdomain, by group-resource. */
const nameRules: Record<string, (name: string) => string[]> = {
  namespaces: isDNS1123Label,
  services: isDNS1035Label,
  'roles.rbac.authorization.k8s.io': isValidPathSegmentName,
  'rolebindings.rbac.authorization.k8s.io': isValidPathSegmentName,
  'clusterroles.rbac.authorization.k8s.io': isValidPathSegmentName,
  'clusterrolebindings.rbac.authorization.k8s.io': isValidPathSegmentName,
  'statefulsets.apps': isDNS1123Label,
};

function nameValidator(rt: ResourceType): (name: string) => string[] {
  return nameRules[rt.group ? `${rt.plural}.${rt.group}` : rt.plural] ?? isDNS1123Subdomain;
}

/**
 * Fields the schema marks required. Status is written by controllers, and Go decodes an absent
 * non-pointer status field as its zero value, so status is exempt.
 */
function requiredFieldErrors(rt: ResourceType, obj: KubeObject): FieldError[] {
  // Custom resources have no built-in definition: their own validate checks their schema.
  if (!getDefinition(rt.schema)) return [];
  return checkStructure(obj, rt.schema).filter((e) => e.type === 'FieldValueRequired' && !e.field.startsWith('status'));
}

/** Kinds also check their own names; one error per field and type is enough. */
function dedupe(errs: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const k = `${e.type}\0${e.field}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function validateCreate(rt: ResourceType, obj: KubeObject): FieldError[] {
  const errs = validateObjectMeta(obj.metadata ?? {}, { namespaced: rt.namespaced, nameValidator: nameValidator(rt) });
  errs.push(...requiredFieldErrors(rt, obj));
  errs.push(...(rt.validate?.(obj) ?? []));
  return dedupe(errs);
}

export function validateUpdate(rt: ResourceType, obj: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateObjectMeta(obj.metadata ?? {}, { namespaced: rt.namespaced, nameValidator: nameValidator(rt) });
  errs.push(...validateObjectMetaUpdate(obj.metadata ?? {}, old.metadata ?? {}));
  errs.push(...requiredFieldErrors(rt, obj));
  errs.push(...(rt.validateUpdate?.(obj, old) ?? rt.validate?.(obj) ?? []));
  return dedupe(errs);
}
