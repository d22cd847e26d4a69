// What the tests running a real containerd share: whether this machine can run them, the agent's
// Containerd started in a temp dir of the test's own, the standard images imported into it, a pod
// network (bridge and /24) nobody else uses, a best-effort cleanup for a test that failed half-way,
// and the checks that a test which went through left nothing behind: no mounts or processes under
// its dir, no bridge, and (when asked) no network namespaces or NAT rules of its pod network.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { realClock } from '../../src/apimachinery/clock.js';
import { Containerd, type ContainerdOptions } from '../../src/kubelet/containerd/containerd.js';
import { connectCri } from '../../src/kubelet/cri/client.js';
import { importImageArchive } from '../../src/kubelet/images/import.js';
import { buildStandardImages, standardImageFiles } from '../../src/kubelet/images/standard.js';
import { agentPaths, type AgentPaths } from '../../src/kubelet/paths.js';

export const run = promisify(execFile);
export const CONTAINERD = '/usr/bin/containerd';
export const CTR = '/usr/bin/ctr';

/** Why a test needing containerd (and root, busybox-static, optionally ctr and the CNI plugins) cannot run here; false when it can. */
export function containerdSkip(needs: { cni?: boolean; ctr?: boolean } = {}): string | false {
  if (!existsSync(CONTAINERD)) return `${CONTAINERD} is missing`;
  if (needs.ctr && !existsSync(CTR)) return `${CTR} is missing`;
  if (process.getuid?.() !== 0) return 'needs root';
  if (needs.cni && !existsSync('/usr/lib/cni/bridge')) return 'the CNI plugins (/usr/lib/cni) are missing';
  if (!existsSync('/bin/busybox')) return '/bin/busybox is missing';
  return false;
}

/** Polls `check` (a throw counts as not yet) until it returns something truthy, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000, intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Mount points at or under `path`, in mount order. */
export async function mountsUnder(path: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(path));
}

/** PIDs of processes (containerd, shims, containers' runtimes) whose command line names `path`. */
export async function processesUsing(path: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(path)) pids.push(Number(name));
  }
  return pids;
}

export function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

/** A pod network of the test's own: a random bridge name and a random /24 under `10.<second>.0.0/16`. */
export interface TestPodNetwork {
  bridge: string;
  podCIDR: string;
  /** The /24's first three octets with the dot, e.g. `10.88.17.`: what its addresses and rules start with. */
  prefix: string;
  /** Matches one address of the /24. */
  address: RegExp;
}

export function testPodNetwork(bridgePrefix = 'kt', second = 88): TestPodNetwork {
  const third = Math.floor(Math.random() * 250) + 1;
  const prefix = `10.${second}.${third}.`;
  return {
    bridge: `${bridgePrefix}${Math.random().toString(36).slice(2, 10)}`,
    podCIDR: `${prefix}0/24`,
    prefix,
    address: new RegExp(`^10\\.${second}\\.${third}\\.\\d+$`),
  };
}

/** The network namespaces there are now, to compare with what is left at the end. */
export async function netnsNames(): Promise<Set<string>> {
  return new Set(await readdir('/var/run/netns').catch(() => []));
}

/** Stops and removes every pod sandbox through the CRI at `socket`, ignoring failures (a cleanup step). */
export async function removeAllSandboxes(socket: string): Promise<void> {
  if (!existsSync(socket)) return;
  const cri = connectCri(`unix://${socket}`, { defaultTimeoutMs: 30_000 });
  try {
    for (const sb of (await cri.runtime.listPodSandbox({}).catch(() => ({ items: [] }))).items) {
      await cri.runtime.stopPodSandbox({ podSandboxId: sb.id }).catch(() => {});
      await cri.runtime.removePodSandbox({ podSandboxId: sb.id }).catch(() => {});
    }
  } finally {
    cri.close();
  }
}

/**
 * Best effort once containerd is stopped: kills what still runs from `dir` (by PID), deletes the
 * bridge, unmounts what is mounted under `dir` and removes `dir` when nothing is mounted there.
 */
export async function removeTestDir(dir: string, bridge?: string): Promise<void> {
  for (const pid of await processesUsing(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  if (bridge && linkExists(bridge)) await run('ip', ['link', 'del', bridge]).catch(() => {});
  for (const m of (await mountsUnder(dir)).reverse()) await run('umount', ['-l', m]).catch(() => {});
  if ((await mountsUnder(dir)).length === 0) await rm(dir, { recursive: true, force: true });
}

/**
 * Asserts that a test which went through left nothing: deletes `bridge` (which must exist: the
 * bridge plugin never deletes it), then no mounts or processes under `dir`, and, when given, no
 * network namespace beyond `netnsBefore` and no NAT rule naming `natPrefix`.
 */
export async function assertNothingLeft(dir: string, opts: { bridge?: string; netnsBefore?: Set<string>; natPrefix?: string } = {}): Promise<void> {
  if (opts.bridge) {
    await run('ip', ['link', 'del', opts.bridge]);
    assert.equal(linkExists(opts.bridge), false);
  }
  assert.deepEqual(await mountsUnder(dir), []);
  assert.deepEqual(await processesUsing(dir), []);
  if (opts.netnsBefore) {
    const before = opts.netnsBefore;
    assert.deepEqual([...await netnsNames()].filter((n) => !before.has(n)), []);
  }
  if (opts.natPrefix) {
    const nat = (await run('iptables', ['-t', 'nat', '-S'])).stdout;
    assert.equal(nat.includes(opts.natPrefix), false, 'no masquerade rules left for the pod network');
  }
}

export interface TestContainerd {
  /** The temp dir: the agent's data dir, and where the test may keep files of its own. */
  dir: string;
  paths: AgentPaths;
  containerd: Containerd;
  /** The containerd socket (`containerd.endpoint` is `unix://` and this). */
  socket: string;
  /** The supervisor's start(); settles once it is stopped. */
  running: Promise<void>;
  /** Stops containerd (the abort the agent would send) and waits for it. */
  stop(): Promise<void>;
  /** After a test, passed or not: sandboxes removed through the CRI, containerd stopped, the dir removed. */
  cleanup(bridge?: string): Promise<void>;
}

/** The agent's Containerd supervising a containerd of its own under a new temp dir named from `prefix`. */
export async function startTestContainerd(
  prefix: string, options: Omit<ContainerdOptions, 'paths'> = {},
): Promise<TestContainerd> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const paths = agentPaths(dir);
  const containerd = new Containerd({ clock: realClock, ...options, paths });
  const ac = new AbortController();
  const running = containerd.start(ac.signal);
  const stop = async () => {
    ac.abort();
    await running;
  };
  return {
    dir, paths, containerd, socket: paths.containerd.socket, running, stop,
    async cleanup(bridge) {
      if (!ac.signal.aborted) await removeAllSandboxes(paths.containerd.socket);
      ac.abort();
      await running.catch(() => {});
      await removeTestDir(dir, bridge);
    },
  };
}

/** Builds the standard images under `<dir>/image-archives` and imports the ones named into containerd. */
export async function importStandardImages(tc: TestContainerd, which: Array<'pause' | 'busybox' | 'httpd'>): Promise<void> {
  const archives = join(tc.dir, 'image-archives');
  await buildStandardImages(archives);
  const files = standardImageFiles(archives);
  for (const name of which) await importImageArchive({ socket: tc.socket, file: files[name] });
}
