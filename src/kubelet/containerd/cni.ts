// The pod network as a CNI conflist: a `bridge` with host-local addresses from the node's podCIDR
// (the bridge takes the first address as the pods' gateway) and `portmap` for hostPorts. The
// plugins are Debian's containernetworking-plugins. containerd's CRI brings up each sandbox's `lo`
// with the `loopback` plugin itself, so the chain does not repeat it.
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatIPv4, parseIPv4 } from '../../apimachinery/ipv4.js';

export interface CniConfListOptions {
  /** The network's name (also the conflist file's name). */
  name: string;
  /** The Linux bridge the pods' veths join; created by the bridge plugin on first use. */
  bridge: string;
  /** The node's pod CIDR, IPv4 (`10.42.0.0/24`). */
  podCIDR: string;
  mtu?: number;
  /** Masquerade pod traffic leaving the node (default true); off when the pod network agent does it. */
  masquerade?: boolean;
  /** host-local's lease directory; the plugin's default is /var/lib/cni/networks. */
  ipamDataDir?: string;
  cniVersion?: string;
}

export interface CniConfList {
  cniVersion: string;
  name: string;
  plugins: Record<string, unknown>[];
}

function parseIPv4OrThrow(ip: string): number {
  const n = parseIPv4(ip);
  if (n === undefined) throw new Error(`not an IPv4 address: ${ip}`);
  return n;
}

/** The network, its gateway (first address) and prefix length of an IPv4 CIDR. */
export function ipv4Network(cidr: string): { network: string; gateway: string; prefix: number } {
  const [ip, len] = cidr.split('/');
  const prefix = Number(len);
  if (!ip || len === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 30) {
    throw new Error(`podCIDR ${cidr}: want an IPv4 CIDR with a prefix of at most /30`);
  }
  const size = 2 ** (32 - prefix);
  const base = Math.floor(parseIPv4OrThrow(ip) / size) * size;
  return { network: formatIPv4(base), gateway: formatIPv4(base + 1), prefix };
}

export function cniConfList(opts: CniConfListOptions): CniConfList {
  const { network, gateway, prefix } = ipv4Network(opts.podCIDR);
  const ipam: Record<string, unknown> = {
    type: 'host-local',
    ranges: [[{ subnet: `${network}/${prefix}`, gateway }]],
    routes: [{ dst: '0.0.0.0/0' }],
  };
  if (opts.ipamDataDir) ipam.dataDir = opts.ipamDataDir;
  const bridge: Record<string, unknown> = {
    type: 'bridge',
    bridge: opts.bridge,
    isGateway: true,
    ipMasq: opts.masquerade ?? true,
    // A pod reaching a Service that lands on itself goes out and back through the bridge port.
    hairpinMode: true,
    ipam,
  };
  if (opts.mtu) bridge.mtu = opts.mtu;
  return {
    cniVersion: opts.cniVersion ?? '1.0.0',
    name: opts.name,
    plugins: [bridge, { type: 'portmap', capabilities: { portMappings: true } }],
  };
}

/**
 * Writes the conflist as `<dir>/10-<name>.conflist` (atomically: containerd watches the directory)
 * and removes other network configs there, since the runtime uses only the first one it finds.
 */
export async function writeCniConfig(dir: string, conflist: CniConfList): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `10-${conflist.name}.conflist`);
  const tmp = `${file}.tmp`;
  await writeFile(tmp, `${JSON.stringify(conflist, null, 2)}\n`, { mode: 0o644 });
  await rename(tmp, file);
  for (const entry of await readdir(dir)) {
    const path = join(dir, entry);
    if (path !== file && /\.(conflist|conf|json)$/.test(entry)) await rm(path, { force: true });
  }
  return file;
}
