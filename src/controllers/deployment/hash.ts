// The pod-template-hash: a short, stable name for a pod template, and template equality that
// ignores it.

import { canonicalJson } from '../../client/template-hash.js';

export const POD_TEMPLATE_HASH = 'pod-template-hash';

/** JSON with keys sorted at every level, so equal objects hash equally. */
export { canonicalJson as stableStringify } from '../../client/template-hash.js';

/** FNV-1a of the template (and of the collision count, when set), encoded as Kubernetes does. */
export { templateHash as computeHash } from '../../client/template-hash.js';

/** Drops what Go's semantic equality treats as absent: nulls, empty maps and empty lists. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? undefined : v.map((x) => normalize(x) ?? null);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const n = normalize(x);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v === null ? undefined : v;
}

/** Templates equal apart from the pod-template-hash label. */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  const strip = (t: unknown) => {
    const c = structuredClone(t ?? {}) as { metadata?: { labels?: Record<string, string> } };
    if (c.metadata?.labels) delete c.metadata.labels[POD_TEMPLATE_HASH];
    return canonicalJson(normalize(c) ?? {});
  };
  return strip(a) === strip(b);
}
