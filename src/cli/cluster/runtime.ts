// Taking a stopped node's pods down. A node agent stops its containerd but leaves containers
// running (their shims keep them), so delete starts the node's containerd again, in the node's
// namespace with the agent's own config, removes every sandbox through the CRI (containerd stops
// the containers, tears down the pod network through CNI and unmounts their root filesystems),
// and stops it again.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, readFile, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { connectCri } from '../../kubelet/cri/client.js';
import { agentPaths } from '../../kubelet/paths.js';
import { CGROUPFS_ROOT, podCgroupCandidates } from '../../kubelet/workers/cgroups.js';
import { isProcessOf, netnsExists, stopProcesses } from './host.js';
import { inNetns, type NodePlan } from './plan.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether the node's containerd still knows pod sandboxes (it keeps one directory per sandbox). */
async function hasSandboxes(node: NodePlan): Promise<boolean> {
  const dir = `${agentPaths(node.dataDir).containerd.root}/io.containerd.grpc.v1.cri/sandboxes`;
  return (await readdir(dir).catch(() => [] as string[])).length > 0;
}

/** Stops and removes every sandbox through the CRI at `socket`; the number removed. */
async function removeSandboxes(socket: string): Promise<number> {
  const cri = connectCri(`unix://${socket}`, { defaultTimeoutMs: 60_000 });
  try {
    const { items } = await cri.runtime.listPodSandbox({});
    for (const sb of items) {
      await cri.runtime.stopPodSandbox({ podSandboxId: sb.id }).catch(() => undefined);
      await cri.runtime.removePodSandbox({ podSandboxId: sb.id }).catch(() => undefined);
    }
    return items.length;
  } finally {
    cri.close();
  }
}

async function answering(socket: string): Promise<boolean> {
  if (!existsSync(socket)) return false;
  const cri = connectCri(`unix://${socket}`, { defaultTimeoutMs: 1_000 });
  try {
    return (await cri.runtime.version({ version: 'v1' })).runtimeApiVersion === 'v1';
  } catch {
    return false;
  } finally {
    cri.close();
  }
}

/**
 * Removes the node's pods from its runtime: through the containerd the agent left running, or one
 * started for the purpose. Resolves with what it did, for the log; a node without sandboxes is
 * left alone.
 */
export async function removeNodePods(node: NodePlan, timeoutMs = 60_000): Promise<string> {
  const paths = agentPaths(node.dataDir);
  if (!(await hasSandboxes(node))) return 'no pods';
  if (!existsSync(paths.containerd.config)) return 'no containerd config';
  // A containerd still running (its agent died without stopping it) is used as it is.
  const pidFile = `${paths.containerd.dir}/containerd.pid`;
  const leftPid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  let started: number | undefined;
  if (!(await isProcessOf(leftPid, paths.containerd.config))) {
    if (!netnsExists(node.netns)) return 'the namespace is gone; the pods are cleaned up by force';
    const log = await open(paths.containerd.log, 'a');
    try {
      const [cmd, ...args] = inNetns(node.netns, ['containerd', '--config', paths.containerd.config]);
      const child = spawn(cmd!, args, { stdio: ['ignore', log.fd, log.fd], detached: true });
      child.unref();
      started = child.pid;
    } finally {
      await log.close();
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (!(await answering(paths.containerd.socket))) {
    if (Date.now() > deadline) throw new Error(`containerd of ${node.nodeName} did not answer within ${timeoutMs / 1000}s (see ${paths.containerd.log})`);
    await sleep(100);
  }
  const removed = await removeSandboxes(paths.containerd.socket);
  const pid = started ?? leftPid;
  await stopProcesses([{ pid, mark: paths.containerd.config }], 10_000);
  return `${removed} pod sandbox(es) removed`;
}

/**
 * Removes the cgroups of the node's pods (named by pod UID, found under the agent's pods dir) in
 * every hierarchy, innermost first. Normally they are empty by now; processes still in them (a
 * runtime that could not be reached) are killed first.
 */
export async function removeNodePodCgroups(node: NodePlan): Promise<void> {
  const uids = (await readdir(agentPaths(node.dataDir).pods).catch(() => [] as string[])).filter((u) => /^[0-9a-f-]+$/i.test(u));
  if (uids.length === 0) return;
  const hierarchies = await readdir(CGROUPFS_ROOT).catch(() => [] as string[]);
  for (const uid of uids) {
    for (const h of hierarchies) {
      for (const rel of podCgroupCandidates(uid)) await removeCgroupTree(join(CGROUPFS_ROOT, h, rel));
    }
  }
}

async function removeCgroupTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return;
  for (const e of entries) if (e.isDirectory()) await removeCgroupTree(join(dir, e.name));
  const procs = (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter((l) => /^\d+$/.test(l));
  for (const pid of procs) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  for (let i = 0; i < 50; i++) {
    try {
      await rmdir(dir);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      await sleep(100);
    }
  }
}
