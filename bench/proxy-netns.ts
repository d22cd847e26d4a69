// The service proxy benchmark's network: network namespaces of its own (names prefixed
// `kite-bench-`), shaped like one node of a cluster using the CNI bridge plugin. A "node" namespace
// holds a Linux bridge (the pods' gateway, hairpin on every port, IP forwarding on, bridged traffic
// through netfilter as on a Kubernetes node) and one veth per pod namespace: a client pod and
// server pods, each server running a small HTTP server that answers with its own name. Deleting
// the namespaces removes the bridge and every veth with them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export const POD_SUBNET = '10.42.1';
export const GATEWAY = `${POD_SUBNET}.1`;
export const CLIENT_IP = `${POD_SUBNET}.100`;
export const SERVER_PORT = 8080;
const BRIDGE = 'cni0';

export interface BenchPod { name: string; netns: string; ip: string }

export interface BenchNetwork {
  node: string;
  client: BenchPod;
  servers: BenchPod[];
  /** Every namespace made so far, for teardown even after a partial setup. */
  namespaces: string[];
  processes: ChildProcess[];
}

function sh(...argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr.trim() || `exit ${r.status}`}`);
  return r.stdout;
}

// The server pods' program: the pod's name as the body, connections kept alive as long as asked.
const SERVER_SCRIPT = `
const http = require('node:http');
const name = process.argv[1];
const server = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(name) });
  res.end(name);
});
server.keepAliveTimeout = 60000;
server.listen(${SERVER_PORT}, '0.0.0.0');
process.on('SIGTERM', () => process.exit(0));
`;

/** Makes the namespaces, the bridge, the veths and the server processes; `net` is filled as it goes. */
export function createNetwork(net: BenchNetwork): void {
  const add = (ns: string) => { sh('ip', 'netns', 'add', ns); net.namespaces.push(ns); sh('ip', '-n', ns, 'link', 'set', 'lo', 'up'); };
  add(net.node);
  sh('ip', 'netns', 'exec', net.node, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  sh('ip', '-n', net.node, 'link', 'add', BRIDGE, 'type', 'bridge');
  sh('ip', '-n', net.node, 'addr', 'add', `${GATEWAY}/24`, 'dev', BRIDGE);
  sh('ip', '-n', net.node, 'link', 'set', BRIDGE, 'up');
  // As on a node with br_netfilter: replies bridged from a pod to a pod pass conntrack, which
  // undoes the DNAT to the ClusterIP. The sysctl is per namespace; fail loudly if it is missing.
  sh('ip', 'netns', 'exec', net.node, 'sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1');
  // A real node routes the service range (its default route); without a route the kernel drops a
  // packet to a Service with no endpoints before the proxy's forward hook could reject it.
  sh('ip', '-n', net.node, 'route', 'add', '10.43.0.0/16', 'dev', BRIDGE);
  const pods = [net.client, ...net.servers];
  for (const [i, pod] of pods.entries()) {
    add(pod.netns);
    const host = `veth${i}`;
    sh('ip', '-n', net.node, 'link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod.netns);
    sh('ip', '-n', net.node, 'link', 'set', host, 'master', BRIDGE, 'up');
    sh('ip', '-n', net.node, 'link', 'set', host, 'type', 'bridge_slave', 'hairpin', 'on');
    sh('ip', '-n', pod.netns, 'addr', 'add', `${pod.ip}/24`, 'dev', 'eth0');
    sh('ip', '-n', pod.netns, 'link', 'set', 'eth0', 'up');
    sh('ip', '-n', pod.netns, 'route', 'add', 'default', 'via', GATEWAY);
  }
  // A new connection per request for 10 s uses many source ports, each left in TIME_WAIT by the
  // client, which closes first; reusing those is safe with timestamps (as load generators do).
  sh('ip', 'netns', 'exec', net.client.netns, 'sysctl', '-qw', 'net.ipv4.ip_local_port_range=1024 65535');
  sh('ip', 'netns', 'exec', net.client.netns, 'sysctl', '-qw', 'net.ipv4.tcp_tw_reuse=1');
  for (const pod of net.servers) {
    const child = spawn('nsenter', [`--net=/run/netns/${pod.netns}`, process.execPath, '-e', SERVER_SCRIPT, pod.name], { stdio: ['ignore', 'ignore', 'inherit'] });
    net.processes.push(child);
  }
}

/** Names for a network of one client and `serverCount` servers (nothing is made yet). */
export function planNetwork(serverCount: number): BenchNetwork {
  const suffix = Math.random().toString(36).slice(2, 6);
  const ns = (role: string) => `kite-bench-${suffix}-${role}`;
  return {
    node: ns('node'),
    client: { name: 'client', netns: ns('client'), ip: CLIENT_IP },
    servers: Array.from({ length: serverCount }, (_, i) => ({ name: `server-${i + 1}`, netns: ns(`s${i + 1}`), ip: `${POD_SUBNET}.${11 + i}` })),
    namespaces: [],
    processes: [],
  };
}

/** One GET from inside `netns` (a short-lived node under nsenter): the body, or undefined on failure. */
export function httpGetIn(netns: string, url: string): string | undefined {
  const r = spawnSync('nsenter', [`--net=/run/netns/${netns}`, process.execPath, '-e',
    `require('node:http').get(${JSON.stringify(url)}, (r) => { let b = ''; r.on('data', (c) => { b += c; }); r.on('end', () => { process.stdout.write(b); process.exit(r.statusCode === 200 ? 0 : 1); }); }).on('error', () => process.exit(1));`],
  { encoding: 'utf8', timeout: 5000, killSignal: 'SIGKILL' });
  return r.status === 0 ? r.stdout : undefined;
}

/** Polls `fn` every 100 ms until it returns a value, for at most `timeoutMs`. */
export async function poll<T>(what: string, fn: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until every server answers a GET inside its own namespace. */
export async function waitForServers(net: BenchNetwork): Promise<void> {
  for (const pod of net.servers) await poll(`the HTTP server in ${pod.netns}`, () => httpGetIn(pod.netns, `http://127.0.0.1:${SERVER_PORT}/`));
}

/** Kills the processes started here (by PID) and deletes the namespaces (with their links). */
export async function deleteNetwork(net: BenchNetwork): Promise<void> {
  const exits = net.processes.map((p) => (p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => p.once('exit', () => r()))));
  for (const p of net.processes) if (p.pid && p.exitCode === null && p.signalCode === null) { try { process.kill(p.pid, 'SIGTERM'); } catch { /* gone */ } }
  await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 3000))]);
  for (const p of net.processes) if (p.pid && p.exitCode === null && p.signalCode === null) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
  for (const ns of [...net.namespaces].reverse()) spawnSync('ip', ['netns', 'del', ns]);
  net.namespaces.length = 0;
}
