// A label selector requirement and the selector made of them: matching, rendering, validation.

import { isQualifiedName, isValidLabelValue } from './validation.js';

/** Operator spellings are Kubernetes' `selection.Operator` values. */
export type SelectorOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

export interface LabelSelector {
  matches(labels: Record<string, string> | undefined): boolean;
  /** True when the selector does not restrict anything (it matches every object). */
  empty(): boolean;
  toString(): string;
  /** Sorted by key. */
  requirements: Requirement[];
  /** The value a `key=value` / `key==value` / `key in (value)` requirement demands, if any. */
  requiresExactMatch(key: string): string | undefined;
}

/** In Kubernetes' order, which shows in error messages. */
export const binaryOperators = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

export function requirementMatches(r: Requirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels![r.key]! : undefined;
  switch (r.operator) {
    case 'in': case '=': case '==':
      return has && r.values.includes(value!);
    case 'notin': case '!=':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt': case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const lv = parseInt64(value!);
      const rv = parseInt64(r.values[0]!);
      if (lv === undefined || rv === undefined) return false;
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
  }
}

function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v >= -(2n ** 63n) && v < 2n ** 63n ? v : undefined;
}

export function requirementToString(r: Requirement): string {
  const prefix = r.operator === '!' ? '!' : '';
  if (r.operator === 'exists' || r.operator === '!') return prefix + r.key;
  const op: Record<string, string> = { '=': '=', '==': '==', '!=': '!=', in: ' in ', notin: ' notin ', gt: '>', lt: '<' };
  // Values print sorted so that equal selectors render identically.
  const vals = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(',');
  const set = r.operator === 'in' || r.operator === 'notin';
  return `${r.key}${op[r.operator]}${set ? `(${vals})` : vals}`;
}

export class RequirementsSelector implements LabelSelector {
  readonly requirements: Requirement[];
  constructor(reqs: Requirement[]) {
    this.requirements = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  matches(labels: Record<string, string> | undefined): boolean {
    return this.requirements.every((r) => requirementMatches(r, labels));
  }
  empty(): boolean {
    return this.requirements.length === 0;
  }
  toString(): string {
    return this.requirements.map(requirementToString).join(',');
  }
  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((x) => x.key === key);
    if (!r || !['=', '==', 'in'].includes(r.operator) || r.values.length !== 1) return undefined;
    return r.values[0];
  }
}

// ---- validation of a requirement (Kubernetes' NewRequirement) ------------------------------

/** Field paths as Go renders them: an unset root path prints as `<nil>`. */
export function invalidText(path: string, value: unknown, detail: string): string {
  const v = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value ?? null);
  return `${path}: Invalid value: ${v}: ${detail}`;
}

function keyError(key: string, path: string): string | undefined {
  const errs = isQualifiedName(key);
  return errs.length ? invalidText(path, key, errs.join('; ')) : undefined;
}

/** Returns the requirement or the aggregated error text. */
export function newRequirement(key: string, operator: string, values: string[], path = ''): Requirement | string {
  const errs: string[] = [];
  const keyErr = keyError(key, path ? `${path}.key` : 'key');
  if (keyErr) errs.push(keyErr);
  const vp = path ? `${path}.values` : 'values';
  switch (operator) {
    case 'in': case 'notin':
      if (values.length === 0) errs.push(invalidText(vp, values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=': case '==': case '!=':
      if (values.length !== 1) errs.push(invalidText(vp, values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists': case '!':
      if (values.length !== 0) errs.push(invalidText(vp, values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt': case 'lt':
      if (values.length !== 1) errs.push(invalidText(vp, values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalidText(`${vp}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default: {
      const valid = [...binaryOperators, 'exists', '!'].map((s) => JSON.stringify(s)).join(', ');
      errs.push(`${path ? `${path}.operator` : 'operator'}: Unsupported value: ${JSON.stringify(operator)}: supported values: ${valid}`);
    }
  }
  values.forEach((v, i) => {
    const ve = isValidLabelValue(v);
    if (ve.length) errs.push(invalidText(`${vp}[${i}][${key}]`, v, ve.join('; ')));
  });
  if (errs.length === 0) return { key, operator: operator as SelectorOperator, values };
  return errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`;
}
