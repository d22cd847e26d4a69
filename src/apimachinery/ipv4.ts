// IPv4 addresses and CIDRs as unsigned 32-bit numbers: parsing, formatting, containment. Shared by
// node IPAM, the pod network, the kubelet's CNI config and the host plumbing of `kite cluster`.

/** `a.b.c.d` as a number, or undefined when it is not a dotted-quad IPv4 address. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export interface IPv4Net {
  /** The network address (host bits cleared). */
  base: number;
  prefix: number;
}

/**
 * Parses `a.b.c.d/n`. Host bits are cleared (`10.42.1.7/24` is `10.42.1.0/24`) unless `strict`,
 * which refuses an address that is not the network's own.
 */
export function parseCIDR(text: string, opts: { strict?: boolean } = {}): IPv4Net | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) return undefined;
  const addr = parseIPv4(m[1]!);
  const prefix = Number(m[2]);
  if (addr === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  if (opts.strict && addr % size !== 0) return undefined;
  return { base: addr - (addr % size), prefix };
}

export function formatCIDR(net: IPv4Net): string {
  return `${formatIPv4(net.base)}/${net.prefix}`;
}
