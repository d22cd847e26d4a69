// Which dataplane this host can run, best first: nftables when nft can create and delete a table,
// iptables when iptables-restore exists and the nat table can be read, the userspace proxy when
// the kernel offers neither (as kube-proxy falls back).
import { randomBytes } from 'node:crypto';
import { type CommandRunner, spawnRunner } from './nft.js';
import { iptablesAvailable } from './iptables.js';

export type ProxyMode = 'nftables' | 'iptables' | 'userspace';
/** The modes the kernel-programming Proxier runs. */
export type KernelProxyMode = Exclude<ProxyMode, 'userspace'>;

export interface DetectOptions {
  /** Put before each command, e.g. `['ip', 'netns', 'exec', 'ns1']`. */
  prefix?: string[];
}

async function nftWorks(run: CommandRunner, prefix: string[]): Promise<boolean> {
  // A scratch table of its own name, so that two detections at once do not meet.
  const table = `kite-probe-${randomBytes(4).toString('hex')}`;
  const nft = [...prefix, 'nft', '-f', '-'];
  const added = await run(nft, `add table ip ${table}\n`);
  if (added.code !== 0) return false;
  return (await run(nft, `delete table ip ${table}\n`)).code === 0;
}

export async function detectProxyMode(run: CommandRunner = spawnRunner, opts: DetectOptions = {}): Promise<ProxyMode> {
  const prefix = opts.prefix ?? [];
  if (await nftWorks(run, prefix)) return 'nftables';
  if (await iptablesAvailable({ run, prefix })) return 'iptables';
  return 'userspace';
}
