// `kite cluster create|delete|list`: several nodes on one host, each agent in a network namespace
// of its own on a bridge, with the server in the host's namespace (what kind does with Docker).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { FlagError } from '../flags.js';
import { clusterNameError, DEFAULT_CLUSTER_NAME, MAX_NODES } from './plan.js';

export const DEFAULT_STATE_DIR = '/var/lib/kite/clusters';
const DEFAULT_WAIT_SECONDS = 180;

export interface ClusterIO {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export interface RawClusterFlags {
  name?: string;
  nodes?: string;
  stateDir?: string;
  wait?: string;
}

export interface ClusterFlags {
  name: string;
  nodes: number;
  stateDir: string;
  waitMs: number;
}

export function parseClusterFlags(raw: RawClusterFlags, cwd: string): ClusterFlags {
  const name = (raw.name ?? DEFAULT_CLUSTER_NAME).trim();
  const nameError = clusterNameError(name);
  if (nameError) throw new FlagError(`--name: ${nameError}`);
  const nodesText = (raw.nodes ?? '1').trim();
  const nodes = Number(nodesText);
  if (!/^\d+$/.test(nodesText) || nodes < 1 || nodes > MAX_NODES) throw new FlagError(`--nodes: "${raw.nodes}" is not a number from 1 to ${MAX_NODES}`);
  const waitText = (raw.wait ?? `${DEFAULT_WAIT_SECONDS}s`).trim();
  const m = /^(\d+)(s|m)?$/.exec(waitText);
  if (!m) throw new FlagError(`--wait: "${raw.wait}" is not a duration such as 90s or 3m`);
  const waitMs = Number(m[1]) * (m[2] === 'm' ? 60_000 : 1_000);
  const stateDir = raw.stateDir?.trim() ? resolve(cwd, raw.stateDir.trim()) : DEFAULT_STATE_DIR;
  return { name, nodes, stateDir, waitMs };
}

/** How to run this `kite` again for the server and the agents: the same node, flags and entry script. */
function selfCommand(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1]!];
}

function needsRoot(what: string): string | undefined {
  if (process.getuid?.() === 0) return undefined;
  return `kite cluster ${what} needs root: it makes network namespaces, interfaces and mounts and runs containerd (try: sudo kite cluster ${what} ...)`;
}

const examples = `
Examples:
  $ sudo kite cluster create --nodes 3               # cluster "dev": a server and 3 nodes
  $ sudo kite cluster create --name ci --nodes 2 --state-dir /tmp/kite-clusters
  $ export KUBECONFIG=${DEFAULT_STATE_DIR}/dev/kubeconfig.yaml; kubectl get nodes -o wide
  $ sudo kite cluster list
  $ sudo kite cluster delete                         # cluster "dev": every process, namespace, interface and mount
`;

export function registerClusterCommand(program: Command, io: ClusterIO, setExitCode: (code: number) => void): void {
  const print = (line: string) => io.stdout.write(`${line}\n`);
  const fail = (message: string) => {
    io.stderr.write(`kite: ${message}\n`);
    setExitCode(1);
  };
  const cluster = program.command('cluster')
    .description('Run a cluster of several nodes on this host: a server and one agent per node, each in its own network namespace')
    .addHelpText('after', examples);

  cluster.command('create')
    .description('Create a cluster: a bridge, a namespace per node, the server and the agents; waits until every node is Ready')
    .option('--name <name>', `name of the cluster (default: ${DEFAULT_CLUSTER_NAME})`)
    .option('--nodes <n>', 'how many nodes (default: 1)')
    .option('--state-dir <dir>', `where clusters keep their state (default: ${DEFAULT_STATE_DIR})`)
    .option('--wait <duration>', `how long the server and nodes have to become ready (default: ${DEFAULT_WAIT_SECONDS}s)`)
    .action(async (raw: RawClusterFlags) => {
      const flags = parseClusterFlags(raw, process.cwd());
      const refusal = needsRoot('create');
      if (refusal) return fail(refusal);
      const { createCluster } = await import('./create.js');
      try {
        const state = await createCluster({ ...flags, self: selfCommand(), print });
        print(`cluster "${flags.name}" is ready: ${flags.nodes} node(s) on ${state.plan.subnet}`);
        print(`to use it: export KUBECONFIG=${state.plan.kubeconfig}; kubectl get nodes -o wide`);
        print(`to remove it: kite cluster delete --name ${flags.name}${flags.stateDir !== DEFAULT_STATE_DIR ? ` --state-dir ${flags.stateDir}` : ''}`);
      } catch (err) {
        fail(`cluster create: ${err instanceof Error ? err.message : String(err)}\nwhat was made stays for inspection; remove it with: kite cluster delete --name ${flags.name}${flags.stateDir !== DEFAULT_STATE_DIR ? ` --state-dir ${flags.stateDir}` : ''}`);
      }
    });

  cluster.command('delete')
    .description("Delete a cluster: its processes, pods, namespaces, interfaces, mounts and state")
    .option('--name <name>', `name of the cluster (default: ${DEFAULT_CLUSTER_NAME})`)
    .option('--state-dir <dir>', `where clusters keep their state (default: ${DEFAULT_STATE_DIR})`)
    .action(async (raw: RawClusterFlags) => {
      const flags = parseClusterFlags(raw, process.cwd());
      const refusal = needsRoot('delete');
      if (refusal) return fail(refusal);
      const { deleteCluster } = await import('./delete.js');
      try {
        const found = await deleteCluster({ name: flags.name, stateDir: flags.stateDir, print });
        print(found ? `cluster "${flags.name}" deleted` : `no cluster "${flags.name}" in ${flags.stateDir}; nothing to do`);
      } catch (err) {
        fail(`cluster delete: ${err instanceof Error ? err.message : String(err)}`);
      }
    });

  cluster.command('list')
    .description('List the clusters and their nodes')
    .option('--state-dir <dir>', `where clusters keep their state (default: ${DEFAULT_STATE_DIR})`)
    .action(async (raw: RawClusterFlags) => {
      const flags = parseClusterFlags(raw, process.cwd());
      const [{ listClusterStates }, { formatClusterList }] = await Promise.all([import('./state.js'), import('./list.js')]);
      io.stdout.write(await formatClusterList(await listClusterStates(flags.stateDir)));
    });
}
