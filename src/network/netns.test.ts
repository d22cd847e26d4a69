// Two "nodes" and two "pods", each a network namespace this test creates: the nodes share a veth
// link (10.201.0.1 and .2), each pod hangs off its node by a veth with an address of that node's
// podCIDR. The agent runs for each node inside its namespace; pods must then reach each other
// with their own source address, over host-gw and over VXLAN. Root only; everything is removed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { eventually, startTestServer, type TestServer } from '../apiserver/testing/fixture.js';
import { ApiClient } from '../client/rest.js';
import { inProcessTransport } from '../client/transport.js';
import { PodNetwork } from './agent.js';
import type { BackendType, Node } from './peers.js';
import { execRunner, netnsRunner } from './runner.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasTools = spawnSync('ip', ['-V']).status === 0 && spawnSync('nft', ['--version']).status === 0 && spawnSync('busybox', ['true']).status === 0;
const skip = !isRoot ? 'needs root (network namespaces)' : !hasTools ? 'needs ip, nft and busybox' : false;

const tag = `${process.pid % 100000}`;
const ns = { nodeA: `kn-a-${tag}`, nodeB: `kn-b-${tag}`, podA: `kp-a-${tag}`, podB: `kp-b-${tag}` };
const CLUSTER_CIDR = '10.244.0.0/16';
const nodes = [
  { name: 'node-a', ns: ns.nodeA, pod: ns.podA, ip: '10.201.0.1', podCIDR: '10.244.1.0/24', gw: '10.244.1.1', podIP: '10.244.1.2' },
  { name: 'node-b', ns: ns.nodeB, pod: ns.podB, ip: '10.201.0.2', podCIDR: '10.244.2.0/24', gw: '10.244.2.1', podIP: '10.244.2.2' },
] as const;

function sh(...args: string[]): string {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}
const inNs = (name: string, ...args: string[]) => sh('ip', 'netns', 'exec', name, ...args);

/** A TCP server in a namespace answering each connection with the client's address as it sees it. */
async function peerAddressServer(name: string, address: string, port: number): Promise<ChildProcess> {
  const code = `require('net').createServer((s) => s.end(s.remoteAddress)).listen(${port}, '${address}', () => console.log('listening'))`;
  const child = spawn('ip', ['netns', 'exec', name, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => { if (String(d).includes('listening')) resolve(); });
    child.on('exit', (c) => reject(new Error(`address server exited with ${c}`)));
  });
  return child;
}

/** The address `address:port` saw this namespace connect from. */
function seenFrom(name: string, address: string, port: number): string {
  return inNs(name, 'busybox', 'nc', '-w', '2', address, String(port)).trim();
}

function ping(from: string, to: string): boolean {
  return spawnSync('ip', ['netns', 'exec', from, 'busybox', 'ping', '-c1', '-W1', to], { timeout: 5000 }).status === 0;
}

describe('pod network between two namespaced nodes', { skip }, () => {
  let server: TestServer;
  let client: ApiClient;
  const children: ChildProcess[] = [];

  before(async () => {
    for (const n of Object.values(ns)) sh('ip', 'netns', 'add', n);
    sh('ip', '-n', ns.nodeA, 'link', 'add', 'n0', 'type', 'veth', 'peer', 'name', 'n0', 'netns', ns.nodeB);
    for (const n of nodes) {
      sh('ip', '-n', n.ns, 'link', 'set', 'lo', 'up');
      sh('ip', '-n', n.ns, 'addr', 'add', `${n.ip}/24`, 'dev', 'n0');
      sh('ip', '-n', n.ns, 'link', 'set', 'n0', 'up');
      inNs(n.ns, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward');
      // The pod stand-in: a veth from the node to the pod's namespace, the node end its gateway.
      sh('ip', '-n', n.ns, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.pod);
      sh('ip', '-n', n.ns, 'addr', 'add', `${n.gw}/24`, 'dev', 'p0');
      sh('ip', '-n', n.ns, 'link', 'set', 'p0', 'up');
      sh('ip', '-n', n.pod, 'link', 'set', 'lo', 'up');
      sh('ip', '-n', n.pod, 'addr', 'add', `${n.podIP}/24`, 'dev', 'eth0');
      sh('ip', '-n', n.pod, 'link', 'set', 'eth0', 'up');
      sh('ip', '-n', n.pod, 'route', 'add', 'default', 'via', n.gw);
    }
    server = await startTestServer();
    client = new ApiClient(inProcessTransport(() => server.server.connectInProcess({ name: 'admin', groups: ['system:masters'] })));
    for (const n of nodes) {
      await client.kind<Node>('v1', 'Node').create(undefined, {
        apiVersion: 'v1', kind: 'Node', metadata: { name: n.name }, spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] },
      });
      const obj = await client.kind<Node>('v1', 'Node').get(undefined, n.name);
      await client.kind<Node>('v1', 'Node').updateStatus(undefined, { ...obj, status: { addresses: [{ type: 'InternalIP', address: n.ip }] } });
    }
    children.push(await peerAddressServer(ns.podB, nodes[1].podIP, 7000));
    children.push(await peerAddressServer(ns.nodeB, nodes[1].ip, 7001));
  });

  after(async () => {
    for (const c of children) if (c.pid && c.exitCode === null) process.kill(c.pid, 'SIGTERM');
    client?.close();
    await server?.close();
    // Deleting a namespace takes its interfaces, routes and nftables tables with it.
    for (const n of Object.values(ns)) spawnSync('ip', ['netns', 'del', n]);
  });

  async function runBackend(backend: BackendType): Promise<void> {
    const agents = nodes.map((n) => new PodNetwork({
      client, nodeName: n.name, backend, clusterCIDR: CLUSTER_CIDR, runner: netnsRunner(n.ns, execRunner),
    }));
    const runs = agents.map((a) => a.start(new AbortController().signal));
    try {
      await Promise.all(agents.map((a) => a.ready));
      await eventually(() => ping(ns.podA, nodes[1].podIP) && ping(ns.podB, nodes[0].podIP), 15_000);
      const route = sh('ip', '-n', ns.nodeA, 'route', 'show', nodes[1].podCIDR);
      assert.match(route, backend === 'vxlan' ? /via 10\.244\.2\.0 dev kite\.1 .*onlink/ : /via 10\.201\.0\.2 dev n0/);
      assert.equal(seenFrom(ns.podA, nodes[1].podIP, 7000), nodes[0].podIP, 'pod-to-pod keeps the source address');
      assert.equal(seenFrom(ns.podA, nodes[1].ip, 7001), nodes[0].ip, 'leaving the cluster CIDR is masqueraded');
    } finally {
      await Promise.all(agents.map((a) => a.stop()));
      await Promise.all(runs);
    }
    for (const n of nodes) {
      assert.equal(spawnSync('ip', ['-n', n.ns, 'link', 'show', 'kite.1']).status !== 0, true, 'the VXLAN device is gone');
      assert.equal(sh('ip', '-n', n.ns, 'route', 'show', 'proto', '75').trim(), '', 'our routes are gone');
      assert.doesNotMatch(inNs(n.ns, 'nft', 'list', 'tables'), /kite-nat/);
    }
    assert.equal(ping(ns.podA, nodes[1].podIP), false, 'without the agents the pods are apart again');
  }

  it('host-gw: pods on two nodes reach each other without NAT', async () => {
    await runBackend('host-gw');
  });

  it('vxlan: pods on two nodes reach each other through kite.1 without NAT', async () => {
    await runBackend('vxlan');
  });
});
