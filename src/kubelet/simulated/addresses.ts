// Addresses simulated nodes and pods report. They are status text only: nothing ever connects to
// them. Node i gets InternalIP 10.244.x.y and the pod range 10.42.<i>.0/24 (carrying into the
// second octet past 256 nodes, so tens of thousands of nodes get ranges of their own).

/** The node's InternalIP for index `i` (0-based): 10.244.0.1, 10.244.0.2, … 10.244.0.254, 10.244.1.1, … */
export function nodeInternalIP(i: number): string {
  return `10.${244 + Math.floor(i / (254 * 256))}.${Math.floor(i / 254) % 256}.${(i % 254) + 1}`;
}

/** The /24 pod range of node `i`, as its network prefix (`10.42.7`) — the CIDR is `<prefix>.0/24`. */
export function podRangePrefix(i: number): string {
  return `10.${42 + Math.floor(i / 256)}.${i % 256}`;
}

/**
 * Pod addresses of one node: .2 to .254 of its /24, handed out round-robin and skipping those in
 * use, so an address is not reused while a pod that had it may still be listed.
 */
export class PodAddressRange {
  private readonly used = new Set<number>();
  private next = 2;

  constructor(readonly prefix: string) {}

  get cidr(): string {
    return `${this.prefix}.0/24`;
  }

  /** Marks an address some pod already reports as taken (after a restart of the simulator). */
  claim(ip: string): void {
    const host = this.hostOf(ip);
    if (host !== undefined) this.used.add(host);
  }

  release(ip: string): void {
    const host = this.hostOf(ip);
    if (host !== undefined) this.used.delete(host);
  }

  /** A free address; when all 253 are taken, the next in turn (a real node would refuse the pod). */
  allocate(): string {
    for (let tries = 0; tries < 253; tries++) {
      const host = this.next;
      this.next = this.next >= 254 ? 2 : this.next + 1;
      if (!this.used.has(host)) {
        this.used.add(host);
        return `${this.prefix}.${host}`;
      }
    }
    const host = this.next;
    this.next = this.next >= 254 ? 2 : this.next + 1;
    return `${this.prefix}.${host}`;
  }

  private hostOf(ip: string): number | undefined {
    if (!ip.startsWith(`${this.prefix}.`)) return undefined;
    const host = Number(ip.slice(this.prefix.length + 1));
    return Number.isInteger(host) && host >= 2 && host <= 254 ? host : undefined;
  }
}
