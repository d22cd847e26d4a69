// networking.k8s.io/v1 Ingress: HTTP routing rules from hosts and paths to Service backends.
// Validation as Kubernetes' ValidateIngressCreate/Update and ValidateIngressStatusUpdate; printed
// as NAME, CLASS, HOSTS, ADDRESS, PORTS, AGE.
import { isIP } from 'node:net';
import type { FieldError } from '../../../apimachinery/status.js';
import {
  isDNS1035Label, isDNS1123Subdomain, isValidPathSegmentName, maxLenError, regexError, DNS1123_SUBDOMAIN_MAX_LENGTH,
} from '../../../apimachinery/validation.js';
import type { TypedLocalObjectReference } from 'kubernetes-types/core/v1.js';
import type {
  HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressLoadBalancerStatus, IngressRule, IngressSpec,
} from 'kubernetes-types/networking/v1.js';
import { AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import { invalid, invalidEach, notSupported, required } from '../shared/field-errors.js';
import { GoText } from '../shared/go-values.js';
import { isSet } from '../shared/is-set.js';
import { statusSubresource } from '../shared/subresources.js';
import { isValidPortName, isValidPortNum } from '../core/container-validation.js';

export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
/** Sorted, as Kubernetes lists them. */
const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];
const LOAD_BALANCER_WIDTH = 16;

const wildcardFmt = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const wildcardRe = new RegExp(`^${wildcardFmt}$`);
const wildcardMsg = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";

export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!wildcardRe.test(value)) errs.push(regexError(wildcardMsg, wildcardFmt, '*.example.com'));
  return errs;
}

interface Options {
  /** An old object already held a bad TLS secret name (kept valid for compatibility). */
  allowInvalidSecretName: boolean;
  /** An old object already held a wildcard-host rule with invalid paths. */
  allowInvalidWildcardHostRule: boolean;
}
const STRICT: Options = { allowInvalidSecretName: false, allowInvalidWildcardHostRule: false };

function validateTypedLocalObjectReference(ref: TypedLocalObjectReference, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (isSet(ref.apiGroup)) errs.push(...invalidEach(`${path}.apiGroup`, ref.apiGroup, isDNS1123Subdomain(ref.apiGroup)));
  for (const field of ['kind', 'name'] as const) {
    const v = ref[field];
    if (!v) errs.push(required(`${path}.${field}`));
    else errs.push(...invalidEach(`${path}.${field}`, v, isValidPathSegmentName(v)));
  }
  return errs;
}

export function validateIngressBackend(backend: IngressBackend, path: string): FieldError[] {
  const { resource, service } = backend;
  if (isSet(resource) && isSet(service)) return [invalid(path, '', 'cannot set both resource and service backends')];
  if (isSet(resource)) return validateTypedLocalObjectReference(resource, `${path}.resource`);
  if (!isSet(service)) return [invalid(path, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  if (!service.name) errs.push(required(`${path}.service.name`));
  else errs.push(...invalidEach(`${path}.service.name`, service.name, isDNS1035Label(service.name)));
  const name = service.port?.name ?? '';
  const number = service.port?.number ?? 0;
  if (name && number) errs.push(invalid(path, '', 'cannot set both port name & port number'));
  else if (name) errs.push(...invalidEach(`${path}.service.port.name`, name, isValidPortName(name)));
  else if (number) errs.push(...invalidEach(`${path}.service.port.number`, number, isValidPortNum(number)));
  else errs.push(required(path, 'port name or number is required'));
  return errs;
}

function validateHTTPIngressPath(p: HTTPIngressPath, path: string): FieldError[] {
  if (!isSet(p.pathType)) return [required(`${path}.pathType`, 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = p.path ?? '';
  switch (p.pathType) {
    case 'Exact': case 'Prefix':
      if (!value.startsWith('/')) errs.push(invalid(`${path}.path`, value, 'must be an absolute path'));
      for (const seq of INVALID_PATH_SEQUENCES) {
        if (value.includes(seq)) errs.push(invalid(`${path}.path`, value, `must not contain '${seq}'`));
      }
      for (const suffix of INVALID_PATH_SUFFIXES) {
        if (value.endsWith(suffix)) errs.push(invalid(`${path}.path`, value, `cannot end with '${suffix}'`));
      }
      break;
    case 'ImplementationSpecific':
      if (value && !value.startsWith('/')) errs.push(invalid(`${path}.path`, value, 'must be an absolute path'));
      break;
    default:
      errs.push(notSupported(`${path}.pathType`, p.pathType, PATH_TYPES));
  }
  errs.push(...validateIngressBackend(p.backend ?? {}, `${path}.backend`));
  return errs;
}

function validateRuleValue(http: HTTPIngressRuleValue | undefined, path: string): FieldError[] {
  if (!isSet(http)) return [];
  const paths = http.paths ?? [];
  const errs: FieldError[] = paths.length === 0 ? [required(`${path}.http.paths`)] : [];
  paths.forEach((p, i) => errs.push(...validateHTTPIngressPath(p, `${path}.http.paths[${i}]`)));
  return errs;
}

function validateRules(rules: readonly IngressRule[], opts: Options): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((rule, i) => {
    const at = `spec.rules[${i}]`;
    const host = rule.host ?? '';
    let wildcard = false;
    if (host) {
      if (isIP(host)) errs.push(invalid(`${at}.host`, host, 'must be a DNS name, not an IP address'));
      wildcard = host.includes('*');
      errs.push(...invalidEach(`${at}.host`, host, wildcard ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host)));
    }
    if (!wildcard || !opts.allowInvalidWildcardHostRule) errs.push(...validateRuleValue(rule.http, at));
  });
  return errs;
}

function goRules(rules: readonly IngressRule[] | undefined): GoText {
  return new GoText(rules === undefined ? '[]networking.IngressRule(nil)' : '[]networking.IngressRule{}');
}

export function validateIngressSpec(spec: IngressSpec, opts: Options = STRICT): FieldError[] {
  const errs: FieldError[] = [];
  const rules = spec.rules ?? [];
  if (rules.length === 0 && !isSet(spec.defaultBackend)) {
    errs.push(invalid('spec', goRules(spec.rules ?? undefined), 'either `defaultBackend` or `rules` must be specified'));
  }
  if (isSet(spec.defaultBackend)) errs.push(...validateIngressBackend(spec.defaultBackend, 'spec.defaultBackend'));
  errs.push(...validateRules(rules, opts));
  (spec.tls ?? []).forEach((tls, i) => {
    (tls.hosts ?? []).forEach((host, j) => {
      const check = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      errs.push(...invalidEach(`spec.tls[${i}].hosts[${j}]`, host, check));
    });
    if (!opts.allowInvalidSecretName && tls.secretName) {
      errs.push(...invalidEach(`spec.tls[${i}].secretName`, tls.secretName, isDNS1123Subdomain(tls.secretName)));
    }
  });
  if (isSet(spec.ingressClassName)) {
    errs.push(...invalidEach('spec.ingressClassName', spec.ingressClassName, isDNS1123Subdomain(spec.ingressClassName)));
  }
  return errs;
}

export function validateIngressLoadBalancerStatus(lb: IngressLoadBalancerStatus | undefined, path = 'status.loadBalancer'): FieldError[] {
  const errs: FieldError[] = [];
  (lb?.ingress ?? []).forEach((ing, i) => {
    const at = `${path}.ingress[${i}]`;
    if (ing.ip && !isIP(ing.ip)) errs.push(invalid(`${at}.ip`, ing.ip, 'must be a valid IP address'));
    if (ing.hostname) {
      errs.push(...invalidEach(`${at}.hostname`, ing.hostname, isDNS1123Subdomain(ing.hostname)));
      if (isIP(ing.hostname)) errs.push(invalid(`${at}.hostname`, ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

export function validateIngress(ing: Ingress): FieldError[] {
  const errs = validateIngressSpec(ing.spec ?? {});
  const annotation = ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
  const className = ing.spec?.ingressClassName;
  if (annotation !== undefined && isSet(className) && annotation !== className) {
    errs.push(invalid(`annotations.${INGRESS_CLASS_ANNOTATION}`, annotation, 'must match `ingressClassName` when both are specified'));
  }
  return errs;
}

/** Values an old object already held stay acceptable; status is checked as a status write would be. */
export function validateIngressUpdate(ing: Ingress, old: Ingress): FieldError[] {
  const oldSpec = old.spec ?? {};
  const opts: Options = {
    allowInvalidSecretName: (oldSpec.tls ?? []).some((t) => !!t.secretName && isDNS1123Subdomain(t.secretName).length > 0),
    allowInvalidWildcardHostRule: (oldSpec.rules ?? []).some((r) => (r.host ?? '').includes('*') && validateRuleValue(r.http, '').length > 0),
  };
  return [...validateIngressSpec(ing.spec ?? {}, opts), ...validateIngressLoadBalancerStatus(ing.status?.loadBalancer)];
}

/** Up to three hosts, then how many rules are left, or `*` when no rule names a host. */
function hostsCell(rules: readonly IngressRule[] | undefined): string {
  const list = rules ?? [];
  const hosts: string[] = [];
  let more = false;
  for (const rule of list) {
    if (hosts.length === 3) more = true;
    if (!more && rule.host) hosts.push(rule.host);
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${list.length - 3} more...` : hosts.join(',');
}

function addressCell(lb: IngressLoadBalancerStatus | undefined): string {
  const set = new Set<string>();
  for (const i of lb?.ingress ?? []) {
    if (i.ip) set.add(i.ip);
    else if (i.hostname) set.add(i.hostname);
  }
  const text = [...set].sort().join(',');
  return text.length > LOAD_BALANCER_WIDTH ? `${text.slice(0, LOAD_BALANCER_WIDTH - 3)}...` : text;
}

export function ingressRow(ing: Ingress, now: number): unknown[] {
  return [
    ing.spec?.ingressClassName ?? '<none>', hostsCell(ing.spec?.rules), addressCell(ing.status?.loadBalancer),
    (ing.spec?.tls ?? []).length > 0 ? '80, 443' : '80', age(ing, now),
  ];
}

export const ingresses = defineResource<Ingress>({
  group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', singular: 'ingress',
  namespaced: true, shortNames: ['ing'],
  subresources: [statusSubresource('Ingress')],
  schema: 'io.k8s.api.networking.v1.Ingress',
  hasStatus: true, tracksGeneration: true,
  validate: validateIngress,
  validateUpdate: validateIngressUpdate,
  columns: [
    { name: 'Class', type: 'string', priority: 0, description: 'The name of the IngressClass resource that should be used.' },
    { name: 'Hosts', type: 'string', priority: 0, description: 'Hosts that incoming requests are matched against before the ingress rule.' },
    { name: 'Address', type: 'string', priority: 0, description: 'The addresses of the load-balancer ingress points.' },
    { name: 'Ports', type: 'string', priority: 0, description: 'Ports the ingress listens on (443 with TLS configured).' },
    AGE_COLUMN,
  ],
  row: ingressRow,
});
