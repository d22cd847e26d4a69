// Field selectors (`?fieldSelector=spec.nodeName=n1,status.phase!=Running`): equality terms ANDed
// together. As in Kubernetes, field names are not trimmed, `\` escapes `\`, `,` and `=` in
// values, and a missing field compares as the empty string.

import { StatusError, badRequest } from './status.js';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  /** Sorted the way Kubernetes sorts the terms (by their text). */
  requirements: FieldRequirement[];
  matches(get: (field: string) => string | undefined): boolean;
  empty(): boolean;
  toString(): string;
  /** The value when the whole selector is exactly `name=value`, e.g. a single-object watch. */
  onlyField(name: string): string | undefined;
  /** The value an equality term on `name` demands, even among other terms (Kubernetes' RequiresExactMatch). */
  requiresExactMatch(name: string): string | undefined;
}

export function escapeFieldValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
}

export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Kubernetes prints the rune as its number here; keep the wording identical.
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not escaped; the escapes stay in the terms. */
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

// `!=` and `==` are tried before `=` so that no `=` is left at the start of the value.
const termOperators = ['!=', '==', '='] as const;

function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

class RequirementsFieldSelector implements FieldSelector {
  constructor(readonly requirements: FieldRequirement[]) {}
  matches(get: (field: string) => string | undefined): boolean {
    return this.requirements.every((r) => ((get(r.field) ?? '') === r.value) === (r.op === '='));
  }
  empty(): boolean {
    return this.requirements.length === 0;
  }
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.op}${escapeFieldValue(r.value)}`).join(',');
  }
  onlyField(name: string): string | undefined {
    const [r, ...rest] = this.requirements;
    return r && rest.length === 0 && r.op === '=' && r.field === name ? r.value : undefined;
  }
  requiresExactMatch(name: string): string | undefined {
    return this.requirements.find((r) => r.field === name && r.op === '=')?.value;
  }
}

/** Parses a field selector; the empty string selects everything. Bad syntax is a 400. */
export function parseFieldSelector(s: string): FieldSelector {
  const terms = splitTerms(s).sort();
  const reqs: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    reqs.push({ field: parts.lhs, op: parts.op === '!=' ? '!=' : '=', value: unescapeFieldValue(parts.rhs) });
  }
  return new RequirementsFieldSelector(reqs);
}

/** A selector from `{field: value}` pairs, e.g. `{ 'metadata.name': 'web' }`. */
export function fieldSelectorFromSet(set: Record<string, string>): FieldSelector {
  return parseFieldSelector(Object.entries(set).map(([k, v]) => `${k}=${escapeFieldValue(v)}`).join(','));
}

/** The 400 Kubernetes returns when a resource cannot be filtered on `field`. */
export function fieldLabelNotSupported(field: string, kind: string): StatusError {
  return new StatusError(400, 'BadRequest', `field label not supported: ${field}`, { kind });
}
