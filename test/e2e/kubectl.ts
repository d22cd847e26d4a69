// The real kubectl in the e2e tests: which binary, running it to completion or leaving it running
// (`get -w`), each with its own KUBECONFIG, kubectl cache and HOME, and reading its column output.
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { exitOf, track } from './child-processes.js';
import { withTimeout } from './polling.js';

export interface KubectlOptions {
  /** Written to kubectl's stdin. */
  input?: string;
  /** Extra environment variables (override the defaults). */
  env?: Record<string, string>;
  /** Resolve with the exit code instead of throwing when kubectl exits non-zero. */
  allowFail?: boolean;
  /** Kill kubectl and fail after this long (default 60 s). */
  timeoutMs?: number;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** A kubectl process left running (e.g. `get -w`), with its output collected as it comes. */
export interface KubectlProcess {
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with stdout once `test(stdout, stderr)` holds; rejects on exit or after `timeoutMs`. */
  waitFor(test: (stdout: string, stderr: string) => boolean, timeoutMs?: number, what?: string): Promise<string>;
  /** Resolves with the exit code once kubectl exits; rejects after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<number | null>;
  /** SIGTERM by PID (SIGKILL if it does not exit), then resolves. */
  kill(): Promise<void>;
}

/** The kubectl 1.32 binary: the bundled `kubectl.1.32` beside the dispatcher when there is one. */
export const kubectlBin: string = (() => {
  if (process.env.KITE_E2E_KUBECTL) return process.env.KITE_E2E_KUBECTL;
  const onPath = which('kubectl');
  if (onPath) {
    const pinned = join(dirname(realpathSync(onPath)), 'kubectl.1.32');
    if (existsSync(pinned)) return pinned;
    return onPath;
  }
  return 'kubectl';
})();

/** The `kubectl` found on PATH (possibly the version dispatcher). */
export const kubectlOnPath: string | undefined = which('kubectl');

export function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Strips ANSI colour codes (kubectl cluster-info colours its output). */
export function stripAnsi(s: string): string {
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}

/**
 * Parses kubectl's column output (`NAME   DATA   AGE` …) into records keyed by header. Columns are
 * located by where each header starts, so empty cells (e.g. no SHORTNAMES) come out as ''.
 */
export function parseTable(text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const header = lines[0];
  const names = header.trim().split(/\s{2,}/);
  const starts: number[] = [];
  let from = 0;
  for (const name of names) {
    const at = header.indexOf(name, from);
    starts.push(at);
    from = at + name.length;
  }
  return lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    names.forEach((name, i) => {
      const end = i + 1 < starts.length ? starts[i + 1] : undefined;
      row[name] = line.slice(starts[i], end).trim();
    });
    return row;
  });
}

/** The environment kubectl runs with: only PATH and LANG from ours, plus the server's files. */
export function kubectlEnv(dirs: { kubeconfig: string; cache: string; home: string }, extra?: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    KUBECONFIG: dirs.kubeconfig,
    KUBECACHEDIR: dirs.cache,
    HOME: dirs.home,
    ...extra,
  };
}

export function runKubectl(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: KubectlOptions = {},
  bin = kubectlBin,
): Promise<KubectlResult> {
  return new Promise((resolveRun, reject) => {
    const child = track(spawn(bin, args, { env, stdio: ['pipe', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timeoutMs = opts.timeoutMs ?? 60_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const shown = `kubectl ${args.join(' ')}`;
      if (timedOut) {
        reject(new Error(`${shown}: killed after ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        return;
      }
      const result = { stdout, stderr, code: code ?? -1 };
      if (result.code !== 0 && !opts.allowFail) {
        reject(new Error(`${shown}: exit code ${result.code}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        return;
      }
      resolveRun(result);
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(opts.input ?? '');
  });
}

/** Starts kubectl and leaves it running, collecting its output. */
export function spawnKubectlProcess(args: string[], env: NodeJS.ProcessEnv): KubectlProcess {
  const child = track(spawn(kubectlBin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const poke = () => listeners.forEach((l) => l());
  child.stdout!.setEncoding('utf8').on('data', (d) => {
    out += d;
    poke();
  });
  child.stderr!.setEncoding('utf8').on('data', (d) => {
    err += d;
    poke();
  });
  child.on('exit', poke);
  const shown = `kubectl ${args.join(' ')}`;
  return {
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    waitFor(test, timeoutMs = 15_000, what = 'the expected output') {
      return new Promise((r, reject) => {
        const check = () => {
          if (test(out, err)) {
            cleanup();
            r(out);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`${shown} exited (${child.exitCode ?? child.signalCode}) before ${what}\nstdout:\n${out}\nstderr:\n${err.slice(-4000)}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${shown}: timed out after ${timeoutMs} ms waiting for ${what}\nstdout:\n${out}\nstderr:\n${err.slice(-4000)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async exited(timeoutMs = 30_000) {
      const { code } = await withTimeout(exitOf(child), timeoutMs, `${shown} to exit; stdout:\n${out}\nstderr:\n${err.slice(-4000)}`);
      return code;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch (e) {
        // Gone already (e.g. `get -w` ends with the server's watch), before its exit event ran.
        if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
      }
      try {
        await withTimeout(exitOf(child), 5_000, 'kubectl to exit');
      } catch {
        process.kill(child.pid, 'SIGKILL');
        await exitOf(child);
      }
    },
  };
}
