// networking.k8s.io/v1 IngressClass (cluster-scoped): which controller implements a class of
// Ingresses, with optional parameters. Defaults and validation as Kubernetes' (the controller is
// immutable); printed as NAME, CONTROLLER, PARAMETERS, AGE.
import type { FieldError } from '../../../apimachinery/status.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPathSegmentName, regexError } from '../../../apimachinery/validation.js';
import type { IngressClass, IngressClassParametersReference, IngressClassSpec } from 'kubernetes-types/networking/v1.js';
import { AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import { forbidden, immutable, invalid, invalidEach, notSupported, required, tooLong } from '../shared/field-errors.js';
import { isSet } from '../shared/is-set.js';

/** The annotation marking the class new Ingresses without a class get. */
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
const MAX_CONTROLLER_LENGTH = 250;
/** Sorted, as Kubernetes lists them. */
const SCOPES = ['Cluster', 'Namespace'];
const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPathRe = new RegExp(`^${httpPathFmt}$`);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Parameters without a scope are cluster-scoped. */
export function setIngressClassDefaults(ic: IngressClass): void {
  const params = ic.spec?.parameters as Mutable<IngressClassParametersReference> | undefined;
  if (params && !isSet(params.scope)) params.scope = 'Cluster';
}

/** `acme.io/foo`: an RFC 1123 subdomain, a slash, then HTTP path characters. */
export function validateDomainPrefixedPath(value: string, path: string): FieldError[] {
  if (!value) return [required(path)];
  const slash = value.indexOf('/');
  const host = slash < 0 ? '' : value.slice(0, slash);
  const rest = slash < 0 ? '' : value.slice(slash + 1);
  if (!host || !rest) return [invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = invalidEach(path, host, isDNS1123Subdomain(host));
  if (!httpPathRe.test(rest)) errs.push(invalid(path, rest, regexError('Invalid path', httpPathFmt)));
  return errs;
}

function validateParameters(params: IngressClassParametersReference | undefined, path: string): FieldError[] {
  if (!isSet(params)) return [];
  const errs: FieldError[] = [];
  if (isSet(params.apiGroup)) errs.push(...invalidEach(`${path}.apiGroup`, params.apiGroup, isDNS1123Subdomain(params.apiGroup)));
  for (const field of ['kind', 'name'] as const) {
    const v = params[field];
    if (!v) errs.push(required(`${path}.${field}`));
    else errs.push(...invalidEach(`${path}.${field}`, v, isValidPathSegmentName(v)));
  }
  if (!isSet(params.scope)) return [...errs, required(`${path}.scope`)];
  if (!SCOPES.includes(params.scope)) {
    errs.push(notSupported(`${path}.scope`, params.scope, SCOPES));
  } else if (params.scope === 'Namespace') {
    if (!isSet(params.namespace)) errs.push(required(`${path}.namespace`, "`parameters.scope` is set to 'Namespace'"));
    else errs.push(...invalidEach(`${path}.namespace`, params.namespace, isDNS1123Label(params.namespace)));
  } else if (isSet(params.namespace)) {
    errs.push(forbidden(`${path}.namespace`, "`parameters.scope` is set to 'Cluster'"));
  }
  return errs;
}

export function validateIngressClassSpec(spec: IngressClassSpec, path = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  const controller = spec.controller ?? '';
  if (!controller) {
    errs.push(required(`${path}.controller`));
  } else {
    if (controller.length > MAX_CONTROLLER_LENGTH) errs.push(tooLong(`${path}.controller`, MAX_CONTROLLER_LENGTH));
    errs.push(...validateDomainPrefixedPath(controller, `${path}.controller`));
  }
  errs.push(...validateParameters(spec.parameters, `${path}.parameters`));
  return errs;
}

export function validateIngressClass(ic: IngressClass): FieldError[] {
  return validateIngressClassSpec(ic.spec ?? {});
}

export function validateIngressClassUpdate(ic: IngressClass, old: IngressClass): FieldError[] {
  const controller = ic.spec?.controller ?? '';
  const errs = controller !== (old.spec?.controller ?? '') ? [immutable('spec.controller', controller)] : [];
  return [...errs, ...validateIngressClass(ic)];
}

export function ingressClassRow(ic: IngressClass, now: number): unknown[] {
  const p = ic.spec?.parameters;
  const parameters = p ? `${p.kind}${isSet(p.apiGroup) ? `.${p.apiGroup}` : ''}/${p.name}` : '<none>';
  return [ic.spec?.controller ?? '', parameters, age(ic, now)];
}

export const ingressclasses = defineResource<IngressClass>({
  group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', plural: 'ingressclasses', singular: 'ingressclass',
  namespaced: false,
  schema: 'io.k8s.api.networking.v1.IngressClass',
  tracksGeneration: true,
  setDefaults: setIngressClassDefaults,
  validate: validateIngressClass,
  validateUpdate: validateIngressClassUpdate,
  columns: [
    { name: 'Controller', type: 'string', priority: 0, description: 'The name of the controller that implements this class.' },
    { name: 'Parameters', type: 'string', priority: 0, description: 'A reference to the resource holding the class parameters.' },
    AGE_COLUMN,
  ],
  row: ingressClassRow,
});
