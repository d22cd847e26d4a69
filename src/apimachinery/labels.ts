// Label selectors: the string syntax of `?labelSelector=` and `kubectl -l`, and metav1.LabelSelector
// with Kubernetes' null-versus-empty rule.

import { badRequest } from './status.js';
import { RequirementsSelector, newRequirement } from './labels-requirement.js';
import type { LabelSelector, Requirement, SelectorOperator } from './labels-requirement.js';

export { RequirementsSelector, newRequirement, requirementMatches, requirementToString } from './labels-requirement.js';
export type { LabelSelector, Requirement, SelectorOperator } from './labels-requirement.js';
export { parseSelector } from './labels-parser.js';

/** metav1.LabelSelector as it appears in specs. */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: string; values?: string[] | null }[] | null;
}

/** Matches every object: what an empty `{}` metav1.LabelSelector or an empty string means. */
export function everything(): LabelSelector {
  return new RequirementsSelector([]);
}

/** Matches no object: what a null metav1.LabelSelector means (e.g. a PDB without selector). */
export function nothing(): LabelSelector {
  return {
    requirements: [],
    matches: () => false,
    empty: () => false,
    toString: () => '',
    requiresExactMatch: () => undefined,
  };
}

/** `{app: web}` → `app=web`. An empty or missing set matches everything. */
export function selectorFromSet(set: Record<string, string> | undefined | null): LabelSelector {
  return new RequirementsSelector(Object.entries(set ?? {}).map(([key, v]) => ({ key, operator: '=', values: [v] })));
}

// ---- metav1.LabelSelector -------------------------------------------------------------------

const specOperators: Record<string, SelectorOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * Converts a metav1.LabelSelector. Kubernetes' rule: a null selector matches nothing, an empty
 * one (`{}`) matches everything. Invalid selectors throw a BadRequest StatusError.
 */
export function selectorFromLabelSelector(ls: LabelSelectorSpec | undefined | null): LabelSelector {
  if (ls === null || ls === undefined) return nothing();
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(ls.matchLabels ?? {})) reqs.push(checked(newRequirement(k, '=', [v])));
  for (const expr of ls.matchExpressions ?? []) {
    const op = specOperators[expr.operator];
    if (!op) throw badRequest(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    reqs.push(checked(newRequirement(expr.key, op, [...(expr.values ?? [])])));
  }
  return new RequirementsSelector(reqs);
}

function checked(r: Requirement | string): Requirement {
  if (typeof r === 'string') throw badRequest(r);
  return r;
}

/**
 * The string form of a metav1.LabelSelector, as Scale.status.selector carries it
 * (`app=web,tier in (a,b)`, sorted by key). Null and empty selectors both render as "".
 */
export function selectorToString(ls: LabelSelectorSpec | undefined | null): string {
  return selectorFromLabelSelector(ls).toString();
}

/** kubectl's SELECTOR column: `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(ls: LabelSelectorSpec | undefined | null): string {
  try {
    return selectorToString(ls) || '<none>';
  } catch {
    return '<error>';
  }
}
