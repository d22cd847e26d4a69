// The address forms cluster DNS names carry: dashed pod names (`10-42-0-5`), reverse-lookup names
// under in-addr.arpa and ip6.arpa, and the address family of a Service's or endpoint's IP.
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export function familyOf(ip: string): Family | undefined {
  if (isIPv4(ip)) return 4;
  if (isIPv6(ip)) return 6;
  return undefined;
}

/** The 16 bytes of an IPv6 address, or undefined. */
function ipv6Bytes(ip: string): number[] | undefined {
  if (!isIPv6(ip)) return undefined;
  let text = ip;
  const tail: number[] = [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as the last two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    tail.push(...v4[1]!.split('.').map(Number));
    text = `${text.slice(0, -v4[1]!.length)}0:0`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const all = rest === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (v4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** The canonical (RFC 5952-ish: lower case, longest zero run compressed) form of an IP. */
export function canonicalIP(ip: string): string {
  if (isIPv4(ip)) return ip;
  const b = ipv6Bytes(ip);
  if (!b) return ip;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b[i]! * 256 + b[i + 1]!);
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** `10-42-0-5` for 10.42.0.5; `fd00--1` for fd00::1 (the form CoreDNS uses in names). */
export function dashedIP(ip: string): string {
  return canonicalIP(ip).replace(/[.:]/g, '-');
}

/**
 * The address a pod name's first label spells (`10-42-0-5` → 10.42.0.5, `fd00--1` → fd00::1),
 * or undefined when it spells none.
 */
export function ipFromDashed(label: string): string | undefined {
  const v4 = label.split('-');
  if (v4.length === 4 && v4.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return v4.map(Number).join('.');
  const v6 = label.replace(/-/g, ':');
  return isIPv6(v6) && !v6.includes('.') ? canonicalIP(v6) : undefined;
}

/**
 * The address a reverse-lookup name (lower case, no trailing dot) stands for: `5.0.42.10.in-addr.arpa`
 * → 10.42.0.5; 32 nibbles under ip6.arpa → the IPv6 address. Undefined for partial or bad names.
 */
export function ipFromReverse(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
    return parts.reverse().map(Number).join('.');
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const hex = nibbles.reverse().join('');
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4));
    return canonicalIP(groups.join(':'));
  }
  return undefined;
}

/** Whether a (lower-case, dotless) name lies in a reverse-lookup zone. */
export function isReverseName(name: string): boolean {
  return name === 'in-addr.arpa' || name.endsWith('.in-addr.arpa') || name === 'ip6.arpa' || name.endsWith('.ip6.arpa');
}
