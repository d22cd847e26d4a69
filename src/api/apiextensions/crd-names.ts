// Names of a CRD (spec.names and status.acceptedNames), checked and defaulted as Kubernetes does.
import type { FieldError } from '../../apimachinery/status.js';
import { isDNS1035Label } from '../../apimachinery/validation.js';
import { child, crInvalid, key } from './cr-field-errors.js';
import { isObject } from './schema-types.js';

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : String(x))) : [];
}

export function validateCRDNames(names: unknown, path: string): FieldError[] {
  const n = isObject(names) ? names : {};
  const errs: FieldError[] = [];
  for (const f of ['plural', 'singular'] as const) {
    const v = str(n[f]);
    const problems = isDNS1035Label(v);
    if (v && problems.length) errs.push(crInvalid(child(path, f), v, problems.join(',')));
  }
  for (const f of ['kind', 'listKind'] as const) {
    const v = str(n[f]);
    const problems = isDNS1035Label(v.toLowerCase());
    if (v && problems.length) errs.push(crInvalid(child(path, f), v, `may have mixed case, but should otherwise match: ${problems.join(',')}`));
  }
  strings(n.shortNames).forEach((s, i) => {
    const problems = isDNS1035Label(s);
    if (problems.length) errs.push(crInvalid(key(child(path, 'shortNames'), i), s, problems.join(',')));
  });
  if (str(n.kind) && n.kind === n.listKind) errs.push(crInvalid(child(path, 'listKind'), n.listKind, 'kind and listKind may not be the same'));
  strings(n.categories).forEach((c, i) => {
    const problems = isDNS1035Label(c);
    if (problems.length) errs.push(crInvalid(key(child(path, 'categories'), i), c, problems.join(',')));
  });
  return errs;
}

/** singular defaults to the lowercased kind, listKind to `<kind>List`. */
export function setCRDNamesDefaults(names: Record<string, unknown>): void {
  const kind = str(names.kind);
  if (!str(names.singular)) names.singular = kind.toLowerCase();
  if (!str(names.listKind) && kind) names.listKind = `${kind}List`;
}
