// Names for pod templates: the `pod-template-hash` of Deployments and the
// `controller-revision-hash` of DaemonSets and StatefulSets. FNV-1a over a canonical JSON form
// (and the collision count as 4 little-endian bytes, as Kubernetes adds it), rendered in
// Kubernetes' vowel-free alphabet so hashes never spell words and always make valid label values.

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** Kubernetes' SafeEncodeString: each character mapped into the alphabet by its code. */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

/** JSON with object keys sorted at every level, so equal values always give the same text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

function fnv1a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The hash of a template, changed by a collision count so a name clash can be escaped. */
export function templateHash(template: unknown, collisionCount?: number | null): string {
  let h = fnv1a(new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a(b, h);
  }
  return safeEncode(String(h));
}
