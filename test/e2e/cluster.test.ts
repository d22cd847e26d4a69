// `kite cluster` on this host: a three-node cluster in a temp state dir, its nodes Ready with their
// namespace addresses as the real kubectl sees them, a pod Running on each node and an exec into
// one. Then the cluster network, all inside the cluster's own namespaces: pods reach each other
// across nodes by IP; a client fetches a Service by DNS name and ClusterIP with answers from every
// replica; a NodePort answers from this host on every node's address; a headless Service resolves
// to its pods; scaling to zero and back rewrites every node's rules; a default-deny NetworkPolicy
// blocks and an allow rule lets exactly the selected pods through. Finally `kite cluster delete`
// leaves the host as it was (no kite namespaces, interfaces, rules, routes, processes or mounts of
// the cluster, no pod cgroups), and a second delete has nothing to do.
// Needs root and containerd; run it under `flock /tmp/kite-agent-e2e.lock`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { containerdSkip, mountsUnder, processesUsing } from '../support/containerd.js';
import {
  allowClients, clientPod, denyAllIngress, fetchScript, hostNetworkState, httpGet, proxyRules, webDeployment, webServices,
} from './cluster-network.js';
import { kubectlBin, kubectlEnv, runKubectl } from './kubectl.js';
import { pollUntil } from './polling.js';
import { repoRoot } from './server-process.js';

const execFileP = promisify(execFile);
const NAME = `e2e${Math.random().toString(36).slice(2, 7)}`;
const NODES = 3;
const NODE_PORT = 30080;

/** `kite` compiled by default; from source with KITE_E2E_FROM_SOURCE=1. */
function kiteCommand(): string[] {
  return process.env.KITE_E2E_FROM_SOURCE === '1'
    ? ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts')]
    : [join(repoRoot, 'bin', 'kite.js')];
}

async function kite(args: string[], timeoutMs: number): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [...kiteCommand(), ...args], { cwd: repoRoot, timeout: timeoutMs, maxBuffer: 8 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}${e.message}` };
  }
}

function skipReason(): string | false {
  const base = containerdSkip({ cni: true });
  if (base) return base;
  for (const bin of ['/usr/sbin/runc', '/usr/bin/nsenter', '/usr/sbin/ip', kubectlBin]) if (!existsSync(bin)) return `${bin} is missing`;
  return false;
}

async function kiteLinks(): Promise<string[]> {
  return (await readdir('/sys/class/net')).filter((n) => n.startsWith('kite'));
}

async function kiteNetns(): Promise<string[]> {
  return (await readdir('/run/netns').catch(() => [] as string[])).filter((n) => n.startsWith('kite'));
}

function busyboxOn(name: string, node: string): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      nodeName: node, terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image: 'kite.local/busybox:1.35', command: ['sh', '-c', 'echo up; sleep 3600'] }],
    },
  });
}

const skip = skipReason();
describe('kite cluster: several nodes on one host', skip ? { skip } : {}, () => {
  let stateDir = '';
  let dir = '';
  let deleted = false;
  let linksBefore: string[] = [];
  let netnsBefore: string[] = [];
  let hostBefore: Awaited<ReturnType<typeof hostNetworkState>> | undefined;
  let subnet = 0;
  let webIPs: string[] = [];
  const podUids: string[] = [];
  const kubectl = (args: string[], opts: { input?: string; timeoutMs?: number } = {}) =>
    runKubectl(args, kubectlEnv({ kubeconfig: join(dir, 'kubeconfig.yaml'), cache: join(stateDir, 'kube-cache'), home: stateDir }), opts);
  const logs = async () => {
    const out: string[] = [];
    for (const f of await readdir(join(dir, 'logs')).catch(() => [] as string[])) {
      out.push(`--- ${f} (tail) ---\n${(await readFile(join(dir, 'logs', f), 'utf8')).slice(-3000)}`);
    }
    return out.join('\n');
  };

  before(async () => {
    linksBefore = await kiteLinks();
    netnsBefore = await kiteNetns();
    hostBefore = await hostNetworkState();
    stateDir = await mkdtemp(join(tmpdir(), 'kite-e2e-cluster-'));
    dir = join(stateDir, NAME);
  });

  it('creates a three-node cluster whose nodes are Ready with their namespace addresses', async () => {
    const res = await kite(['cluster', 'create', '--name', NAME, '--nodes', String(NODES), '--state-dir', stateDir, '--wait', '120s'], 150_000);
    assert.equal(res.code, 0, `${res.out}\n${await logs()}`);
    assert.match(res.out, new RegExp(`export KUBECONFIG=${join(dir, 'kubeconfig.yaml')}`));
    assert.equal((await stat(join(dir, 'cluster.json'))).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'kubeconfig.yaml'))).mode & 0o777, 0o600);
    const state = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8'));
    assert.equal(state.phase, 'ready');
    subnet = state.plan.subnetIndex as number;

    const nodes = JSON.parse((await kubectl(['get', 'nodes', '-o', 'json'])).stdout).items as any[];
    const seen = nodes.map((n) => [
      n.metadata.name,
      n.status.conditions.find((c: any) => c.type === 'Ready')?.status,
      n.status.addresses.find((a: any) => a.type === 'InternalIP')?.address,
    ]).sort();
    assert.deepEqual(seen, [0, 1, 2].map((i) => [`${NAME}-node-${i}`, 'True', `172.31.${subnet}.${10 + i}`]));
    assert.deepEqual((await kiteNetns()).filter((n) => n.startsWith(`kite-${NAME}-`)).sort(), [0, 1, 2].map((i) => `kite-${NAME}-${i}`));
    // Each node has its own podCIDR from the cluster CIDR.
    const cidrs = nodes.map((n) => n.spec.podCIDR as string);
    assert.equal(new Set(cidrs).size, NODES);
    for (const c of cidrs) assert.match(c, /^10\.42\.\d+\.0\/24$/);
    assert.ok((await kiteLinks()).includes(`kite-${NAME}`), 'the bridge exists');

    const listed = await kite(['cluster', 'list', '--state-dir', stateDir], 20_000);
    assert.match(listed.out, new RegExp(`${NAME}\\s+3\\s+172\\.31\\.${subnet}\\.0/24\\s+Running`));
  });

  it('runs a pod on each node and execs into one', async () => {
    await kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'e2e' } }) });
    await pollUntil('the default service account', async () =>
      (await kubectl(['get', 'serviceaccount', 'default', '-n', 'e2e'], {}).then(() => true, () => false)), 20_000, 200);
    for (const i of [0, 1]) await kubectl(['apply', '-n', 'e2e', '-f', '-'], { input: busyboxOn(`p${i}`, `${NAME}-node-${i}`) });
    await kubectl(['wait', '-n', 'e2e', '--for=condition=Ready', 'pod/p0', 'pod/p1', '--timeout=60s'], { timeoutMs: 70_000 })
      .catch(async (err: Error) => { throw new Error(`${err.message}\n${await logs()}`); });
    const pods = JSON.parse((await kubectl(['get', 'pods', '-n', 'e2e', '-o', 'json'])).stdout).items as any[];
    assert.deepEqual(pods.map((p) => [p.metadata.name, p.spec.nodeName, p.status.phase]).sort(), [
      ['p0', `${NAME}-node-0`, 'Running'], ['p1', `${NAME}-node-1`, 'Running'],
    ]);
    podUids.push(...pods.map((p) => p.metadata.uid as string));
    const { stdout } = await kubectl(['exec', '-n', 'e2e', 'p1', '--', 'sh', '-c', 'echo hello from $(hostname)'], { timeoutMs: 30_000 });
    assert.equal(stdout.trim(), 'hello from p1');
  });

  const inPod = async (pod: string, script: string, timeoutMs = 60_000) =>
    (await kubectl(['exec', '-n', 'e2e', pod, '--', 'sh', '-c', script], { timeoutMs })).stdout.trim().split('\n').map((l) => l.trim()).filter(Boolean);
  const webPods = async () => (JSON.parse((await kubectl(['get', 'pods', '-n', 'e2e', '-l', 'app=web', '-o', 'json'])).stdout).items as any[])
    .filter((p) => p.status?.podIP && !p.metadata.deletionTimestamp);
  const webNames = async () => (await webPods()).map((p) => p.metadata.name as string).sort();
  const clusterIP = async (svc: string) => JSON.parse((await kubectl(['get', 'service', svc, '-n', 'e2e', '-o', 'json'])).stdout).spec.clusterIP as string;
  const endpoints = async (svc: string) => (JSON.parse((await kubectl(['get', 'endpointslices', '-n', 'e2e', '-l', `kubernetes.io/service-name=${svc}`, '-o', 'json'])).stdout).items as any[])
    .flatMap((s) => s.endpoints ?? []) as { conditions?: { ready?: boolean } }[];
  const readyEndpoints = async (svc: string) => (await endpoints(svc)).filter((e) => e.conditions?.ready !== false).length;
  const nodeNetns = [0, 1, 2].map((i) => `kite-${NAME}-${i}`);

  it('runs a Deployment with a replica on each node, whose pods reach each other across nodes by IP', async () => {
    await kubectl(['apply', '-n', 'e2e', '-f', '-'], { input: webDeployment(NODES) });
    await kubectl(['apply', '-n', 'e2e', '-f', '-'], { input: webServices(NODE_PORT) });
    await kubectl(['wait', '-n', 'e2e', '--for=condition=Available', 'deployment/web', '--timeout=90s'], { timeoutMs: 100_000 })
      .catch(async (err: Error) => { throw new Error(`${err.message}\n${await logs()}`); });
    const pods = await pollUntil('three ready web pods', async () => { const p = await webPods(); return p.length === NODES ? p : undefined; }, 30_000, 500);
    assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), [0, 1, 2].map((i) => `${NAME}-node-${i}`), 'one replica per node');
    webIPs = pods.map((p) => p.status.podIP as string).sort();
    // p0 runs on node 0: two of the three answers cross nodes, over VXLAN.
    const answers = await inPod('p0', webIPs.map((ip) => fetchScript(`http://${ip}/`)).join('; '));
    assert.deepEqual(answers.slice().sort(), pods.map((p) => p.metadata.name).sort());
    const p1 = JSON.parse((await kubectl(['get', 'pod', 'p1', '-n', 'e2e', '-o', 'json'])).stdout).status.podIP as string;
    assert.match((await inPod('p0', `ping -c 1 -W 3 ${p1}`)).join('\n'), /1 packets received/);
  });

  it('a client pod fetches the Service by DNS name and by ClusterIP, with answers from every replica', async () => {
    const names = await webNames();
    for (const url of ['http://web.e2e.svc.cluster.local/', `http://${await clusterIP('web')}/`]) {
      const answers = await inPod('p0', fetchScript(url, 30));
      assert.ok(!answers.includes('FAIL'), `${url}: ${answers.join(', ')}`);
      assert.deepEqual([...new Set(answers)].sort(), names, `${url} spreads over every replica`);
    }
    const resolv = await inPod('p0', 'cat /etc/resolv.conf');
    assert.ok(resolv.includes('nameserver 10.43.0.10') && resolv.includes('search e2e.svc.cluster.local svc.cluster.local cluster.local') && resolv.includes('options ndots:5'), resolv.join('\n'));
  });

  it('a NodePort answers from this host on every node\'s address', async () => {
    const names = await webNames();
    for (const i of [0, 1, 2]) {
      const body = await httpGet(`172.31.${subnet}.${10 + i}`, NODE_PORT);
      assert.ok(names.includes(body), `node ${i} answered ${body}`);
    }
  });

  it('a headless Service resolves to its pod IPs', async () => {
    const out = await inPod('p0', 'nslookup web-headless.e2e.svc.cluster.local');
    const afterName = out.slice(out.findIndex((l) => l.startsWith('Name:')));
    const ips = afterName.filter((l) => l.startsWith('Address:')).map((l) => l.replace(/^Address:\s*/, '').trim());
    assert.deepEqual([...new Set(ips)].sort(), webIPs);
  });

  it('scaling to zero and back rewrites every node\'s rules', async (t) => {
    const ip = await clusterIP('web');
    const rejecting = (rules: string) => new RegExp(`${ip.replace(/\./g, '\\.')} \\. tcp \\. 80 : goto reject-chain`).test(rules);
    await kubectl(['patch', 'deployment', 'web', '-n', 'e2e', '--type', 'merge', '-p', '{"spec":{"replicas":0}}']);
    // Terminating endpoints still serve (the proxy falls back to them, as kube-proxy does) until they are gone.
    await pollUntil('no endpoints behind web', async () => (await endpoints('web')).length === 0, 30_000, 50);
    const emptied = Date.now();
    const down = await Promise.all(nodeNetns.map((ns) => pollUntil(`${ns} to reject ${ip}`, async () => rejecting(await proxyRules(ns)) && Date.now(), 10_000, 20)));
    t.diagnostic(`rules reject on every node ${Math.max(...down) - emptied} ms after the EndpointSlice emptied (as seen by polling)`);
    assert.deepEqual(await inPod('p0', fetchScript(`http://${ip}/`)), ['FAIL']);

    await kubectl(['patch', 'deployment', 'web', '-n', 'e2e', '--type', 'merge', '-p', `{"spec":{"replicas":${NODES}}}`]);
    await pollUntil('three ready endpoints behind web', async () => (await readyEndpoints('web')) === NODES, 90_000, 50);
    const filled = Date.now();
    const up = await Promise.all(nodeNetns.map((ns) => pollUntil(`${ns} to balance ${ip} over three endpoints`, async () => {
      const rules = await proxyRules(ns);
      return !rejecting(rules) && /numgen random mod 3/.test(rules) && Date.now();
    }, 10_000, 20)));
    t.diagnostic(`rules balance over the new endpoints on every node ${Math.max(...up) - filled} ms after they became ready (as seen by polling)`);
    const answers = await inPod('p0', fetchScript(`http://${ip}/`, 20));
    assert.ok(!answers.includes('FAIL'), answers.join(', '));
    webIPs = (await webPods()).map((p) => p.status.podIP as string).sort();
  });

  it('a default-deny NetworkPolicy blocks traffic and an allow rule lets exactly the selected pods through', async (t) => {
    // p0 (node 0, no labels) and friend (node 1, role=client) both fetch every web pod.
    await kubectl(['apply', '-n', 'e2e', '-f', '-'], { input: clientPod('friend', `${NAME}-node-1`, { role: 'client' }) });
    await kubectl(['wait', '-n', 'e2e', '--for=condition=Ready', 'pod/friend', '--timeout=60s'], { timeoutMs: 70_000 });
    const fetchAll = (pod: string) => inPod(pod, webIPs.map((ip) => fetchScript(`http://${ip}/`, 1, 2)).join('; '));
    const names = await webNames();
    assert.deepEqual((await fetchAll('p0')).sort(), names, 'open before any policy');

    await kubectl(['apply', '-n', 'e2e', '-f', '-'], { input: denyAllIngress() });
    const denied = Date.now();
    await pollUntil('default-deny to block p0', async () => (await inPod('p0', fetchScript(`http://${webIPs[0]}/`, 1, 1)))[0] === 'FAIL', 20_000, 50);
    t.diagnostic(`default-deny in effect within ${Date.now() - denied} ms of the apply (one probe: kubectl exec plus up to 1 s of wget)`);
    assert.ok((await fetchAll('p0')).every((a) => a === 'FAIL'), 'p0 is blocked from every web pod');
    assert.ok((await fetchAll('friend')).every((a) => a === 'FAIL'), 'friend is blocked too');

    await kubectl(['apply', '-n', 'e2e', '-f', '-'], { input: allowClients() });
    await pollUntil('the allow rule to let friend through', async () => (await fetchAll('friend')).sort().join() === names.join(), 20_000, 100);
    assert.ok((await fetchAll('p0')).every((a) => a === 'FAIL'), 'p0, not selected by the allow rule, stays blocked');
    const viaService = await inPod('friend', fetchScript('http://web.e2e.svc.cluster.local/', 6));
    assert.ok(!viaService.includes('FAIL'), `friend through the Service: ${viaService.join(', ')}`);

    await kubectl(['delete', 'networkpolicy', '-n', 'e2e', 'default-deny', 'web-from-clients']);
    await pollUntil('p0 to get through once the policies are gone', async () => (await fetchAll('p0')).sort().join() === names.join(), 20_000, 100);
  });

  it('deletes the cluster and leaves the host as it was; a second delete has nothing to do', async () => {
    const res = await kite(['cluster', 'delete', '--name', NAME, '--state-dir', stateDir], 90_000);
    assert.equal(res.code, 0, res.out);
    deleted = true;
    assert.match(res.out, /pod sandbox\(es\) removed/);
    assert.deepEqual((await kiteNetns()).filter((n) => !netnsBefore.includes(n) && n.startsWith(`kite-${NAME}-`)), [], 'no kite namespaces');
    assert.deepEqual((await kiteLinks()).filter((n) => !linksBefore.includes(n) && (n === `kite-${NAME}` || n.startsWith(`kite-${subnet}-`))), [], 'no kite interfaces');
    assert.deepEqual(await processesUsing(stateDir), [], 'no processes of the cluster');
    assert.deepEqual(await mountsUnder(stateDir), [], 'no mounts under the state dir');
    assert.equal(existsSync(dir), false, 'the cluster dir is removed');
    assert.deepEqual(await hostNetworkState(), hostBefore, 'no nftables table, route or loopback address of the cluster on the host');
    for (const uid of podUids) {
      for (const h of await readdir('/sys/fs/cgroup')) {
        for (const rel of [`kubepods/pod${uid}`, `kubepods/burstable/pod${uid}`, `kubepods/besteffort/pod${uid}`]) {
          assert.equal(existsSync(join('/sys/fs/cgroup', h, rel)), false, `cgroup ${h}/${rel} is removed`);
        }
      }
    }
    const again = await kite(['cluster', 'delete', '--name', NAME, '--state-dir', stateDir], 30_000);
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /nothing to do/);
  });

  after(async () => {
    if (!stateDir) return;
    if (!deleted) await kite(['cluster', 'delete', '--name', NAME, '--state-dir', stateDir], 90_000);
    if ((await mountsUnder(stateDir)).length === 0) await rm(stateDir, { recursive: true, force: true });
  });
});
