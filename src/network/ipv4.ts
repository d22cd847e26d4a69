// IPv4 arithmetic the pod network needs: parsing podCIDRs and picking a subnet's network address.

export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export interface IPv4Net {
  base: number;
  prefix: number;
}

/** Parses `a.b.c.d/n`, clearing host bits (so `10.42.1.7/24` is `10.42.1.0/24`). */
export function parseCIDR(text: string): IPv4Net | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) return undefined;
  const addr = parseIPv4(m[1]!);
  const prefix = Number(m[2]);
  if (addr === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  return { base: addr - (addr % size), prefix };
}

export function formatCIDR(net: IPv4Net): string {
  return `${formatIPv4(net.base)}/${net.prefix}`;
}

/** The subnet's network address (`10.42.1.0` of `10.42.1.0/24`): the VXLAN gateway flannel uses. */
export function networkAddress(cidr: string): string {
  const net = parseCIDR(cidr);
  if (!net) throw new Error(`"${cidr}" is not an IPv4 CIDR`);
  return formatIPv4(net.base);
}

export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCIDR(outer);
  const i = parseCIDR(inner);
  if (!o || !i || i.prefix < o.prefix) return false;
  const size = 2 ** (32 - o.prefix);
  return i.base - (i.base % size) === o.base;
}
