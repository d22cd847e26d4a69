// A node joining with `kite agent`: a `kite server --disable-agent` and a separate agent process
// given the server's join token. The node registers Ready with node credentials of its own, runs
// a pod that `kubectl logs` and `exec` reach through it, survives a SIGKILL of the agent (the
// container runs on, and the agent restarted on the same data dir, without the token, adopts it),
// cleans up a deleted pod, and leaves nothing behind once stopped. Needs root and containerd.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectCri } from '../../src/kubelet/cri/client.js';
import { agentPaths } from '../../src/kubelet/paths.js';
import { mountsUnder, removeAllSandboxes, removeTestDir } from '../support/containerd.js';
import { AGENT_BRIDGE, SandboxTracker, agentSkip, assertHostClean, busyboxPod, containerStatus, deleteAllPods } from './agent-suite.js';
import { exitOf, track } from './child-processes.js';
import { createNamespace } from './fixtures.js';
import { parseTable } from './kubectl.js';
import { delay, pollUntil, withTimeout } from './polling.js';
import { repoRoot, startKite, type Kite } from './server-process.js';
import { uniqueName } from './suites.js';

const NODE = 'kite-e2e-joined';

/** `kite agent` as a child process of the test, with its output kept for failure messages. */
class AgentProcess {
  private child?: ChildProcess;
  private output = '';

  constructor(private readonly args: () => string[]) {}

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  log(max = 6000): string {
    return this.output.slice(-max);
  }

  start(token?: string): void {
    const args = [join(repoRoot, 'bin', 'kite.js'), 'agent', ...this.args(), ...(token ? ['--token', token] : [])];
    this.output += `\n--- starting kite agent ---\n`;
    const c = track(spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } }));
    this.child = c;
    const append = (d: Buffer) => {
      this.output += d.toString();
      if (this.output.length > 200_000) this.output = this.output.slice(-100_000);
    };
    c.stdout!.on('data', append);
    c.stderr!.on('data', append);
    c.on('exit', (code, signal) => { this.output += `\n--- kite agent exited code=${code} signal=${signal} ---\n`; });
  }

  running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(signal: NodeJS.Signals, ms = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const c = this.child;
    if (!c) return { code: null, signal: null };
    if (this.running()) process.kill(c.pid!, signal);
    try {
      return await withTimeout(exitOf(c), ms, `kite agent to exit after ${signal}`);
    } catch (err) {
      if (this.running()) process.kill(c.pid!, 'SIGKILL');
      await exitOf(c);
      throw new Error(`${(err as Error).message}\n--- agent log ---\n${this.log()}`);
    }
  }
}

/** The CRI of the agent's containerd, for one call. */
async function withCri<T>(socket: string, fn: (cri: ReturnType<typeof connectCri>) => Promise<T>): Promise<T> {
  const cri = connectCri(`unix://${socket}`, { defaultTimeoutMs: 10_000 });
  try {
    return await fn(cri);
  } finally {
    cri.close();
  }
}

function processAlive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

const skip = agentSkip();
describe('node agent: kite agent joining a server', skip ? { skip } : {}, () => {
  let kite: Kite | undefined;
  let agentDir = '';
  let tracker: SandboxTracker | undefined;
  let tornDown = false;
  const ns = uniqueName('join');
  const agent = new AgentProcess(() => ['--server', `https://127.0.0.1:${kite!.port}`, '--data-dir', join(agentDir, 'data'), '--node-name', NODE]);
  const dataDir = () => join(agentDir, 'data');
  const socket = () => agentPaths(dataDir()).containerd.socket;
  const k = (): Kite => {
    if (!kite) throw new Error('the kite server did not start (see the before hook failure)');
    return kite;
  };
  const pod = async (name: string) => {
    const res = await k().request('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
    assert.equal(res.status, 200, res.body);
    return res.json();
  };
  const nodeReady = async () => {
    const res = await k().request('GET', `/api/v1/nodes/${NODE}`);
    return res.status === 200 && res.json().status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True';
  };
  const withLog = (err: Error) => { throw new Error(`${err.message}\n--- agent log (tail) ---\n${agent.log()}`); };

  before(async () => {
    kite = await startKite({ datastore: 'sqlite', agent: false });
    agentDir = await mkdtemp(join(tmpdir(), 'kite-e2e-agent-'));
    tracker = new SandboxTracker(socket);
  });

  it('joins with the server\'s token: node credentials of its own, the node Ready under its name', async () => {
    const token = (await readFile(join(k().dataDir, 'server', 'node-token'), 'utf8')).trim();
    assert.match(token, /^K10[0-9a-f]{64}::/);
    agent.start(token);
    await pollUntil(`node ${NODE} to be Ready`, nodeReady, 120_000, 250).catch(withLog);
    tracker!.start();
    const cert = new X509Certificate(await readFile(join(agentPaths(dataDir()).credentials, 'client.crt')));
    assert.match(cert.subject, new RegExp(`CN=system:node:${NODE}`));
    assert.match(cert.subject, /O=system:nodes/);
    const ca = new X509Certificate(await readFile(join(k().dataDir, 'server', 'tls', 'ca.crt')));
    assert.ok(cert.checkIssued(ca), 'issued by the cluster CA');
    const row = parseTable((await k().kubectl(['get', 'nodes'])).stdout).find((r) => r.NAME === NODE);
    assert.equal(row?.STATUS, 'Ready');
    assert.equal(row?.ROLES, '<none>', 'a joined node is not the control plane');
    const lease = (await k().request('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${NODE}`)).json();
    assert.equal(lease.spec.holderIdentity, NODE);
    await createNamespace(k(), ns);
    await pollUntil('the default service account', async () =>
      (await k().request('GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`)).status === 200, 15_000, 100);
  });

  let containerID = '';
  let containerPid = 0;
  let sandboxes: string[] = [];

  it('runs a pod; kubectl logs and exec go through the joined agent', async () => {
    await k().kubectl(['apply', '-n', ns, '-f', '-'], { input: busyboxPod('sleeper', 'echo started on $HOSTNAME; sleep 3600', { terminationGracePeriodSeconds: 1 }) });
    await k().kubectl(['wait', '-n', ns, '--for=condition=Ready', 'pod/sleeper', '--timeout=60s'], { timeoutMs: 70_000 }).catch(withLog);
    const p = await pod('sleeper');
    assert.equal(p.spec.nodeName, NODE);
    containerID = containerStatus(p).containerID;
    assert.match(containerID, /^containerd:\/\/[0-9a-f]{64}$/);
    const logs = await pollUntil('the log line', async () => {
      const { stdout } = await k().kubectl(['logs', '-n', ns, 'sleeper']);
      return stdout !== '' ? stdout : false;
    }, 15_000, 250);
    assert.equal(logs, 'started on sleeper\n');
    assert.equal((await k().kubectl(['exec', '-n', ns, 'sleeper', '--', 'echo', 'through the agent'])).stdout, 'through the agent\n');
    const view = await withCri(socket(), async (cri) => {
      const status = await cri.runtime.containerStatus({ containerId: containerID.slice('containerd://'.length), verbose: true });
      return {
        pid: JSON.parse(status.info.info ?? '{}').pid as number,
        sandboxes: (await cri.runtime.listPodSandbox({})).items.map((s) => s.id),
      };
    });
    containerPid = view.pid;
    sandboxes = view.sandboxes;
    assert.ok(containerPid > 0 && processAlive(containerPid), `the container's process ${containerPid}`);
    assert.equal(sandboxes.length, 1);
  });

  it('keeps the container running through a SIGKILL of the agent, and adopts it when restarted on the same data dir', async () => {
    assert.ok(containerID, 'the previous test ran the pod');
    const killedAt = Date.now();
    assert.deepEqual(await agent.stop('SIGKILL'), { code: null, signal: 'SIGKILL' });
    // Nothing runs the node now; the container runs on, and the node is not NotReady before its grace period.
    for (let i = 0; i < 3; i++) {
      assert.ok(processAlive(containerPid), 'the container\'s process survives the agent');
      const p = await pod('sleeper');
      assert.equal(p.status.phase, 'Running');
      assert.equal(containerStatus(p).containerID, containerID);
      assert.equal(await nodeReady(), true, 'still Ready within the node monitor grace period');
      await delay(1_000);
    }
    const running = await withCri(socket(), async (cri) => (await cri.runtime.listContainers({})).containers.map((c) => `containerd://${c.id}:${c.state}`));
    assert.deepEqual(running, [`${containerID}:CONTAINER_RUNNING`]);

    // Again, without the token: the credentials kept under the data dir are enough.
    agent.start();
    await pollUntil('the heartbeat of the restarted agent', async () => {
      const lease = (await k().request('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${NODE}`)).json();
      return Date.parse(lease.spec.renewTime) > killedAt;
    }, 60_000, 250).catch(withLog);
    await pollUntil(`node ${NODE} Ready`, nodeReady, 30_000, 250).catch(withLog);
    await delay(3_000);
    const p = await pod('sleeper');
    const cs = containerStatus(p);
    assert.equal(cs.containerID, containerID, 'the same container');
    assert.equal(cs.restartCount, 0);
    assert.ok(cs.state.running, JSON.stringify(cs.state));
    assert.equal(p.status.phase, 'Running');
    assert.ok(processAlive(containerPid), 'the same process');
    const after = await withCri(socket(), async (cri) => (await cri.runtime.listPodSandbox({})).items.map((s) => s.id));
    assert.deepEqual(after, sandboxes, 'no second sandbox');
    assert.equal((await k().kubectl(['logs', '-n', ns, 'sleeper'])).stdout, 'started on sleeper\n');
  });

  it('removes a deleted pod\'s sandbox and container', async () => {
    await k().kubectl(['delete', 'pod', '-n', ns, 'sleeper', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
    await pollUntil('the runtime to be empty', () => withCri(socket(), async (cri) =>
      (await cri.runtime.listPodSandbox({})).items.length === 0 && (await cri.runtime.listContainers({})).containers.length === 0), 30_000, 250);
    assert.equal(processAlive(containerPid), false, 'the container\'s process is gone');
  });

  it('leaves no network namespace, interface, mount or process behind once the agent and server stop', async () => {
    await tracker!.sample();
    await deleteAllPods(k(), ns, NODE, socket());
    tracker!.stop();
    assert.deepEqual(await agent.stop('SIGTERM'), { code: 0, signal: null }, agent.log());
    await assertHostClean(dataDir(), tracker!);
    assert.deepEqual(await k().stop(), { code: 0, signal: null }, k().log());
    tornDown = true;
  });

  after(async () => {
    tracker?.stop();
    if (!tornDown && agentDir) {
      await agent.stop('SIGKILL').catch(() => undefined);
      await removeAllSandboxes(socket()).catch(() => undefined);
      await removeTestDir(dataDir(), AGENT_BRIDGE).catch(() => undefined);
    }
    // Never through a mount left under it.
    if (agentDir && (await mountsUnder(agentDir)).length === 0) await rm(agentDir, { recursive: true, force: true });
    await kite?.close();
  });
});
