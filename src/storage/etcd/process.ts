// Starts a private single-member etcd on free loopback ports, for tests and benchmarks that need a
// real etcd. stop() ends exactly the process it started and removes the data dir it created.
import { spawn } from 'node:child_process';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_ETCD_BINARY = '/usr/bin/etcd';

export interface EtcdProcess {
  /** e.g. `http://127.0.0.1:40123` */
  endpoint: string;
  pid: number;
  /** Holds etcd's `data` directory; removed by stop() unless the caller supplied it. */
  dataDir: string;
  stop(): Promise<void>;
}

export async function etcdBinaryAvailable(binary = DEFAULT_ETCD_BINARY): Promise<boolean> {
  try {
    await access(binary, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function startEtcdProcess(opts: { dataDir?: string; binary?: string; startTimeoutMs?: number } = {}): Promise<EtcdProcess> {
  const binary = opts.binary ?? DEFAULT_ETCD_BINARY;
  if (!(await etcdBinaryAvailable(binary))) throw new Error(`etcd binary not found at ${binary}`);
  // A free port can be taken by someone else before etcd binds it; a fresh pair usually works.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(binary, opts.dataDir, opts.startTimeoutMs ?? 30_000);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOnce(binary: string, dataDir: string | undefined, timeoutMs: number): Promise<EtcdProcess> {
  const ownDir = dataDir === undefined;
  const base = dataDir ?? (await mkdtemp(join(tmpdir(), 'kite-etcd-')));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child = spawn(binary, [
    '--name', 'kite',
    '--data-dir', join(base, 'data'),
    '--listen-client-urls', client, '--advertise-client-urls', client,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `kite=${peer}`, '--initial-cluster-state', 'new',
    '--logger', 'zap', '--log-outputs', 'stderr', '--log-level', 'warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let alive = true;
  void exited.then(() => { alive = false; });

  const stop = async (): Promise<void> => {
    if (alive) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => { if (alive) child.kill('SIGKILL'); }, 5000);
      await exited;
      clearTimeout(timer);
    }
    if (ownDir) await rm(base, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive) {
      await stop();
      throw new Error(`etcd exited during start-up: ${stderr.trim()}`);
    }
    if (await healthy(client)) return { endpoint: client, pid: child.pid!, dataDir: base, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`etcd did not become healthy within ${timeoutMs}ms: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: string };
    return body.health === 'true';
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
