// Sets of IPv4 addresses as sorted, disjoint, inclusive ranges of 32-bit numbers: what an ipBlock
// with `except` and a rule's pod peers turn into before they become an nftables interval set
// (which refuses overlapping elements, so everything is merged here first).
import { formatIPv4, parseCIDR, parseIPv4 } from '../../apimachinery/ipv4.js';

/** Inclusive [first, last] address numbers. */
export type Range = [number, number];

/** The addresses of `a.b.c.d/n` (or of one address), or undefined when it does not parse. */
export function cidrRange(text: string): Range | undefined {
  const single = parseIPv4(text.trim());
  if (single !== undefined) return [single, single];
  const net = parseCIDR(text);
  if (!net) return undefined;
  return [net.base, net.base + 2 ** (32 - net.prefix) - 1];
}

/** Sorted, with touching or overlapping ranges joined. */
export function mergeRanges(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Range[] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** `ranges` without the addresses of `holes`. */
export function subtractRanges(ranges: Range[], holes: Range[]): Range[] {
  let out = mergeRanges(ranges);
  for (const [hlo, hhi] of mergeRanges(holes)) {
    const next: Range[] = [];
    for (const [lo, hi] of out) {
      if (hhi < lo || hlo > hi) {
        next.push([lo, hi]);
        continue;
      }
      if (lo < hlo) next.push([lo, hlo - 1]);
      if (hi > hhi) next.push([hhi + 1, hi]);
    }
    out = next;
  }
  return out;
}

export function rangesContain(ranges: Range[], addr: number): boolean {
  return ranges.some(([lo, hi]) => addr >= lo && addr <= hi);
}

/** nftables element syntax: `10.0.0.1`, `10.0.0.0/24` when the range is a prefix, else `a-b`. */
export function formatRange([lo, hi]: Range): string {
  if (lo === hi) return formatIPv4(lo);
  const size = hi - lo + 1;
  const prefix = 32 - Math.log2(size);
  if (Number.isInteger(prefix) && lo % size === 0) return `${formatIPv4(lo)}/${prefix}`;
  return `${formatIPv4(lo)}-${formatIPv4(hi)}`;
}
