// Path elements of a field set in their FieldsV1 spelling: `f:<name>` for a field, `k:{...}` for
// the item of a list keyed by fields, `v:<json>` for the item of a set, `i:<n>` for a position.

/** The marker of "the node itself" inside a FieldsV1 object. */
export const SELF = '.';

export function fieldElement(name: string): string {
  return `f:${name}`;
}

/** A keyed list item: key fields in name order, values as compact JSON, as Kubernetes writes them. */
export function keyElement(key: Record<string, unknown>): string {
  const sorted = Object.keys(key).sort();
  return `k:{${sorted.map((k) => `${JSON.stringify(k)}:${stableJSON(key[k])}`).join(',')}}`;
}

export function valueElement(value: unknown): string {
  return `v:${stableJSON(value)}`;
}

export function indexElement(i: number): string {
  return `i:${i}`;
}

/** JSON with object keys in sorted order (Go's encoding of a map). */
export function stableJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJSON).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJSON(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export function isElement(s: string): boolean {
  return /^[fkvi]:/.test(s);
}

const rank: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Fields first, then keyed items, set values, positions; within a kind by their text (numerically for positions). */
export function compareElements(a: string, b: string): number {
  const ra = rank[a[0]] ?? 4;
  const rb = rank[b[0]] ?? 4;
  if (ra !== rb) return ra - rb;
  if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One element as Kubernetes prints it in a path: `.name`, `[name="web"]`, `[="x"]`, `[3]`. */
export function elementString(e: string): string {
  const body = e.slice(2);
  switch (e[0]) {
    case 'f': return `.${body}`;
    case 'i': return `[${body}]`;
    case 'v': return `[=${body}]`;
    case 'k': {
      try {
        const key = JSON.parse(body) as Record<string, unknown>;
        return `[${Object.keys(key).sort().map((k) => `${k}=${stableJSON(key[k])}`).join(',')}]`;
      } catch {
        return `[${body}]`;
      }
    }
    default: return e;
  }
}

/** A path as Kubernetes prints it in conflict messages, e.g. `.spec.containers[name="web"].image`. */
export function pathString(path: readonly string[]): string {
  return path.map(elementString).join('');
}
