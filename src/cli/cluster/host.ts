// The host plumbing of a local cluster: the bridge, one network namespace per node joined to it by
// a veth pair, the addresses and routes in use, processes by PID and mounts under a directory.
// Every step that removes something tolerates it being gone already, so delete is idempotent.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import type { ClusterPlan, NodePlan } from './plan.js';

const execFileP = promisify(execFile);

/** Runs a command; a failure names it and carries its stderr. */
export async function sh(cmd: string, args: string[]): Promise<string> {
  try {
    return (await execFileP(cmd, args, { maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

export function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

export function netnsExists(name: string): boolean {
  return existsSync(`/run/netns/${name}`);
}

/** The host's IPv4 routes (all tables) and interface networks, default routes left out. */
export async function hostCidrs(): Promise<string[]> {
  const routes = JSON.parse(await sh('ip', ['-j', '-4', 'route', 'show', 'table', 'all'])) as Array<{ dst?: string }>;
  const addrs = JSON.parse(await sh('ip', ['-j', '-4', 'addr', 'show'])) as Array<{ addr_info?: Array<{ local?: string; prefixlen?: number }> }>;
  const out: string[] = [];
  for (const r of routes) if (r.dst && r.dst !== 'default') out.push(r.dst);
  for (const a of addrs) for (const i of a.addr_info ?? []) if (i.local) out.push(`${i.local}/${i.prefixlen ?? 32}`);
  return out;
}

/** The bridge with the host's address on the cluster's /24. */
export async function createBridge(plan: ClusterPlan): Promise<void> {
  await sh('ip', ['link', 'add', plan.bridge, 'type', 'bridge']);
  await sh('ip', ['addr', 'add', `${plan.gateway}/24`, 'dev', plan.bridge]);
  await sh('ip', ['link', 'set', plan.bridge, 'up']);
}

/** The node's namespace, its `eth0` on the bridge with the node's address and a default route via the host. */
export async function createNodeNetwork(plan: ClusterPlan, node: NodePlan): Promise<void> {
  const inNs = (args: string[]) => sh('ip', ['-n', node.netns, ...args]);
  await sh('ip', ['netns', 'add', node.netns]);
  await sh('ip', ['link', 'add', node.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.netns]);
  await sh('ip', ['link', 'set', node.hostVeth, 'master', plan.bridge]);
  await sh('ip', ['link', 'set', node.hostVeth, 'up']);
  // containerd's streaming server and the kubelet's own calls use the namespace's loopback.
  await inNs(['link', 'set', 'lo', 'up']);
  await inNs(['addr', 'add', `${node.ip}/24`, 'dev', 'eth0']);
  await inNs(['link', 'set', 'eth0', 'up']);
  await inNs(['route', 'add', 'default', 'via', plan.gateway]);
}

/** Removes the node's namespace (which takes its veth pair with it) and the host end if it is still there. */
export async function removeNodeNetwork(node: NodePlan): Promise<void> {
  if (netnsExists(node.netns)) await sh('ip', ['netns', 'del', node.netns]);
  if (linkExists(node.hostVeth)) await sh('ip', ['link', 'del', node.hostVeth]);
}

export async function removeBridge(plan: ClusterPlan): Promise<void> {
  if (linkExists(plan.bridge)) await sh('ip', ['link', 'del', plan.bridge]);
}

/** A TCP port free on every address now (the server binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '0.0.0.0', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** The process's command line, or undefined when there is no such process. */
export async function commandLine(pid: number): Promise<string | undefined> {
  const text = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : text.split('\0').join(' ');
}

/** Whether `pid` is alive and its command line still names `mark` (not a recycled PID). */
export async function isProcessOf(pid: number, mark: string): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  const cmd = await commandLine(pid);
  if (cmd === undefined) return false;
  // A zombie has an empty command line and nothing left to stop.
  return cmd.includes(mark);
}

/** Our own PID and our ancestors', never to be signalled however they were started. */
async function ownLineage(): Promise<Set<number>> {
  const out = new Set<number>([process.pid]);
  let pid = process.ppid;
  while (pid > 1 && !out.has(pid)) {
    out.add(pid);
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    pid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  }
  return out;
}

/**
 * PIDs with an argument that is a path under `dir` (`-address <dir>/…`, `--config=<dir>/…`):
 * containerd, its shims, agents. A shell whose script merely mentions the path is not one of them,
 * nor are this process and its ancestors.
 */
export async function processesNaming(dir: string): Promise<number[]> {
  const base = dir.replace(/\/+$/, '');
  const names = (arg: string) => {
    const value = arg.startsWith('-') && arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : arg;
    return value === base || value.startsWith(`${base}/`);
  };
  const skip = await ownLineage();
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || skip.has(Number(name))) continue;
    const text = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (text.split('\0').some(names)) pids.push(Number(name));
  }
  return pids;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after `graceMs`; resolves once each process is gone (or was not `mark`'s). */
export async function stopProcesses(procs: Array<{ pid: number; mark: string }>, graceMs: number): Promise<void> {
  const live = [];
  for (const p of procs) if (await isProcessOf(p.pid, p.mark)) live.push(p);
  for (const p of live) signal(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let left = live;
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = await aliveOf(left);
  }
  for (const p of left) signal(p.pid, 'SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (left.length > 0 && Date.now() < killDeadline) {
    await sleep(50);
    left = await aliveOf(left);
  }
}

async function aliveOf(procs: Array<{ pid: number; mark: string }>): Promise<Array<{ pid: number; mark: string }>> {
  const out = [];
  for (const p of procs) if (await isProcessOf(p.pid, p.mark)) out.push(p);
  return out;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone meanwhile
  }
}

/** Mount points at or under `dir` in the host's mount namespace, in mount order. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').map((l) => (l.split(' ')[4] ?? '').replace(/\\040/g, ' ')).filter((m) => m === dir || m.startsWith(`${dir}/`));
}

/** Unmounts everything under `dir`, innermost first; lazily when a mount is busy. */
export async function unmountAll(dir: string): Promise<void> {
  for (const m of (await mountsUnder(dir)).reverse()) {
    await sh('umount', [m]).catch(() => sh('umount', ['-l', m]).catch(() => undefined));
  }
}
