// Suites against a `kite server` running its node agent for real: containerd of its own, the
// pod network on the `kite0` bridge, containers of the standard images. One server per suite
// (SQLite). The suite's last test takes everything down through the API and checks the host is
// as it was; when a suite fails half-way, the after hook removes what is left by force.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectCri } from '../../src/kubelet/cri/client.js';
import { agentPaths } from '../../src/kubelet/paths.js';
import {
  assertNothingLeft, containerdSkip, linkExists, netnsNames, removeAllSandboxes, removeTestDir, run,
} from '../support/containerd.js';
import { createNamespace } from './fixtures.js';
import { pollUntil } from './polling.js';
import { startKite, type Kite } from './server-process.js';
import { uniqueName } from './suites.js';

/** The node the suites' agent registers. */
export const AGENT_NODE = 'kite-e2e-node';
/** The agent's pod bridge and the addresses of its default pod CIDR (10.42.0.0/24). */
export const AGENT_BRIDGE = 'kite0';
export const POD_IP_PREFIX = '10.42.0.';
const KUBELET_PORT = 10250;

export interface AgentSuiteContext {
  readonly kite: Kite;
  /** A namespace of the suite's own, deleted by the last test. */
  readonly ns: string;
  /** `kubectl apply -f -` of `yaml` in the suite's namespace. */
  apply(yaml: string): Promise<void>;
  /** The pod as the API has it. */
  pod(name: string): Promise<any>;
}

function listening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A') return true;
    }
  }
  return false;
}

/** Why the agent suites cannot run on this machine; false when they can. */
export function agentSkip(): string | false {
  const base = containerdSkip({ cni: true });
  if (base) return base;
  if (!existsSync('/usr/sbin/runc')) return '/usr/sbin/runc is missing';
  if (!existsSync('/usr/sbin/iptables')) return '/usr/sbin/iptables is missing';
  if (linkExists(AGENT_BRIDGE)) return `the bridge ${AGENT_BRIDGE} exists: another node agent runs on this machine`;
  if (listening(KUBELET_PORT)) return `port ${KUBELET_PORT} is in use: another kubelet runs on this machine`;
  return false;
}

/** Sandboxes and containers the agent's containerd (at `socket`) still has. */
async function runtimeLeftovers(socket: string): Promise<{ sandboxes: number; containers: number }> {
  const cri = connectCri(`unix://${socket}`, { defaultTimeoutMs: 10_000 });
  try {
    const sandboxes = (await cri.runtime.listPodSandbox({})).items.length;
    const containers = (await cri.runtime.listContainers({})).containers.length;
    return { sandboxes, containers };
  } finally {
    cri.close();
  }
}

/**
 * What the agent's runtime has made during the suite, sampled every second: the IDs of its pod
 * sandboxes (the CNI names its NAT rules after them) and their network namespaces. Other tests
 * on this machine make sandboxes and namespaces of their own, so the checks at the end look for
 * these only.
 */
export class SandboxTracker {
  readonly ids = new Set<string>();
  readonly netns = new Set<string>();
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(private readonly socket: () => string) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), 1_000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async sample(): Promise<void> {
    if (this.busy || !existsSync(this.socket())) return;
    this.busy = true;
    const cri = connectCri(`unix://${this.socket()}`, { defaultTimeoutMs: 5_000 });
    try {
      for (const sb of (await cri.runtime.listPodSandbox({})).items) {
        if (this.ids.has(sb.id)) continue;
        const status = await cri.runtime.podSandboxStatus({ podSandboxId: sb.id, verbose: true });
        const spec = JSON.parse(status.info.info ?? '{}').runtimeSpec;
        const path = (spec?.linux?.namespaces ?? []).find((n: any) => n.type === 'network')?.path as string | undefined;
        if (path) this.netns.add(basename(path));
        this.ids.add(sb.id);
      }
    } catch {
      // containerd restarting or stopped: the next sample sees it
    } finally {
      cri.close();
      this.busy = false;
    }
  }
}

/**
 * Deletes the suite's namespace and every pod left on `node`, and waits until the runtime (the
 * containerd at `socket`) has nothing.
 */
export async function deleteAllPods(kite: Kite, ns: string, node = AGENT_NODE, socket = agentPaths(kite.dataDir).containerd.socket): Promise<void> {
  // The controllers first, then the pods with a short grace (sh as PID 1 ignores TERM), then the namespace.
  await kite.kubectl(['delete', 'deployments,replicasets,statefulsets,daemonsets,jobs', '--all', '-n', ns, '--cascade=orphan']);
  await kite.kubectl(['delete', 'pods', '-A', '--field-selector', `spec.nodeName=${node}`, '--grace-period=1', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
  await kite.kubectl(['delete', 'namespace', ns, '--wait=false']);
  await pollUntil(`namespace ${ns} to be gone`, async () => (await kite.request('GET', `/api/v1/namespaces/${ns}`)).status === 404, 60_000, 250);
  await pollUntil('no pods bound to the node', async () => {
    const { stdout } = await kite.kubectl(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${node}`, '-o', 'name']);
    return stdout.trim() === '';
  }, 60_000, 500);
  await pollUntil('the agent to remove every sandbox and container', async () => {
    const left = await runtimeLeftovers(socket);
    return left.sandboxes === 0 && left.containers === 0;
  }, 60_000, 500);
}

/**
 * After the agent stopped: the suite saw sandboxes, and none of them left a network namespace, a
 * NAT rule, mounts or processes under `dataDir`, nor the bridge (deleted here: the bridge plugin
 * never deletes it).
 */
export async function assertHostClean(dataDir: string, t: SandboxTracker): Promise<void> {
  assert.ok(t.ids.size > 0 && t.netns.size > 0, 'the suite saw its sandboxes');
  await assertNothingLeft(dataDir, { bridge: AGENT_BRIDGE });
  assert.deepEqual([...await netnsNames()].filter((n) => t.netns.has(n)), [], 'no network namespace of the suite is left');
  const nat = (await run('iptables', ['-t', 'nat', '-S'])).stdout.split('\n');
  assert.deepEqual(nat.filter((rule) => [...t.ids].some((id) => rule.includes(id))), [], 'no NAT rule of the suite is left');
  assert.equal((await run('ip', ['-o', 'link', 'show'])).stdout.includes(`${AGENT_BRIDGE}:`), false);
  // The agent's networking: its nftables tables, the VXLAN device and the cluster DNS address.
  assert.deepEqual((await run('nft', ['list', 'tables'])).stdout.split('\n').filter((l) => /kite-(proxy|nat|netpol)/.test(l)), [], 'no nftables table of the agent is left');
  assert.equal((await run('ip', ['-o', 'link', 'show'])).stdout.includes('kite.1:'), false, 'the VXLAN device is removed');
  assert.equal((await run('ip', ['-o', 'addr', 'show', 'dev', 'lo'])).stdout.includes('10.43.0.10/32'), false, 'the cluster DNS address is removed from lo');
}

/** Removes what a failed suite left: the server killed, sandboxes removed through the CRI, processes by PID, mounts, the bridge. */
async function forceCleanup(kite: Kite, bridgeWasOurs: boolean): Promise<void> {
  await kite.kill9().catch(() => undefined);
  await removeAllSandboxes(agentPaths(kite.dataDir).containerd.socket).catch(() => undefined);
  await removeTestDir(kite.dataDir, bridgeWasOurs ? AGENT_BRIDGE : undefined).catch(() => undefined);
}

/**
 * A suite on one `kite server` with its agent (node {@link AGENT_NODE}), skipped with the reason
 * when the machine cannot run containers. `fn` adds the tests; the last test stops it all and
 * checks nothing is left behind.
 */
export function describeWithAgent(name: string, fn: (ctx: AgentSuiteContext) => void): void {
  const skip = agentSkip();
  describe(name, skip ? { skip } : {}, () => {
    let kite: Kite | undefined;
    let tracker: SandboxTracker | undefined;
    let tornDown = false;
    const ns = uniqueName('agent');
    const ctx: AgentSuiteContext = {
      get kite(): Kite {
        if (!kite) throw new Error('the kite server did not start (see the before hook failure)');
        return kite;
      },
      ns,
      async apply(yaml) {
        await ctx.kite.kubectl(['apply', '-n', ns, '-f', '-'], { input: yaml });
      },
      async pod(podName) {
        const res = await ctx.kite.request('GET', `/api/v1/namespaces/${ns}/pods/${podName}`);
        assert.equal(res.status, 200, res.body);
        return res.json();
      },
    };

    before(async () => {
      kite = await startKite({ datastore: 'sqlite', agent: true, extraArgs: ['--node-name', AGENT_NODE] });
      await pollUntil(`node ${AGENT_NODE} to register`, async () => (await kite!.request('GET', `/api/v1/nodes/${AGENT_NODE}`)).status === 200, 120_000, 250)
        .catch((err: Error) => { throw new Error(`${err.message}\n--- server log (tail) ---\n${kite!.log()}`); });
      await kite.kubectl(['wait', '--for=condition=Ready', `node/${AGENT_NODE}`, '--timeout=60s'], { timeoutMs: 70_000 });
      tracker = new SandboxTracker(() => agentPaths(kite!.dataDir).containerd.socket);
      tracker.start();
      await createNamespace(kite, ns);
      await pollUntil('the default service account', async () =>
        (await kite!.request('GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`)).status === 200, 15_000, 100);
    });

    fn(ctx);

    it('takes its pods down through the API and leaves the host as it was once the server stops', async () => {
      const k = ctx.kite;
      const t = tracker!;
      await t.sample();
      await deleteAllPods(k, ns);
      t.stop();
      const exit = await k.stop();
      assert.deepEqual(exit, { code: 0, signal: null }, k.log());
      await assertHostClean(k.dataDir, t);
      tornDown = true;
      await k.close();
      assert.equal(existsSync(dirname(k.dataDir)), false, 'the temp dir is removed');
    });

    after(async () => {
      tracker?.stop();
      if (!kite) return;
      if (!tornDown) await forceCleanup(kite, true);
      await kite.close();
    });
  });
}

/** A pod manifest of one busybox container running `script`. */
export function busyboxPod(name: string, script: string, spec: Record<string, unknown> = {}, container: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { containers: [{ name: 'c', image: 'kite.local/busybox:1.35', command: ['sh', '-c', script], ...container }], ...spec },
  });
}

/** The pod's one container status (the first). */
export function containerStatus(pod: any): any {
  return pod?.status?.containerStatuses?.[0];
}

/** The events about `podName` in the suite's namespace, oldest first, as `reason: message`. */
export async function podEvents(ctx: AgentSuiteContext, podName: string): Promise<string[]> {
  const res = await ctx.kite.request('GET', `/api/v1/namespaces/${ctx.ns}/events`);
  assert.equal(res.status, 200, res.body);
  return (res.json().items as any[])
    .filter((e) => e.involvedObject?.name === podName && e.involvedObject?.kind === 'Pod')
    .sort((a, b) => String(a.lastTimestamp ?? a.eventTime).localeCompare(String(b.lastTimestamp ?? b.eventTime)))
    .map((e) => `${e.reason}: ${e.message}`);
}
