// Masquerade for pod traffic leaving the cluster, in an nftables table of our own (`ip kite-nat`):
// pod-to-pod traffic, on this node or across nodes, keeps its source address.
import { bestEffort } from './backend.js';
import type { CommandRunner } from './runner.js';

export const NAT_TABLE = 'kite-nat';

export function masqueradeRuleset(podCIDR: string, clusterCIDR: string): string {
  // Declaring then deleting the table first makes the script replace it whole, in one transaction.
  return [
    `table ip ${NAT_TABLE}`,
    `delete table ip ${NAT_TABLE}`,
    `table ip ${NAT_TABLE} {`,
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    ip saddr ${podCIDR} ip daddr ${clusterCIDR} return`,
    `    ip saddr ${podCIDR} ip daddr 224.0.0.0/4 return`,
    `    ip saddr ${podCIDR} masquerade`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export async function applyMasquerade(run: CommandRunner, podCIDR: string, clusterCIDR: string): Promise<void> {
  await run('nft', ['-f', '-'], { input: masqueradeRuleset(podCIDR, clusterCIDR) });
}

export async function removeMasquerade(run: CommandRunner): Promise<void> {
  await bestEffort(run, 'nft', ['delete', 'table', 'ip', NAT_TABLE]);
}
