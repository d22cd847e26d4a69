// Which webhooks a write goes to: rules (operations, groups, versions, resources and subresources,
// scope), matchPolicy Equivalent across the versions we serve, and the namespace and object
// label selectors, as k8s.io/apiserver's webhook predicates decide them.
import type { LabelSelectorSpec } from '../../../apimachinery/labels.js';
import { selectorFromLabelSelector } from '../../../apimachinery/labels.js';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { AdmissionAttributes } from './attributes.js';
import type { ConfiguredWebhook } from './hook.js';

export interface WebhookRuleSpec {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: string;
}

/** The group-version-resource a webhook sees, which differs from the request's under Equivalent matching. */
export interface MatchedResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
}

const listMatches = (list: string[] | undefined, value: string) => (list ?? []).some((x) => x === '*' || x === value);

function resourceMatches(resources: string[] | undefined, plural: string, subresource: string): boolean {
  const wanted = subresource ? `${plural}/${subresource}` : plural;
  return (resources ?? []).some((r) => {
    if (r === '*/*' || r === wanted) return true;
    const slash = r.indexOf('/');
    if (slash < 0) return r === '*' && !subresource;
    const [res, sub] = [r.slice(0, slash), r.slice(slash + 1)];
    return (res === '*' || res === plural) && (sub === '*' || sub === subresource) && subresource !== '';
  });
}

function scopeMatches(scope: string | undefined, namespaced: boolean): boolean {
  if (!scope || scope === '*') return true;
  return scope === 'Namespaced' ? namespaced : !namespaced;
}

/** Whether one rule covers the request, with the resource addressed as `r`. */
export function ruleMatches(rule: WebhookRuleSpec, a: AdmissionAttributes, r: MatchedResource): boolean {
  return listMatches(rule.operations, a.operation)
    && listMatches(rule.apiGroups, r.group)
    && listMatches(rule.apiVersions, r.version)
    && resourceMatches(rule.resources, r.plural, a.subresource)
    && scopeMatches(rule.scope, a.rt.namespaced);
}

/**
 * The resource the webhook is called with, or undefined when its rules do not cover the request.
 * `equivalents` lists the other served versions of the same group and resource (with their kinds).
 */
export function matchingResource(hook: ConfiguredWebhook, a: AdmissionAttributes, equivalents: MatchedResource[]): MatchedResource | undefined {
  const rules = (hook.spec.rules ?? []) as WebhookRuleSpec[];
  const own: MatchedResource = { group: a.rt.group, version: a.rt.version, kind: a.rt.kind, plural: a.rt.plural };
  if (rules.some((rule) => ruleMatches(rule, a, own))) return own;
  if ((hook.spec.matchPolicy ?? 'Equivalent') !== 'Equivalent') return undefined;
  return equivalents.find((eq) => rules.some((rule) => ruleMatches(rule, a, eq)));
}

function selectorMatches(selector: LabelSelectorSpec | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  return selectorFromLabelSelector(selector).matches(labels ?? {});
}

const isEmptySelector = (s: LabelSelectorSpec | undefined) => !s || (!s.matchLabels && !s.matchExpressions?.length);

/**
 * namespaceSelector: cluster-scoped objects always match, a Namespace matches by its own labels,
 * anything else by the labels of its namespace (`namespaceLabels` fetches them).
 */
export async function namespaceSelectorMatches(
  hook: ConfiguredWebhook, a: AdmissionAttributes, namespaceLabels: (name: string) => Promise<Record<string, string> | undefined>,
): Promise<boolean> {
  const selector = hook.spec.namespaceSelector as LabelSelectorSpec | undefined;
  if (isEmptySelector(selector)) return true;
  if (!a.rt.group && a.rt.plural === 'namespaces') {
    const ns = a.object ?? a.oldObject;
    return selectorMatches(selector, ns?.metadata?.labels);
  }
  if (!a.rt.namespaced || !a.namespace) return true;
  return selectorMatches(selector, await namespaceLabels(a.namespace));
}

/** objectSelector: the new object's labels or the old object's labels match. */
export function objectSelectorMatches(hook: ConfiguredWebhook, a: AdmissionAttributes): boolean {
  const selector = hook.spec.objectSelector as LabelSelectorSpec | undefined;
  if (isEmptySelector(selector)) return true;
  const labelsOf = (o: KubeObject | undefined) => o?.metadata?.labels;
  return [a.object, a.oldObject].some((o) => o !== undefined && selectorMatches(selector, labelsOf(o)));
}
