// Validation of admissionregistration.k8s.io/v1 webhook configurations, worded as Kubernetes'
// ValidateValidatingWebhookConfiguration / ValidateMutatingWebhookConfiguration word it for v1.
import type { FieldError } from '../../../apimachinery/status.js';
import type {
  MutatingWebhook, ValidatingWebhook, WebhookClientConfig,
} from 'kubernetes-types/admissionregistration/v1.js';
import type { WebhookRule } from './webhook-rule.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { duplicate, forbidden, invalid, notSupported, required } from '../shared/field-errors.js';
import { validateLabelSelector } from '../shared/label-checks.js';

export const SUPPORTED_REVIEW_VERSIONS = ['v1', 'v1beta1'];
const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];

/** metav1 IsFullyQualifiedName: a DNS subdomain with at least three dot-separated segments. */
function validateFullyQualifiedName(name: string | undefined, path: string): FieldError[] {
  if (!name) return [required(path)];
  const msgs = isDNS1123Subdomain(name);
  if (msgs.length) return [invalid(path, name, msgs.join(','))];
  if (name.split('.').length < 3) return [invalid(path, name, 'should be a domain with at least three segments separated by dots')];
  return [];
}

function validateList(values: string[] | undefined, path: string, what: string, allowEmpty: boolean): FieldError[] {
  if (!values?.length) return [required(path)];
  const errs: FieldError[] = [];
  if (values.length > 1 && values.includes('*')) errs.push(invalid(path, values, `if '*' is present, must not specify other ${what}`));
  if (!allowEmpty) values.forEach((v, i) => { if (v === '') errs.push(required(`${path}[${i}]`)); });
  return errs;
}

function validateResources(resources: string[] | undefined, path: string): FieldError[] {
  if (!resources?.length) return [required(path)];
  const errs: FieldError[] = [];
  const plain = new Set<string>();
  const subresources = new Map<string, Set<string>>();
  resources.forEach((r, i) => {
    if (r === '') { errs.push(required(`${path}[${i}]`)); return; }
    const slash = r.indexOf('/');
    if (slash < 0) { plain.add(r); return; }
    const res = r.slice(0, slash);
    const subs = subresources.get(res) ?? new Set<string>();
    subs.add(r.slice(slash + 1));
    subresources.set(res, subs);
  });
  if (resources.includes('*/*') && resources.length > 1) errs.push(invalid(path, resources, "if '*/*' is present, must not specify other resources"));
  else if (plain.has('*') && plain.size > 1) errs.push(invalid(path, resources, "if '*' is present, must not specify other resources without subresources"));
  for (const [res, subs] of subresources) {
    if (res !== '*' && subs.has('*') && subs.size > 1) errs.push(invalid(path, resources, `if '${res}/*' is present, must not specify ${res}/<other subresources>`));
  }
  return errs;
}

export function validateRule(rule: WebhookRule, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ops = rule.operations;
  if (!ops?.length) errs.push(required(`${path}.operations`));
  else {
    if (ops.length > 1 && ops.includes('*')) errs.push(invalid(`${path}.operations`, ops, "if '*' is present, must not specify other operations"));
    ops.forEach((op, i) => { if (!OPERATIONS.includes(op)) errs.push(notSupported(`${path}.operations[${i}]`, op, OPERATIONS)); });
  }
  errs.push(...validateList(rule.apiGroups, `${path}.apiGroups`, 'API groups', true));
  errs.push(...validateList(rule.apiVersions, `${path}.apiVersions`, 'API versions', false));
  errs.push(...validateResources(rule.resources, `${path}.resources`));
  if (rule.scope !== undefined && rule.scope !== null && !SCOPES.includes(rule.scope)) errs.push(notSupported(`${path}.scope`, rule.scope, SCOPES));
  return errs;
}

function validateReviewVersions(versions: string[] | undefined, path: string): FieldError[] {
  if (!versions?.length) return [required(path, `must specify one of ${SUPPORTED_REVIEW_VERSIONS.join(', ')}`)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    for (const m of isDNS1035Label(v)) errs.push(invalid(`${path}[${i}]`, v, m));
    if (seen.has(v)) errs.push(invalid(`${path}[${i}]`, v, 'duplicate version'));
    seen.add(v);
  });
  if (!versions.some((v) => SUPPORTED_REVIEW_VERSIONS.includes(v))) {
    errs.push(invalid(path, versions, `must include at least one of ${SUPPORTED_REVIEW_VERSIONS.join(', ')}`));
  }
  return errs;
}

/** k8s.io/apiserver ValidateWebhookURL with https required. */
export function validateWebhookURL(raw: string, path: string): FieldError[] {
  let u: URL;
  try { u = new URL(raw); } catch { return [invalid(path, raw, `parse ${JSON.stringify(raw)}: invalid URL`)]; }
  const errs: FieldError[] = [];
  if (u.protocol !== 'https:') errs.push(invalid(path, u.protocol.replace(/:$/, ''), "'https' is the only allowed URL scheme"));
  if (!u.host) errs.push(invalid(path, u.host, 'host must be specified'));
  if (u.username || u.password) errs.push(invalid(path, u.password ? `${u.username}:xxxxx` : u.username, 'user information is not permitted in the URL'));
  if (raw.includes('#')) errs.push(invalid(path, u.hash.slice(1), 'fragments are not permitted in the URL'));
  if (u.search || raw.includes('?')) errs.push(invalid(path, u.search.slice(1), 'query parameters are not permitted in the URL'));
  return errs;
}

function validateServicePath(p: string, path: string): FieldError[] {
  if (p === '/') return [];
  if (!p.startsWith('/')) return [invalid(path, p, "must start with a '/'")];
  const errs: FieldError[] = [];
  p.slice(1).split('/').forEach((segment, i) => {
    if (segment === '') { errs.push(invalid(path, p, `segment[${i}] may not be empty`)); return; }
    const msgs = isDNS1123Subdomain(segment);
    if (msgs.length) errs.push(invalid(path, p, `segment[${i}]: ${msgs.join(', ')}`));
  });
  return errs;
}

function validateClientConfig(cc: WebhookClientConfig | undefined, path: string): FieldError[] {
  const hasURL = typeof cc?.url === 'string';
  const svc = cc?.service;
  if (hasURL === Boolean(svc)) return [required(path, 'exactly one of url or service is required')];
  if (hasURL) return validateWebhookURL(cc!.url!, `${path}.url`);
  const errs: FieldError[] = [];
  if (!svc!.name) errs.push(required(`${path}.service.name`, 'service name is required'));
  if (!svc!.namespace) errs.push(required(`${path}.service.namespace`, 'service namespace is required'));
  const port = svc!.port;
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    errs.push(invalid(`${path}.service.port`, port, 'port is not valid: must be between 1 and 65535, inclusive'));
  }
  if (typeof svc!.path === 'string') errs.push(...validateServicePath(svc!.path, `${path}.service.path`));
  return errs;
}

function validateWebhook(hook: ValidatingWebhook | MutatingWebhook, path: string, mutating: boolean): FieldError[] {
  const errs = validateFullyQualifiedName(hook.name, `${path}.name`);
  ((hook.rules ?? []) as WebhookRule[]).forEach((rule, i) => errs.push(...validateRule(rule, `${path}.rules[${i}]`)));
  if (hook.failurePolicy !== undefined && !['Fail', 'Ignore'].includes(hook.failurePolicy)) {
    errs.push(notSupported(`${path}.failurePolicy`, hook.failurePolicy, ['Fail', 'Ignore']));
  }
  if (hook.matchPolicy !== undefined && !['Equivalent', 'Exact'].includes(hook.matchPolicy)) {
    errs.push(notSupported(`${path}.matchPolicy`, hook.matchPolicy, ['Equivalent', 'Exact']));
  }
  if (!hook.sideEffects) errs.push(required(`${path}.sideEffects`, 'must specify one of None, NoneOnDryRun'));
  else if (!['None', 'NoneOnDryRun'].includes(hook.sideEffects)) errs.push(notSupported(`${path}.sideEffects`, hook.sideEffects, ['None', 'NoneOnDryRun']));
  errs.push(...validateReviewVersions(hook.admissionReviewVersions, `${path}.admissionReviewVersions`));
  if (hook.timeoutSeconds !== undefined && (hook.timeoutSeconds < 1 || hook.timeoutSeconds > 30)) {
    errs.push(invalid(`${path}.timeoutSeconds`, hook.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
  }
  errs.push(...validateLabelSelector(hook.namespaceSelector, `${path}.namespaceSelector`));
  errs.push(...validateLabelSelector(hook.objectSelector, `${path}.objectSelector`));
  errs.push(...validateClientConfig(hook.clientConfig, `${path}.clientConfig`));
  if (mutating) {
    const policy = (hook as MutatingWebhook).reinvocationPolicy;
    if (policy !== undefined && !['IfNeeded', 'Never'].includes(policy)) errs.push(notSupported(`${path}.reinvocationPolicy`, policy, ['IfNeeded', 'Never']));
  }
  if (hook.matchConditions?.length) {
    errs.push(forbidden(`${path}.matchConditions`, 'not supported: matchConditions are CEL expressions, which this server does not evaluate'));
  }
  return errs;
}

/** Every webhook of a configuration, plus the rule that webhook names are unique within it. */
export function validateWebhooks(hooks: (ValidatingWebhook | MutatingWebhook)[] | undefined, mutating: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (hooks ?? []).forEach((hook, i) => {
    errs.push(...validateWebhook(hook, `webhooks[${i}]`, mutating));
    if (hook.name && names.has(hook.name)) errs.push(duplicate(`webhooks[${i}].name`, hook.name));
    names.add(hook.name);
  });
  return errs;
}
