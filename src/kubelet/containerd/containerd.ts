// The agent's own containerd: writes its config, runs it, waits until the CRI answers, restarts it
// with backoff when it dies, and stops it when the agent stops. Containers outlive a containerd
// stop (their shims keep them running), so stopping the agent leaves pods running by design.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { realClock, type Clock } from '../../apimachinery/clock.js';
import { silentLogger, type Logger } from '../../apimachinery/log.js';
import { connectCri } from '../cri/client.js';
import type { AgentPaths } from '../paths.js';
import { containerdConfig, type ContainerdConfigOptions } from './config.js';

export interface ContainerdOptions {
  paths: AgentPaths;
  logger?: Logger;
  clock?: Clock;
  /** The containerd binary; `containerd` on PATH by default. */
  binary?: string;
  /** Overrides of the generated config (CNI bin dir, sandbox image, log level, …). */
  config?: Partial<ContainerdConfigOptions>;
  /** SIGTERM, then SIGKILL after this long. */
  stopGraceMs?: number;
  /** How long one start may take to answer on the CRI before it counts as failed. */
  startTimeoutMs?: number;
  /** Restart delays: from `min`, doubling to `max`; back to `min` after a run of `resetAfterMs`. */
  backoff?: { minMs: number; maxMs: number; resetAfterMs: number };
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export class Containerd {
  readonly endpoint: string;
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;
  private isReady = false;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly pidFile: string;

  constructor(private readonly opts: ContainerdOptions) {
    this.endpoint = `unix://${opts.paths.containerd.socket}`;
    this.log = (opts.logger ?? silentLogger).with({ component: 'containerd' });
    this.clock = opts.clock ?? realClock;
    this.pidFile = `${opts.paths.containerd.dir}/containerd.pid`;
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Awaiting `ready` is optional; an unobserved rejection must not end the process.
    this.ready.catch(() => {});
  }

  /** The config.toml this supervisor writes. */
  configText(): string {
    const p = this.opts.paths;
    return containerdConfig({
      root: p.containerd.root,
      state: p.containerd.state,
      socket: p.containerd.socket,
      cniConfDir: p.cniConfDir,
      ...this.opts.config,
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    const p = this.opts.paths.containerd;
    try {
      for (const dir of [p.dir, p.root, p.state, this.opts.paths.cniConfDir]) await mkdir(dir, { recursive: true });
      await writeFile(p.config, this.configText());
      await this.stopStale();
    } catch (err) {
      this.rejectReady(err as Error);
      throw err;
    }
    const backoff = this.opts.backoff ?? { minMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };
    let delay = backoff.minMs;
    while (!signal.aborted) {
      const startedAt = this.clock.now();
      const { child, exited } = await this.spawnOnce();
      const answering = await this.waitAnswering(signal, exited);
      let exit: Exit | undefined;
      if (answering && !signal.aborted) {
        if (!this.isReady) {
          this.isReady = true;
          this.log.info('containerd is ready', { endpoint: this.endpoint, pid: child.pid });
          this.resolveReady();
        }
        exit = await Promise.race([exited, aborted(signal).then(() => undefined)]);
      }
      if (signal.aborted) {
        await this.stopChild(child, exited);
        break;
      }
      if (!exit) {
        // It exited, or never answered within the start timeout: end it and start again.
        await this.stopChild(child, exited);
        exit = await exited;
      }
      this.log.warn('containerd exited; restarting', {
        code: exit.code,
        signal: exit.signal,
        error: exit.error?.message,
        inMs: delay,
        log: p.log,
      });
      if (this.clock.now() - startedAt >= backoff.resetAfterMs) delay = backoff.minMs;
      await sleep(this.clock, delay, signal);
      delay = Math.min(delay * 2, backoff.maxMs);
    }
    await rm(this.pidFile, { force: true });
    if (!this.isReady) this.rejectReady(new Error('containerd stopped before it was ready'));
  }

  private async spawnOnce(): Promise<{ child: ChildProcess; exited: Promise<Exit> }> {
    const p = this.opts.paths.containerd;
    const logFile = await open(p.log, 'a');
    let child: ChildProcess;
    let exited: Promise<Exit>;
    try {
      // Its own process group: a terminal's Ctrl-C reaches the agent, which then stops containerd in order.
      child = spawn(this.opts.binary ?? 'containerd', ['--config', p.config], {
        stdio: ['ignore', logFile.fd, logFile.fd],
        detached: true,
      });
      // Listen before anything else is awaited, or a quick exit goes unseen.
      exited = new Promise<Exit>((resolve) => {
        child.once('exit', (code, sig) => resolve({ code, signal: sig }));
        child.once('error', (error) => resolve({ code: null, signal: null, error }));
      });
    } finally {
      await logFile.close();
    }
    if (child.pid) await writeFile(this.pidFile, `${child.pid}\n`);
    this.log.info('started containerd', { pid: child.pid, config: p.config, log: p.log });
    return { child, exited };
  }

  /** Polls the CRI Version until it answers; false when the process exits, the start times out or we stop. */
  private async waitAnswering(signal: AbortSignal, exited: Promise<Exit>): Promise<boolean> {
    let gone = false;
    void exited.then(() => { gone = true; });
    const client = connectCri(this.endpoint, { defaultTimeoutMs: 1000 });
    const deadline = this.clock.now() + (this.opts.startTimeoutMs ?? 60_000);
    try {
      while (!gone && !signal.aborted && this.clock.now() < deadline) {
        try {
          const v = await client.runtime.version({ version: 'v1' }, { signal });
          if (v.runtimeApiVersion === 'v1') return true;
          this.log.error('containerd does not speak CRI v1', { runtimeApiVersion: v.runtimeApiVersion });
          return false;
        } catch {
          await sleep(this.clock, 100, signal);
        }
      }
      return false;
    } finally {
      client.close();
    }
  }

  private async stopChild(child: ChildProcess, exited: Promise<Exit>): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
    child.kill('SIGTERM');
    const grace = this.opts.stopGraceMs ?? 10_000;
    let timer: { cancel(): void } | undefined;
    const killed = new Promise<'timeout'>((resolve) => { timer = this.clock.setTimeout(() => resolve('timeout'), grace); });
    const first = await Promise.race([exited, killed]);
    timer?.cancel();
    if (first === 'timeout') {
      this.log.warn('containerd did not stop in time; killing it', { pid: child.pid, graceMs: grace });
      child.kill('SIGKILL');
      await exited;
    }
    this.log.info('stopped containerd', { pid: child.pid });
  }

  /** A containerd left by an agent that died without stopping it holds our root's lock: end it. */
  private async stopStale(): Promise<void> {
    let pid: number;
    try {
      pid = Number((await readFile(this.pidFile, 'utf8')).trim());
    } catch {
      return;
    }
    if (!Number.isInteger(pid) || pid <= 1 || !(await isOurContainerd(pid, this.opts.paths.containerd.config))) return;
    this.log.info('stopping a containerd left running by an earlier agent', { pid });
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    const deadline = this.clock.now() + (this.opts.stopGraceMs ?? 10_000);
    while (this.clock.now() < deadline && (await isOurContainerd(pid, this.opts.paths.containerd.config))) {
      await sleep(this.clock, 50);
    }
    if (await isOurContainerd(pid, this.opts.paths.containerd.config)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
}

async function isOurContainerd(pid: number, config: string): Promise<boolean> {
  try {
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return args.some((a) => a.endsWith('containerd')) && args.includes(config);
  } catch {
    return false;
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => { t.cancel(); resolve(); };
    const t = clock.setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
