// The VXLAN backend (flannel's): for nodes without a shared L2, pod traffic is tunnelled in UDP
// (VNI 1, port 8472) through one device per node. Learning is off: for each peer we program the
// whole path ourselves — an FDB entry (peer's device MAC → peer's address), a permanent neighbour
// (peer's podCIDR network address → that MAC) and an on-link route of the podCIDR via that address.
import { createHash } from 'node:crypto';
import { ANNOTATION_VTEP_MAC, type Peer } from './peers.js';
import { bestEffort, ROUTE_PROTOCOL, type Backend, type LocalNode } from './backend.js';
import { networkAddress } from './ipv4.js';
import type { CommandRunner } from './runner.js';

export const VXLAN_DEVICE = 'kite.1';
export const VXLAN_VNI = 1;
export const VXLAN_PORT = 8472;
/** A 1500-byte underlay less the 50 bytes of VXLAN, UDP, IP and Ethernet headers. */
export const VXLAN_MTU = 1450;

/**
 * A stable, locally administered unicast MAC for the node's VXLAN device: the same across restarts,
 * so peers' entries stay valid while the device is recreated.
 */
export function vtepMAC(nodeName: string): string {
  const h = createHash('sha256').update(`kite-vtep/${nodeName}`).digest();
  h[0] = (h[0]! & 0xfc) | 0x02;
  return [...h.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export interface VxlanOptions {
  /** The device name (default kite.1). */
  device?: string;
  vni?: number;
  port?: number;
  /** The device MTU (default 1450: a 1500-byte underlay less the encapsulation). */
  mtu?: number;
}

export class VxlanBackend implements Backend {
  readonly type = 'vxlan' as const;
  readonly device: string;
  private readonly vni: number;
  private readonly port: number;
  private readonly mtu: number;

  constructor(private readonly run: CommandRunner, opts: VxlanOptions = {}) {
    this.device = opts.device ?? VXLAN_DEVICE;
    this.vni = opts.vni ?? VXLAN_VNI;
    this.port = opts.port ?? VXLAN_PORT;
    this.mtu = opts.mtu ?? VXLAN_MTU;
  }

  async setup(local: LocalNode): Promise<Record<string, string>> {
    const mac = vtepMAC(local.name);
    // Recreated rather than reconciled: its settings (local address, VNI) cannot all be changed in place.
    await bestEffort(this.run, 'ip', ['link', 'del', this.device]);
    await this.run('ip', [
      'link', 'add', this.device, 'address', mac, 'mtu', String(this.mtu), 'type', 'vxlan', 'id', String(this.vni),
      'local', local.ip, 'dstport', String(this.port), 'nolearning',
    ]);
    await this.run('ip', ['addr', 'replace', `${networkAddress(local.podCIDR)}/32`, 'dev', this.device]);
    await this.run('ip', ['link', 'set', this.device, 'up']);
    return { [ANNOTATION_VTEP_MAC]: mac };
  }

  async addPeer(peer: Peer): Promise<void> {
    if (!peer.vtepMAC) throw new Error(`node ${peer.name} has no VXLAN endpoint MAC`);
    const gateway = networkAddress(peer.podCIDR);
    await this.run('bridge', ['fdb', 'replace', peer.vtepMAC, 'dev', this.device, 'dst', peer.ip, 'self', 'permanent']);
    await this.run('ip', ['neigh', 'replace', gateway, 'lladdr', peer.vtepMAC, 'dev', this.device, 'nud', 'permanent']);
    await this.run('ip', ['route', 'replace', peer.podCIDR, 'via', gateway, 'dev', this.device, 'onlink', 'proto', ROUTE_PROTOCOL]);
  }

  async removePeer(peer: Peer): Promise<void> {
    const gateway = networkAddress(peer.podCIDR);
    await bestEffort(this.run, 'ip', ['route', 'del', peer.podCIDR, 'via', gateway, 'dev', this.device, 'proto', ROUTE_PROTOCOL]);
    await bestEffort(this.run, 'ip', ['neigh', 'del', gateway, 'dev', this.device]);
    if (peer.vtepMAC) await bestEffort(this.run, 'bridge', ['fdb', 'del', peer.vtepMAC, 'dev', this.device, 'dst', peer.ip, 'self']);
  }

  async cleanup(): Promise<void> {
    // The device takes its routes, neighbours and FDB entries with it.
    await bestEffort(this.run, 'ip', ['link', 'del', this.device]);
  }
}
