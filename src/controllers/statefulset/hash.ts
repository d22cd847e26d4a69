// Template hashes for ControllerRevision names and the `controller-revision-hash` label:
// FNV-1a over a canonical JSON form, rendered in Kubernetes' vowel-free alphabet so hashes never
// spell words and always make valid label values.

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** Kubernetes' SafeEncodeString: each character mapped into the alphabet by its code. */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += alphabet[s.charCodeAt(i) % alphabet.length];
  return out;
}

/** JSON with object keys sorted, so equal values always give the same text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
}

function fnv1a(h: number, bytes: Uint8Array): number {
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

/** The hash of a pod template, changed by a collision count so a clash can be escaped. */
export function templateHash(template: unknown, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv1a(2166136261, enc.encode(canonicalJson(template)));
  if (collisionCount !== undefined && collisionCount !== null) h = fnv1a(h, enc.encode(String(collisionCount)));
  return safeEncode(String(h >>> 0));
}
