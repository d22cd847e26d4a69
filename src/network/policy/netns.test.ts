// The enforcer against the real kernel, in network namespaces this test makes: a "node" namespace
// with a Linux bridge (as the CNI bridge plugin makes it, 10.244.1.1/24 as the pods' gateway) and
// three pod namespaces on it, plus a fourth pod behind a route (10.244.2.0/24, as a pod of another
// node looks). Pods get TCP listeners; connections are judged by the enforcer's table in the node
// namespace. Nothing touches the host's own network; everything is removed afterwards.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { realClock } from '../../apimachinery/clock.js';
import { netnsRunner } from '../runner.js';
import { NAMESPACE_REF, NETWORK_POLICY_REF, NetworkPolicyEnforcer, POD_REF } from './enforcer.js';
import { MemoryInformerFactory } from './testing.js';

const isRoot = process.getuid?.() === 0;
const hasTools = spawnSync('ip', ['-V']).status === 0 && spawnSync('nft', ['--version']).status === 0 && spawnSync('busybox', ['true']).status === 0;
const skip = !isRoot ? 'needs root (network namespaces and nftables)' : !hasTools ? 'needs ip, nft and busybox' : false;

const tag = `${process.pid % 100000}`;
const NODE_NS = `knp-n-${tag}`;
const pods = {
  web: { ns: `knp-w-${tag}`, ip: '10.244.1.2', labels: { app: 'web' }, node: 'n1' },
  client: { ns: `knp-c-${tag}`, ip: '10.244.1.3', labels: { role: 'client' }, node: 'n1' },
  other: { ns: `knp-o-${tag}`, ip: '10.244.1.4', labels: { role: 'other' }, node: 'n1' },
  remote: { ns: `knp-r-${tag}`, ip: '10.244.2.2', labels: { role: 'client' }, node: 'n2' },
} as const;
type PodName = keyof typeof pods;

function sh(...argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** A TCP listener in a namespace answering every connection with `reply`, on each port. */
async function listener(ns: string, ip: string, ports: number[], reply: string): Promise<ChildProcess> {
  const code = `const net = require('net'); let n = 0; for (const p of ${JSON.stringify(ports)}) net.createServer((s) => s.end(${JSON.stringify(reply)} + ':' + p)).listen(p, '${ip}', () => { if (++n === ${ports.length}) console.log('listening'); });`;
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => { if (String(d).includes('listening')) resolve(); });
    child.on('exit', (c) => reject(new Error(`listener exited with ${c}`)));
  });
  return child;
}

/** Whether `from` gets the listener's answer from `to`:`port` (a dropped connection times out). */
function connects(from: PodName, to: PodName, port = 8080): boolean {
  const r = spawnSync('ip', ['netns', 'exec', pods[from].ns, 'busybox', 'nc', '-w', '1', pods[to].ip, String(port)], { encoding: 'utf8', timeout: 5000, killSignal: 'SIGKILL' });
  return r.status === 0 && r.stdout.trim() === `${to}:${port}`;
}

async function eventually(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const policy = (name: string, spec: object) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'default', uid: name }, spec });
const denyWeb = policy('deny-web', { podSelector: { matchLabels: { app: 'web' } } });
const allowClients = policy('allow-clients', {
  podSelector: { matchLabels: { app: 'web' } },
  ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ port: 'http' }] }],
});
const clientEgressDeny = policy('client-egress', { podSelector: { matchLabels: { role: 'client' } }, policyTypes: ['Egress'] });

describe('NetworkPolicy enforcer in network namespaces', { skip }, () => {
  const made: string[] = [];
  const children: ChildProcess[] = [];
  const informers = new MemoryInformerFactory();
  const abort = new AbortController();
  let enforcer: NetworkPolicyEnforcer;
  let running: Promise<void> | undefined;

  before(async () => {
    for (const ns of [NODE_NS, ...Object.values(pods).map((p) => p.ns)]) { sh('ip', 'netns', 'add', ns); made.push(ns); }
    const inNode = (...argv: string[]) => sh('ip', 'netns', 'exec', NODE_NS, ...argv);
    sh('ip', '-n', NODE_NS, 'link', 'set', 'lo', 'up');
    inNode('sysctl', '-qw', 'net.ipv4.ip_forward=1');
    // Off, so that the test sees the enforcer turn it on: same-node pods are bridged, not routed.
    inNode('sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=0');
    sh('ip', '-n', NODE_NS, 'link', 'add', 'cni0', 'type', 'bridge');
    sh('ip', '-n', NODE_NS, 'addr', 'add', '10.244.1.1/24', 'dev', 'cni0');
    sh('ip', '-n', NODE_NS, 'link', 'set', 'cni0', 'up');
    for (const [name, p] of Object.entries(pods)) {
      const hostEnd = `veth-${name}`;
      sh('ip', '-n', NODE_NS, 'link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', p.ns);
      if (p.node === 'n1') {
        sh('ip', '-n', NODE_NS, 'link', 'set', hostEnd, 'master', 'cni0');
      } else {
        // Another node's pod: reached through a route, the way host-gw or VXLAN traffic arrives.
        sh('ip', '-n', NODE_NS, 'addr', 'add', '10.244.2.1/24', 'dev', hostEnd);
      }
      sh('ip', '-n', NODE_NS, 'link', 'set', hostEnd, 'up');
      sh('ip', '-n', p.ns, 'link', 'set', 'lo', 'up');
      sh('ip', '-n', p.ns, 'addr', 'add', `${p.ip}/24`, 'dev', 'eth0');
      sh('ip', '-n', p.ns, 'link', 'set', 'eth0', 'up');
      sh('ip', '-n', p.ns, 'route', 'add', 'default', 'via', p.node === 'n1' ? '10.244.1.1' : '10.244.2.1');
      children.push(await listener(p.ns, p.ip, [8080, 9090], name));
    }

    informers.put(NAMESPACE_REF, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', labels: { 'kubernetes.io/metadata.name': 'default' } } });
    for (const [name, p] of Object.entries(pods)) {
      informers.put(POD_REF, {
        apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { ...p.labels } },
        spec: { nodeName: p.node, containers: [{ name: 'main', ports: [{ name: 'http', containerPort: 8080 }, { name: 'admin', containerPort: 9090 }] }] },
        status: { phase: 'Running', podIP: p.ip },
      });
    }
    enforcer = new NetworkPolicyEnforcer({ informers, nodeName: 'n1', run: netnsRunner(NODE_NS), clock: realClock });
    running = enforcer.start(abort.signal);
    await enforcer.ready;
  });

  after(async () => {
    abort.abort();
    await running;
    for (const c of children) if (c.pid && c.exitCode === null) { try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ } }
    // Deleting a namespace takes its interfaces, bridge and nftables tables with it.
    for (const ns of made) spawnSync('ip', ['netns', 'del', ns]);
  });

  it('turns on bridge netfilter in the node namespace, so bridged pod traffic reaches forward', () => {
    assert.equal(sh('ip', 'netns', 'exec', NODE_NS, 'sysctl', '-n', 'net.bridge.bridge-nf-call-iptables').trim(), '1');
  });

  it('leaves traffic open without policies, on the bridge and over the route', () => {
    assert.ok(connects('client', 'web'));
    assert.ok(connects('other', 'web'));
    assert.ok(connects('remote', 'web'));
    assert.ok(connects('web', 'remote'));
  });

  it('blocks ingress to the selected pods under a default-deny policy, and only to them', async () => {
    informers.put(NETWORK_POLICY_REF, denyWeb);
    await eventually('the web pod is isolated', () => !connects('client', 'web'));
    assert.equal(connects('other', 'web'), false);
    assert.equal(connects('remote', 'web'), false);
    assert.ok(connects('client', 'other'), 'pods not selected stay open');
    assert.ok(connects('web', 'other'), 'egress of the isolated pod is untouched, and its replies pass');
  });

  it('lets exactly the pods with role=client through on the named port', async () => {
    informers.put(NETWORK_POLICY_REF, allowClients);
    await eventually('the client is let through', () => connects('client', 'web'));
    assert.ok(connects('remote', 'web'), 'a client pod of another node, over the route');
    assert.equal(connects('other', 'web'), false);
    assert.equal(connects('client', 'web', 9090), false, 'only the port named http');
  });

  it('blocks egress of pods isolated for egress', async () => {
    informers.put(NETWORK_POLICY_REF, clientEgressDeny);
    await eventually('the client cannot reach out', () => !connects('client', 'other'));
    assert.equal(connects('client', 'web'), false, 'the web pod\'s ingress allows it, the client\'s egress does not');
    assert.ok(connects('remote', 'web'), 'the remote client\'s egress is its own node\'s to judge');
  });

  it('reopens everything once the policies are gone', async () => {
    for (const p of [denyWeb, allowClients, clientEgressDeny]) informers.remove(NETWORK_POLICY_REF, p);
    await eventually('traffic flows again', () => connects('client', 'other') && connects('other', 'web'));
    assert.ok(connects('client', 'web', 9090));
    assert.ok(connects('remote', 'web'));
  });

  it('deletes its table when stopped', async () => {
    abort.abort();
    await running;
    const r = spawnSync('ip', ['netns', 'exec', NODE_NS, 'nft', 'list', 'table', 'ip', 'kite-netpol'], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
  });
});
