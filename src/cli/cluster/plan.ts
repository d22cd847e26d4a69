// What `kite cluster create` will make, decided before anything is touched: the cluster's /24 on
// the host bridge, each node's namespace, veth and address, the paths under the state dir and the
// command lines of the server and the agents. Pure functions, so they are tested without root.
import { join } from 'node:path';
import { parseIPv4 } from '../../apimachinery/ipv4.js';

export const DEFAULT_CLUSTER_NAME = 'dev';
/** The clusters' addresses: 172.31.<k>.0/24, one k per cluster. */
export const CLUSTER_SUBNET_PREFIX = '172.31.';
/** Node i gets 172.31.<k>.<i + NODE_ADDRESS_OFFSET>; .1 is the host's end of the bridge. */
export const NODE_ADDRESS_OFFSET = 10;
export const MAX_NODES = 50;
/** Linux interface names hold at most 15 characters; `kite-<name>` must fit. */
const MAX_NAME_LENGTH = 10;

export interface NodePlan {
  index: number;
  /** The Node's name in the API: `<cluster>-node-<i>`. */
  nodeName: string;
  /** The network namespace the agent runs in: `kite-<cluster>-<i>`. */
  netns: string;
  /** The host's end of the node's veth pair (the other end is `eth0` inside the namespace). */
  hostVeth: string;
  ip: string;
  dataDir: string;
  log: string;
}

export interface ClusterPlan {
  name: string;
  /** `<state-dir>/<name>`: everything of the cluster lives here. */
  dir: string;
  /** The third octet of the cluster's 172.31.<k>.0/24. */
  subnetIndex: number;
  subnet: string;
  /** The host's address on the bridge, where the agents reach the API server. */
  gateway: string;
  bridge: string;
  server: { dataDir: string; log: string; kubeconfig: string; nodeToken: string };
  nodes: NodePlan[];
  /** The kubeconfig `create` writes for users of the cluster. */
  kubeconfig: string;
  stateFile: string;
}

/** Why `name` cannot name a cluster, or undefined when it can. */
export function clusterNameError(name: string): string | undefined {
  if (!/^[a-z]([a-z0-9-]*[a-z0-9])?$/.test(name)) {
    return `"${name}" is not a valid cluster name: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit`;
  }
  if (name.length > MAX_NAME_LENGTH) return `"${name}" is too long: a cluster name has at most ${MAX_NAME_LENGTH} characters (its bridge kite-<name> is an interface name)`;
  return undefined;
}


/** `a.b.c.d/len` (or a bare address, a /32) as its first address and size; undefined when it is not IPv4. */
function ipv4Range(cidr: string): { start: number; size: number } | undefined {
  const [ip, len] = cidr.split('/');
  const prefix = len === undefined ? 32 : Number(len);
  const n = parseIPv4(ip ?? '');
  if (n === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  return { start: Math.floor(n / size) * size, size };
}

/** Whether two IPv4 CIDRs share an address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = ipv4Range(a);
  const y = ipv4Range(b);
  if (!x || !y) return false;
  return x.start < y.start + y.size && y.start < x.start + x.size;
}

/**
 * The first k in 1..254 whose 172.31.<k>.0/24 overlaps none of `inUse` (the host's routes and
 * interface addresses; default routes are left out by the caller) and no other cluster's `taken`.
 */
export function chooseSubnetIndex(inUse: string[], taken: number[] = []): number {
  const ranges = inUse.filter((c) => ipv4Range(c) && ipv4Range(c)!.size < 2 ** 32);
  for (let k = 1; k <= 254; k++) {
    if (taken.includes(k)) continue;
    const candidate = `${CLUSTER_SUBNET_PREFIX}${k}.0/24`;
    if (!ranges.some((r) => cidrsOverlap(r, candidate))) return k;
  }
  throw new Error(`no free /24 in ${CLUSTER_SUBNET_PREFIX}0.0/16: every one overlaps a route or interface of this host`);
}

export function planCluster(opts: { name: string; stateDir: string; nodes: number; subnetIndex: number }): ClusterPlan {
  const nameError = clusterNameError(opts.name);
  if (nameError) throw new Error(nameError);
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > MAX_NODES) throw new Error(`--nodes: want 1 to ${MAX_NODES}, not ${opts.nodes}`);
  const k = opts.subnetIndex;
  const dir = join(opts.stateDir, opts.name);
  const serverDir = join(dir, 'server');
  const nodes: NodePlan[] = [];
  for (let i = 0; i < opts.nodes; i++) {
    nodes.push({
      index: i,
      nodeName: `${opts.name}-node-${i}`,
      netns: `kite-${opts.name}-${i}`,
      // Named after the subnet, which is unique on the host while the cluster exists (and fits 15 characters).
      hostVeth: `kite-${k}-${i}`,
      ip: `${CLUSTER_SUBNET_PREFIX}${k}.${i + NODE_ADDRESS_OFFSET}`,
      dataDir: join(dir, `node-${i}`),
      log: join(dir, 'logs', `node-${i}.log`),
    });
  }
  return {
    name: opts.name,
    dir,
    subnetIndex: k,
    subnet: `${CLUSTER_SUBNET_PREFIX}${k}.0/24`,
    gateway: `${CLUSTER_SUBNET_PREFIX}${k}.1`,
    bridge: `kite-${opts.name}`,
    server: {
      dataDir: serverDir,
      log: join(dir, 'logs', 'server.log'),
      kubeconfig: join(serverDir, 'kubeconfig.yaml'),
      nodeToken: join(serverDir, 'server', 'node-token'),
    },
    nodes,
    kubeconfig: join(dir, 'kubeconfig.yaml'),
    stateFile: join(dir, 'cluster.json'),
  };
}

/** `kite server` for the cluster: control plane only, reachable from the nodes at the bridge address. */
export function serverArgs(plan: ClusterPlan, port: number): string[] {
  return [
    'server', '--disable-agent', '--bind-address', '0.0.0.0', '--advertise-address', plan.gateway,
    '--data-dir', plan.server.dataDir, '--port', String(port), '--log-format', 'text',
  ];
}

/** `kite agent` for node `node`, joining the cluster's server with `token`. */
export function agentArgs(plan: ClusterPlan, node: NodePlan, port: number, token: string): string[] {
  return [
    'agent', '--server', `https://${plan.gateway}:${port}`, '--token', token, '--data-dir', node.dataDir,
    '--node-name', node.nodeName, '--node-ip', node.ip, '--log-format', 'text',
  ];
}

/**
 * Runs `command` in the node's network namespace only. Not `ip netns exec`: that also gives the
 * process a mount namespace with a fresh /sys, which hides the cgroup hierarchies runc needs.
 */
export function inNetns(netns: string, command: string[]): string[] {
  return ['nsenter', `--net=/run/netns/${netns}`, '--', ...command];
}
