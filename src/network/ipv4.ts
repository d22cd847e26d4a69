// IPv4 arithmetic the pod network needs: parsing podCIDRs and picking a subnet's network address.

import { formatIPv4, parseCIDR } from '../apimachinery/ipv4.js';

export { formatCIDR, formatIPv4, parseCIDR, parseIPv4, type IPv4Net } from '../apimachinery/ipv4.js';

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
