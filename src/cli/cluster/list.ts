// `kite cluster list`: one row a cluster, with its node count, subnet, phase and whether its
// processes still run.
import { isProcessOf } from './host.js';
import type { ClusterState } from './state.js';

export interface ClusterRow {
  name: string;
  nodes: number;
  subnet: string;
  status: string;
  kubeconfig: string;
}

/** `ready` and `creating` clusters whose server has gone say so; `failed` ones keep their phase. */
export async function clusterRow(state: ClusterState, alive = isProcessOf): Promise<ClusterRow> {
  const { plan } = state;
  const serverUp = state.server ? await alive(state.server.pid, plan.server.dataDir) : false;
  let agentsUp = 0;
  for (const n of plan.nodes) {
    const a = state.agents[n.index];
    if (a && await alive(a.pid, n.dataDir)) agentsUp++;
  }
  const status = state.phase === 'failed' ? 'Failed'
    : !serverUp ? 'Stopped'
      : state.phase === 'creating' ? 'Creating'
        : agentsUp === plan.nodes.length ? 'Running' : `Degraded (${agentsUp}/${plan.nodes.length} agents)`;
  return { name: plan.name, nodes: plan.nodes.length, subnet: plan.subnet, status, kubeconfig: plan.kubeconfig };
}

export function formatRows(rows: ClusterRow[]): string {
  if (rows.length === 0) return 'No clusters.\n';
  const table = [['NAME', 'NODES', 'SUBNET', 'STATUS', 'KUBECONFIG'], ...rows.map((r) => [r.name, String(r.nodes), r.subnet, r.status, r.kubeconfig])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join('')).join('\n') + '\n';
}

export async function formatClusterList(states: ClusterState[]): Promise<string> {
  return formatRows(await Promise.all(states.map((s) => clusterRow(s))));
}
