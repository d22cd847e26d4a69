// Small helpers over decoded JSON values.

/** The JSON type name kube-openapi reports for a value: integral numbers are `integer`. */
export function jsonType(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

export { deepEqual as deepEqualJSON } from '../../apimachinery/deep-equal.js';

/** A canonical JSON text (object keys sorted), for set-membership of compound values. */
export function canonicalJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJSON(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export function cloneJSON<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** `a.b` for a property, `a[b]`-free: kube-openapi joins names with dots. */
export function childPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
