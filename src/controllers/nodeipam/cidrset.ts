// The set of per-node subnets carved out of the cluster CIDR, as Kubernetes' range allocator
// keeps it: a bitmap of equal-size subnets, handed out round-robin from after the last one
// given, so a subnet freed a moment ago is not reused at once.

import { formatCIDR, parseCIDR as parseAnyCIDR, type IPv4Net } from '../../apimachinery/ipv4.js';

export { formatCIDR, formatIPv4, parseIPv4, type IPv4Net } from '../../apimachinery/ipv4.js';

/** Parses `a.b.c.d/n`; the address must be the network's own (no host bits set). */
export function parseCIDR(text: string): IPv4Net | undefined {
  return parseAnyCIDR(text, { strict: true });
}

export class CIDRSetError extends Error {}

export class CIDRSet {
  readonly cluster: IPv4Net;
  readonly subnetPrefix: number;
  readonly size: number;
  private readonly used: Uint8Array;
  private allocated = 0;
  private next = 0;

  constructor(clusterCIDR: string, subnetPrefix: number) {
    const cluster = parseCIDR(clusterCIDR);
    if (!cluster) throw new CIDRSetError(`"${clusterCIDR}" is not an IPv4 CIDR`);
    if (!Number.isInteger(subnetPrefix) || subnetPrefix < cluster.prefix || subnetPrefix > 30) {
      throw new CIDRSetError(`node mask size /${subnetPrefix} does not fit in ${clusterCIDR} (between /${cluster.prefix} and /30)`);
    }
    // Kubernetes refuses more than 2^16 subnets per cluster CIDR; so do we.
    if (subnetPrefix - cluster.prefix > 16) throw new CIDRSetError(`${clusterCIDR} split in /${subnetPrefix} gives more than 65536 subnets`);
    this.cluster = cluster;
    this.subnetPrefix = subnetPrefix;
    this.size = 2 ** (subnetPrefix - cluster.prefix);
    this.used = new Uint8Array(this.size);
  }

  get free(): number {
    return this.size - this.allocated;
  }

  private subnet(i: number): string {
    return formatCIDR({ base: this.cluster.base + i * 2 ** (32 - this.subnetPrefix), prefix: this.subnetPrefix });
  }

  /** The subnet's index, or undefined when it is not one of ours (other size, outside the range). */
  private indexOf(cidr: string): number | undefined {
    const net = parseCIDR(cidr);
    if (!net || net.prefix !== this.subnetPrefix) return undefined;
    const offset = net.base - this.cluster.base;
    if (offset < 0) return undefined;
    const i = offset / 2 ** (32 - this.subnetPrefix);
    return i < this.size ? i : undefined;
  }

  /** The next free subnet, or undefined when every one is taken. */
  allocateNext(): string | undefined {
    for (let k = 0; k < this.size; k++) {
      const i = (this.next + k) % this.size;
      if (!this.used[i]) {
        this.used[i] = 1;
        this.allocated++;
        this.next = (i + 1) % this.size;
        return this.subnet(i);
      }
    }
    return undefined;
  }

  /** Marks a subnet a node already has as taken; false when it is not one of this set's subnets. */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined) return false;
    if (!this.used[i]) {
      this.used[i] = 1;
      this.allocated++;
    }
    return true;
  }

  release(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined || !this.used[i]) return false;
    this.used[i] = 0;
    this.allocated--;
    return true;
  }

  isUsed(cidr: string): boolean {
    const i = this.indexOf(cidr);
    return i !== undefined && this.used[i] === 1;
  }
}
