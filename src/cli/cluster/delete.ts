// `kite cluster delete`: stops the cluster's processes by their recorded PIDs, takes the nodes'
// pods down through each node's containerd, then removes what is left under the state dir
// (processes, mounts, pod cgroups), the namespaces, the veths, the bridge and the state dir.
// Every step tolerates what an earlier delete or a half-finished create left.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { mountsUnder, processesNaming, removeBridge, removeNodeNetwork, stopProcesses, unmountAll } from './host.js';
import { removeNodePodCgroups, removeNodePods } from './runtime.js';
import { readClusterState, STATE_FILE, type ClusterState } from './state.js';
import { ClusterError } from './create.js';

export interface DeleteOptions {
  name: string;
  stateDir: string;
  /** SIGTERM to SIGKILL. */
  graceMs?: number;
  print(line: string): void;
}

/** Deletes the cluster; false when there was none. */
export async function deleteCluster(opts: DeleteOptions): Promise<boolean> {
  const dir = join(opts.stateDir, opts.name);
  const file = join(dir, STATE_FILE);
  if (!existsSync(file)) {
    if (existsSync(dir)) throw new ClusterError(`${dir} has no ${STATE_FILE}: not a cluster this command made; remove it by hand if it is stale`);
    return false;
  }
  const state = await readClusterState(file);
  await teardown(state, opts.graceMs ?? 30_000, opts.print);
  return true;
}

async function teardown(state: ClusterState, graceMs: number, print: (line: string) => void): Promise<void> {
  const { plan } = state;
  // The agents and the server together: each agent stops its kubelet and its containerd.
  const procs = [
    ...plan.nodes.flatMap((n) => (state.agents[n.index] ? [{ pid: state.agents[n.index]!.pid, mark: n.dataDir }] : [])),
    ...(state.server ? [{ pid: state.server.pid, mark: plan.server.dataDir }] : []),
  ];
  print(`stopping ${procs.length} process(es)`);
  await stopProcesses(procs, graceMs);

  // Containers outlive their agent: remove them through each node's runtime, nodes in parallel.
  const results = await Promise.allSettled(plan.nodes.map((n) => removeNodePods(n)));
  results.forEach((r, i) => {
    const node = plan.nodes[i]!;
    print(`node ${node.nodeName}: ${r.status === 'fulfilled' ? r.value : `could not remove its pods through the runtime (${String(r.reason?.message ?? r.reason)}); removing them by force`}`);
  });

  // Whatever still runs from the cluster's dir (shims, containers of a runtime that did not answer).
  const left = await processesNaming(plan.dir);
  if (left.length > 0) {
    print(`killing ${left.length} leftover process(es): ${left.join(', ')}`);
    await stopProcesses(left.map((pid) => ({ pid, mark: plan.dir })), 5_000);
  }
  await unmountAll(plan.dir);
  for (const node of plan.nodes) await removeNodePodCgroups(node);

  for (const node of plan.nodes) await removeNodeNetwork(node);
  await removeBridge(plan);
  print(`removed ${plan.nodes.length} namespace(s) and the bridge ${plan.bridge}`);

  const mounts = await mountsUnder(plan.dir);
  if (mounts.length > 0) throw new ClusterError(`still mounted under ${plan.dir}: ${mounts.join(', ')}; the state dir is kept`);
  await rm(plan.dir, { recursive: true, force: true });
  print(`removed ${plan.dir}`);
}
