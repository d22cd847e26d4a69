// `kite cluster` on this host: a two-node cluster in a temp state dir, its nodes Ready with their
// namespace addresses as the real kubectl sees them, a pod Running on each node and an exec into
// one; then `kite cluster delete` leaves the host as it was (no kite namespaces, interfaces,
// processes or mounts of the cluster, no pod cgroups), and a second delete has nothing to do.
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
import { kubectlBin, kubectlEnv, runKubectl } from './kubectl.js';
import { pollUntil } from './polling.js';
import { repoRoot } from './server-process.js';

const execFileP = promisify(execFile);
const NAME = `e2e${Math.random().toString(36).slice(2, 7)}`;

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
    stateDir = await mkdtemp(join(tmpdir(), 'kite-e2e-cluster-'));
    dir = join(stateDir, NAME);
  });

  it('creates a two-node cluster whose nodes are Ready with their namespace addresses', async () => {
    const res = await kite(['cluster', 'create', '--name', NAME, '--nodes', '2', '--state-dir', stateDir, '--wait', '90s'], 120_000);
    assert.equal(res.code, 0, `${res.out}\n${await logs()}`);
    assert.match(res.out, new RegExp(`export KUBECONFIG=${join(dir, 'kubeconfig.yaml')}`));
    assert.equal((await stat(join(dir, 'cluster.json'))).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'kubeconfig.yaml'))).mode & 0o777, 0o600);
    const state = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8'));
    assert.equal(state.phase, 'ready');
    const subnet = state.plan.subnetIndex as number;

    const nodes = JSON.parse((await kubectl(['get', 'nodes', '-o', 'json'])).stdout).items as any[];
    const seen = nodes.map((n) => [
      n.metadata.name,
      n.status.conditions.find((c: any) => c.type === 'Ready')?.status,
      n.status.addresses.find((a: any) => a.type === 'InternalIP')?.address,
    ]).sort();
    assert.deepEqual(seen, [[`${NAME}-node-0`, 'True', `172.31.${subnet}.10`], [`${NAME}-node-1`, 'True', `172.31.${subnet}.11`]]);
    assert.deepEqual((await kiteNetns()).filter((n) => !netnsBefore.includes(n)).sort(), [`kite-${NAME}-0`, `kite-${NAME}-1`]);
    assert.ok((await kiteLinks()).includes(`kite-${NAME}`), 'the bridge exists');

    const listed = await kite(['cluster', 'list', '--state-dir', stateDir], 20_000);
    assert.match(listed.out, new RegExp(`${NAME}\\s+2\\s+172\\.31\\.${subnet}\\.0/24\\s+Running`));
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

  it('deletes the cluster and leaves the host as it was; a second delete has nothing to do', async () => {
    const res = await kite(['cluster', 'delete', '--name', NAME, '--state-dir', stateDir], 90_000);
    assert.equal(res.code, 0, res.out);
    deleted = true;
    assert.match(res.out, /pod sandbox\(es\) removed/);
    assert.deepEqual((await kiteNetns()).filter((n) => !netnsBefore.includes(n)), [], 'no kite namespaces');
    assert.deepEqual((await kiteLinks()).filter((n) => !linksBefore.includes(n)), [], 'no kite interfaces');
    assert.deepEqual(await processesUsing(stateDir), [], 'no processes of the cluster');
    assert.deepEqual(await mountsUnder(stateDir), [], 'no mounts under the state dir');
    assert.equal(existsSync(dir), false, 'the cluster dir is removed');
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
