// Child processes started by the e2e helpers (servers, kubectl, etcd), tracked so that a crashing
// test process never leaves one behind: whatever is still running is SIGKILLed on exit.
import type { ChildProcess } from 'node:child_process';

const liveChildren = new Set<ChildProcess>();
/** Processes started by helpers that do not hand us the ChildProcess (etcd). */
const livePids = new Set<number>();
process.on('exit', () => {
  for (const pid of livePids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const child of liveChildren) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

/** Registers `child` for the exit-time cleanup (until it exits) and returns it. */
export function track(child: ChildProcess): ChildProcess {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  return child;
}

/** Registers a process known only by its PID for the exit-time cleanup. */
export function trackPid(pid: number): void {
  livePids.add(pid);
}

/** Drops a PID registered with `trackPid` once its process is gone. */
export function untrackPid(pid: number): void {
  livePids.delete(pid);
}

/** Resolves with how `child` exited (at once when it already has). */
export function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
}

