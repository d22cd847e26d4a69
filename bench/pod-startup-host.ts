// The host side of the pod startup benchmark: memory of processes from /proc, the server's
// containerd, the load average, and the clean-up checks (bridge, NAT rules, mounts, processes).
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { linkExists, mountsUnder, processesUsing } from '../test/support/containerd.js';

export { linkExists, mountsUnder, processesUsing };

export const run = promisify(execFile);

/** VmRSS of a process in MiB, or undefined when it is gone. */
export async function rssMiB(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const m = status?.match(/^VmRSS:\s+(\d+)\s+kB/m);
  return m ? Number(m[1]) / 1024 : undefined;
}

/** PIDs whose parent is `ppid`. */
export async function childrenOf(ppid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid …; comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === ppid) pids.push(Number(name));
  }
  return pids;
}

export async function commOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface Memory {
  /** The `kite server` process (API server, storage, controllers, scheduler and the kubelet). */
  serverMiB: number;
  /** The containerd the agent runs (its child). */
  containerdMiB: number;
  /** containerd-shim processes of the server's containerd (one per pod sandbox); 0 when idle with no pods. */
  shimsMiB: number;
  shims: number;
  totalMiB: number;
}

/** RSS of the server, of its containerd child, and of the shims started for its containerd's root. */
export async function memoryOf(serverPid: number, containerdRoot: string | undefined): Promise<Memory> {
  const serverMiB = (await rssMiB(serverPid)) ?? 0;
  let containerdMiB = 0;
  for (const pid of await childrenOf(serverPid)) {
    if ((await commOf(pid)) === 'containerd') containerdMiB += (await rssMiB(pid)) ?? 0;
  }
  let shimsMiB = 0;
  let shims = 0;
  if (containerdRoot) {
    for (const pid of await processesUsing(containerdRoot)) {
      if (!(await commOf(pid)).startsWith('containerd-shim')) continue;
      shims++;
      shimsMiB += (await rssMiB(pid)) ?? 0;
    }
  }
  const r = (x: number) => Math.round(x * 10) / 10;
  return { serverMiB: r(serverMiB), containerdMiB: r(containerdMiB), shimsMiB: r(shimsMiB), shims, totalMiB: r(serverMiB + containerdMiB + shimsMiB) };
}

/** The 1, 5 and 15 minute load averages. */
export async function loadAverage(): Promise<number[]> {
  return (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).map(Number);
}

/** PIDs of node agents' containerd (`containerd --config …/agent/containerd/config.toml`) not under `ownDir`. */
export async function otherAgents(ownDir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const pid of await processesUsing('/agent/containerd/config.toml')) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if ((await commOf(pid)) === 'containerd' && !cmdline.includes(ownDir)) pids.push(pid);
  }
  return pids;
}

/**
 * Removes what the agent left behind on the host: processes under `dir` (by PID), NAT rules of
 * our own sandboxes (their comment names the sandbox id), the bridge unless another node agent
 * runs here (its pods would be on it too), and mounts under `dir`. Returns what it found, so the
 * report can say whether the clean stop left anything.
 */
export async function removeLeftovers(dir: string, bridge: string, sandboxIds: Set<string>): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await processesUsing(dir)) {
    found.push(`process ${pid} (${await commOf(pid)})`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  const nat = await run('iptables', ['-t', 'nat', '-S']).then((r) => r.stdout.split('\n')).catch(() => [] as string[]);
  const ours = nat.filter((l) => l.startsWith('-A ') && [...l.matchAll(/id: \\"([0-9a-f]{64})\\"/g)].some((m) => sandboxIds.has(m[1]!)));
  for (const rule of ours) {
    found.push(`nat rule ${rule}`);
    // The rule as iptables -S prints it is quoted for a shell.
    await run('sh', ['-c', `iptables -t nat -D ${rule.slice(3)}`]).catch(() => undefined);
  }
  if (linkExists(bridge)) {
    if ((await otherAgents(dir)).length === 0) {
      // The bridge plugin never removes the bridge: expected, not a leftover of a failed stop.
      found.push(`bridge ${bridge}`);
      await run('ip', ['link', 'del', bridge]).catch(() => undefined);
    } else {
      found.push(`bridge ${bridge} (kept: another node agent runs here)`);
    }
  }
  for (const m of (await mountsUnder(dir)).reverse()) {
    found.push(`mount ${m}`);
    await run('umount', ['-l', m]).catch(() => undefined);
  }
  return found;
}

/** User + system CPU seconds of a process: its own, and that of its children it has reaped. */
export async function cpuSeconds(pid: number): Promise<{ self: number; children: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // After "pid (comm) ": state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tick = 100;
  return { self: (Number(f[11]) + Number(f[12])) / tick || 0, children: (Number(f[13]) + Number(f[14])) / tick || 0 };
}

/** Busy CPU seconds of the whole machine (all cores) so far, from /proc/stat. */
export async function machineBusySeconds(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: busy = all but idle and iowait.
  const busy = line.slice(0, 8).reduce((a, b) => a + b, 0) - (line[3] ?? 0) - (line[4] ?? 0);
  return busy / 100;
}

/** The containerd the server runs (its child named containerd). */
export async function containerdOf(serverPid: number): Promise<number | undefined> {
  for (const pid of await childrenOf(serverPid)) if ((await commOf(pid)) === 'containerd') return pid;
  return undefined;
}
