// `kite cluster create`: the bridge and the nodes' namespaces, the server in the host's namespace,
// one agent per node in its own, all detached with their logs under the state dir; waits until the
// server answers and every node is Ready, then writes the cluster's kubeconfig.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import { httpsTransport } from '../../client/transport.js';
import { createBridge, createNodeNetwork, freePort, hostCidrs } from './host.js';
import { agentArgs, chooseSubnetIndex, inNetns, planCluster, serverArgs, type ClusterPlan } from './plan.js';
import { listClusterStates, newClusterState, redactToken, writeClusterState, type ClusterState } from './state.js';

export interface CreateOptions {
  name: string;
  nodes: number;
  stateDir: string;
  /** How long the server and the nodes have to become ready. */
  waitMs: number;
  /** How to run `kite` itself: the node binary and the arguments before the command. */
  self: string[];
  print(line: string): void;
}

export class ClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `command` detached, in its own process group, with its output appended to `log`. */
async function spawnDetached(command: string[], log: string): Promise<ChildProcess> {
  await mkdir(dirname(log), { recursive: true, mode: 0o700 });
  const file = await open(log, 'a', 0o600);
  try {
    const [cmd, ...args] = command;
    const child = spawn(cmd!, args, { stdio: ['ignore', file.fd, file.fd], detached: true });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    return child;
  } finally {
    await file.close();
  }
}

/** The last lines of a log, for an error message. */
async function tail(log: string, lines = 15): Promise<string> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Rejects as soon as `child` exits, naming `what` and its log. */
function exitWatch(child: ChildProcess, what: string, log: string): { failed: Promise<never>; dispose(): void } {
  let onExit: (code: number | null, sig: NodeJS.Signals | null) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    onExit = (code, sig) => reject(new ClusterError(`${what} exited (${sig ?? `code ${code}`}); see ${log}`));
    child.once('exit', onExit);
  });
  failed.catch(() => undefined);
  return { failed, dispose: () => child.off('exit', onExit) };
}

/** Polls `check` until it is true, failing at `deadline` with `timeoutMessage`, or as soon as `failed` rejects. */
async function until(check: () => Promise<boolean>, deadline: number, timeoutMessage: () => Promise<string>, failed: Promise<never>[]): Promise<void> {
  for (;;) {
    const ok = await Promise.race([check().catch(() => false), ...failed]);
    if (ok) return;
    if (Date.now() > deadline) throw new ClusterError(await timeoutMessage());
    await Promise.race([sleep(250), ...failed]);
  }
}

/** The server's admin kubeconfig with the cluster, user and context named `kite-<name>`. */
export function clusterKubeconfig(adminYaml: string, name: string): string {
  const doc = parse(adminYaml) as Record<string, any>;
  const id = `kite-${name}`;
  const current = (doc.contexts ?? []).find((c: any) => c.name === doc['current-context']) ?? doc.contexts?.[0];
  const cluster = (doc.clusters ?? []).find((c: any) => c.name === current?.context?.cluster) ?? doc.clusters?.[0];
  const user = (doc.users ?? []).find((u: any) => u.name === current?.context?.user) ?? doc.users?.[0];
  if (!cluster || !user) throw new Error('the server wrote a kubeconfig without a cluster or user');
  return stringify({
    apiVersion: 'v1', kind: 'Config', preferences: {},
    clusters: [{ name: id, cluster: cluster.cluster }],
    users: [{ name: id, user: user.user }],
    contexts: [{ name: id, context: { cluster: id, user: id } }],
    'current-context': id,
  });
}

/** Node name → whether its Ready condition is True, as the API has it now. */
async function nodeReadiness(kubeconfig: string): Promise<Map<string, boolean>> {
  const t = httpsTransport(await loadKubeconfig(kubeconfig), 'kite-cluster');
  try {
    const res = await t.request('GET', '/api/v1/nodes');
    if (res.status !== 200) return new Map();
    const items = (JSON.parse(res.body.toString()).items ?? []) as any[];
    return new Map(items.map((n) => [n.metadata?.name as string, (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')]));
  } finally {
    t.close();
  }
}

async function serverReady(kubeconfig: string): Promise<boolean> {
  if (!existsSync(kubeconfig)) return false;
  const t = httpsTransport(await loadKubeconfig(kubeconfig), 'kite-cluster');
  try {
    return (await t.request('GET', '/readyz')).status === 200;
  } finally {
    t.close();
  }
}

/** Creates the cluster; resolves with its state. A failure leaves what was made, recorded, for `kite cluster delete`. */
export async function createCluster(opts: CreateOptions): Promise<ClusterState> {
  const existing = await listClusterStates(opts.stateDir);
  if (existing.some((s) => s.plan.name === opts.name) || existsSync(`${opts.stateDir}/${opts.name}`)) {
    throw new ClusterError(`cluster "${opts.name}" exists (${opts.stateDir}/${opts.name}); delete it first with: kite cluster delete --name ${opts.name}`);
  }
  const k = chooseSubnetIndex(await hostCidrs(), existing.map((s) => s.plan.subnetIndex));
  const plan = planCluster({ name: opts.name, stateDir: opts.stateDir, nodes: opts.nodes, subnetIndex: k });
  const state = newClusterState(plan, new Date());
  await mkdir(opts.stateDir, { recursive: true, mode: 0o700 });
  await writeClusterState(state);
  try {
    await createHostNetwork(plan, opts.print);
    await startProcesses(plan, state, opts);
    await writeFile(plan.kubeconfig, clusterKubeconfig(await readFile(plan.server.kubeconfig, 'utf8'), plan.name), { mode: 0o600 });
    await chmod(plan.kubeconfig, 0o600);
    state.phase = 'ready';
    await writeClusterState(state);
    return state;
  } catch (err) {
    state.phase = 'failed';
    state.error = err instanceof Error ? err.message : String(err);
    await writeClusterState(state).catch(() => undefined);
    throw err;
  }
}

async function createHostNetwork(plan: ClusterPlan, print: (line: string) => void): Promise<void> {
  print(`bridge ${plan.bridge} with ${plan.gateway}/24`);
  await createBridge(plan);
  for (const node of plan.nodes) {
    print(`namespace ${node.netns}: ${node.ip} (veth ${node.hostVeth})`);
    await createNodeNetwork(plan, node);
  }
}

async function startProcesses(plan: ClusterPlan, state: ClusterState, opts: CreateOptions): Promise<void> {
  const deadline = Date.now() + opts.waitMs;
  const port = await freePort();
  state.port = port;
  const sArgs = [...opts.self, ...serverArgs(plan, port)];
  const server = await spawnDetached(sArgs, plan.server.log);
  state.server = { pid: server.pid!, args: sArgs, log: plan.server.log };
  await writeClusterState(state);
  opts.print(`server (pid ${server.pid}) on port ${port}; log ${plan.server.log}`);
  const watches = [exitWatch(server, 'the server', plan.server.log)];
  const children: ChildProcess[] = [server];
  try {
    await until(() => serverReady(plan.server.kubeconfig), deadline,
      async () => `the server did not become ready within ${opts.waitMs / 1000}s; see ${plan.server.log}:\n${await tail(plan.server.log)}`,
      watches.map((w) => w.failed));
    const token = (await readFile(plan.server.nodeToken, 'utf8')).trim();
    for (const node of plan.nodes) {
      const args = inNetns(node.netns, [...opts.self, ...agentArgs(plan, node, port, token)]);
      const agent = await spawnDetached(args, node.log);
      children.push(agent);
      state.agents[node.index] = { pid: agent.pid!, args: redactToken(args), log: node.log };
      await writeClusterState(state);
      watches.push(exitWatch(agent, `the agent of node ${node.nodeName}`, node.log));
      opts.print(`node ${node.nodeName} (pid ${agent.pid}) in ${node.netns}; log ${node.log}`);
    }
    let ready = new Map<string, boolean>();
    await until(async () => {
      ready = await nodeReadiness(plan.server.kubeconfig);
      return plan.nodes.every((n) => ready.get(n.nodeName));
    }, deadline, async () => {
      const node = plan.nodes.find((n) => !ready.get(n.nodeName))!;
      const why = ready.has(node.nodeName) ? 'is not Ready' : 'has not registered';
      return `node ${node.nodeName} ${why} after ${opts.waitMs / 1000}s; see its log ${node.log}:\n${await tail(node.log)}`;
    }, watches.map((w) => w.failed));
  } finally {
    for (const w of watches) w.dispose();
    // The processes run on after this command exits.
    for (const c of children) c.unref();
  }
}
