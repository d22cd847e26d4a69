// CIDR parsing as Kubernetes' networking validation reads it (Go's ParseCIDR, sloppy about
// leading zeros in IPv4 octets): IPv4 and IPv6 prefixes as big integers, for containment checks.
import { isIPv6 } from 'node:net';

export interface ParsedCIDR {
  family: 4 | 6;
  /** The network address (host bits cleared). */
  base: bigint;
  prefix: number;
}

function parseIPv4Sloppy(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d+$/.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(Number(p));
  }
  return n;
}

function parseIPv6(text: string): bigint | undefined {
  if (text.includes('%') || !isIPv6(text)) return undefined;
  let groups = text;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4Sloppy(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [Number(v4 >> 16n), Number(v4 & 0xffffn)];
    const before = text.slice(0, lastColon);
    groups = before.endsWith(':') ? `${before}:` : before;
  }
  const [head, rest] = groups.split('::') as [string, string | undefined];
  const split = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = split(head);
  const right = rest === undefined ? [] : split(rest);
  const fill = 8 - tail.length - left.length - right.length;
  if (fill < 0 || (rest === undefined && fill !== 0)) return undefined;
  const all = [...left, ...new Array<number>(fill).fill(0), ...right, ...tail];
  return all.reduce((n, g) => (n << 16n) | BigInt(g), 0n);
}

/** `ip/prefix` with an IPv4 or IPv6 address, or undefined when Go's ParseCIDR would refuse it. */
export function parseCIDR(text: string): ParsedCIDR | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  if (!/^\d+$/.test(bits)) return undefined;
  const family = ip.includes(':') ? 6 : 4;
  const addr = family === 4 ? parseIPv4Sloppy(ip) : parseIPv6(ip);
  const width = family === 4 ? 32 : 128;
  const prefix = Number(bits);
  if (addr === undefined || prefix > width) return undefined;
  const hostBits = BigInt(width - prefix);
  return { family, base: (addr >> hostBits) << hostBits, prefix };
}

/** Whether `inner` lies inside `outer` and is strictly smaller than it. */
export function isStrictSubset(inner: ParsedCIDR, outer: ParsedCIDR): boolean {
  if (inner.family !== outer.family || inner.prefix <= outer.prefix) return false;
  const hostBits = BigInt((outer.family === 4 ? 32 : 128) - outer.prefix);
  return (inner.base >> hostBits) === (outer.base >> hostBits);
}
