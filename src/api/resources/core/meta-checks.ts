// Checks on names, label maps and object equality that several core kinds share.
import type { KubeObject, ObjectMeta } from '../../../apimachinery/object.js';
import type { FieldError } from '../../../apimachinery/status.js';
import { isQualifiedName, isValidLabelValue } from '../../../apimachinery/validation.js';
import { invalid } from '../shared/field-errors.js';

export type NameCheck = (name: string) => string[];

/** `metadata.name` against the kind's name rule (subdomain, label, …), one error per message. */
export function validateName(obj: { metadata?: ObjectMeta }, check: NameCheck): FieldError[] {
  const name = obj.metadata?.name;
  if (!name) return []; // required-ness and generateName are the server's generic checks
  return check(name).map((m) => invalid('metadata.name', name, m));
}

/** Label keys must be qualified names and values label values; errors sit on the map's path. */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(invalid(path, k, m));
    for (const m of isValidLabelValue(v)) errs.push(invalid(path, v, m));
  }
  return errs;
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

/**
 * Equality as Kubernetes compares API objects: a missing field equals its zero value and an
 * empty list or map equals a missing one, so a round trip through JSON never reads as a change.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
    for (const k of keys) if (!semanticEqual(ra[k], rb[k])) return false;
    return true;
  }
  return false;
}

/** A typed kubernetes-types object as the ResourceType interface carries it. */
export type Obj<T> = T & KubeObject;

export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}
