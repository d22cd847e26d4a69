// Starts a real `kite server` for end-to-end tests (and, for the etcd store, a private etcd) and
// hands back a `Kite` that drives it with the real kubectl and raw HTTPS. Every server gets its
// own port, data dir, kubectl cache dir and HOME, all removed on close.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { startEtcdProcess } from '../../src/storage/etcd/process.js';
import { exitOf, track, trackPid, untrackPid } from './child-processes.js';
import { httpsRequest, openStream, type HttpResponse, type HttpStream, type TlsMaterial } from './https.js';
import {
  kubectlEnv, runKubectl, spawnKubectlProcess, type KubectlOptions, type KubectlProcess, type KubectlResult,
} from './kubectl.js';
import { PollAbort, pollUntil, withTimeout } from './polling.js';

export type Datastore = 'sqlite' | 'etcd';

export interface Kite {
  readonly datastore: Datastore;
  readonly dataDir: string;
  readonly kubeconfig: string;
  readonly port: number;
  readonly url: string;
  /** The etcd endpoint when datastore is etcd. */
  readonly etcdEndpoint?: string;
  /** CA and admin client certificate, as read from the kubeconfig. */
  tls(): TlsMaterial;
  /** The server's combined stdout/stderr so far (tail only, for failure messages). */
  log(maxChars?: number): string;
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  spawnKubectl(args: string[], opts?: { env?: Record<string, string> }): KubectlProcess;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResponse>;
  stream(path: string, headers?: Record<string, string>): Promise<HttpStream>;
  /** SIGTERM; resolves with how the server exited (SIGKILLs it and rejects if it does not within 15 s). */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, then waits for the process to be gone. */
  kill9(): Promise<void>;
  /** Stops the server if it runs, then starts it again on the same port, data dir and datastore. */
  restart(): Promise<void>;
  /** Stops the server and its etcd, and removes the temp dirs. */
  close(): Promise<void>;
}

export interface StartOptions {
  datastore: Datastore;
  /** Extra `kite server` flags. */
  extraArgs?: string[];
  /**
   * Run the server's node agent (real containerd and containers; needs root). Off by default:
   * the server is started with `--disable-agent`, so suites that need no node stay as they were.
   */
  agent?: boolean;
}

const READY_TIMEOUT_MS = Number(process.env.KITE_E2E_READY_TIMEOUT_MS ?? 20_000);
const KEEP_TEMP = process.env.KITE_E2E_KEEP === '1';
export const ETCD_BIN = process.env.KITE_E2E_ETCD ?? '/usr/bin/etcd';

// ---------------------------------------------------------------------------------------------
// Locations

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'kite') return dir;
      } catch {
        // keep walking up
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the kite repository root above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export const repoRoot = findRepoRoot();

/** The command that runs `kite server` (compiled by default; from source with KITE_E2E_FROM_SOURCE=1). */
function serverCommand(): string[] {
  if (process.env.KITE_E2E_FROM_SOURCE === '1') {
    return ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts')];
  }
  return [join(repoRoot, 'bin', 'kite.js')];
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// etcd

export interface EtcdHandle {
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts a private etcd through the storage package's launcher; its PID is tracked for cleanup. */
export async function startEtcd(dataDir: string): Promise<EtcdHandle> {
  const h = await startEtcdProcess({ dataDir, binary: ETCD_BIN });
  trackPid(h.pid);
  return {
    endpoint: h.endpoint,
    async stop() {
      await h.stop();
      untrackPid(h.pid);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Kubeconfig

interface ParsedKubeconfig {
  server: string;
  tls: TlsMaterial;
}

function parseKubeconfig(text: string, baseDir: string): ParsedKubeconfig {
  const doc = parseYaml(text) as any;
  const ctxName = doc['current-context'];
  const ctx = (doc.contexts ?? []).find((c: any) => c.name === ctxName)?.context ?? doc.contexts?.[0]?.context;
  const cluster = (doc.clusters ?? []).find((c: any) => c.name === ctx?.cluster)?.cluster ?? doc.clusters?.[0]?.cluster;
  const user = (doc.users ?? []).find((u: any) => u.name === ctx?.user)?.user ?? doc.users?.[0]?.user;
  if (!cluster?.server) throw new Error('kubeconfig has no cluster server');
  const material = (dataKey: string, fileKey: string, holder: any): Buffer => {
    if (holder?.[dataKey]) return Buffer.from(holder[dataKey], 'base64');
    if (holder?.[fileKey]) return readFileSync(resolve(baseDir, holder[fileKey]));
    throw new Error(`kubeconfig has neither ${dataKey} nor ${fileKey}`);
  };
  return {
    server: cluster.server,
    tls: {
      ca: material('certificate-authority-data', 'certificate-authority', cluster),
      cert: material('client-certificate-data', 'client-certificate', user),
      key: material('client-key-data', 'client-key', user),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The server

export async function startKite(opts: StartOptions): Promise<Kite> {
  const root = await mkdtemp(join(tmpdir(), 'kite-e2e-'));
  const dataDir = join(root, 'data');
  const cacheDir = join(root, 'kubecache');
  const homeDir = join(root, 'home');
  await mkdir(dataDir);
  await mkdir(cacheDir);
  await mkdir(homeDir);
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');

  let etcd: EtcdHandle | undefined;
  let child: ChildProcess | undefined;
  let logText = '';
  let port = 0;
  let tlsMaterial: TlsMaterial | undefined;

  const cleanupTemp = async () => {
    if (!KEEP_TEMP) await rm(root, { recursive: true, force: true });
  };

  try {
    if (opts.datastore === 'etcd') {
      const etcdDir = join(root, 'etcd');
      await mkdir(etcdDir);
      etcd = await startEtcd(etcdDir);
    }
    port = await freePort();
  } catch (err) {
    await etcd?.stop();
    await cleanupTemp();
    throw err;
  }

  const serverArgs = [
    ...serverCommand(), 'server',
    '--data-dir', dataDir,
    '--port', String(port),
    '--bind-address', '127.0.0.1',
    ...(etcd ? ['--datastore-endpoint', etcd.endpoint] : []),
    ...(opts.agent ? [] : ['--disable-agent']),
    ...(opts.extraArgs ?? []),
  ];

  const appendLog = (d: Buffer | string) => {
    logText += d.toString();
    if (logText.length > 400_000) logText = logText.slice(-200_000);
  };

  const logTail = (max = 6000) => logText.slice(-max);

  const launch = async () => {
    appendLog(`\n--- kite e2e: starting server (${opts.datastore}) on port ${port} ---\n`);
    const c = track(spawn(process.execPath, serverArgs, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } }));
    child = c;
    c.stdout!.on('data', appendLog);
    c.stderr!.on('data', appendLog);
    c.on('exit', (code, signal) => appendLog(`\n--- kite e2e: server exited code=${code} signal=${signal} ---\n`));
    await pollUntil('kite /readyz to answer 200', async () => {
      if (c.exitCode !== null || c.signalCode !== null) {
        throw new PollAbort(`kite server exited (code ${c.exitCode}, signal ${c.signalCode}) before it was ready`);
      }
      if (!existsSync(kubeconfig)) return false;
      // Re-read every time: the server may rewrite it on start.
      const parsed = parseKubeconfig(await readFile(kubeconfig, 'utf8'), dataDir);
      const res = await httpsRequest(port, { method: 'GET', path: '/readyz', ...parsed.tls, timeoutMs: 2_000 });
      if (res.status !== 200) throw new Error(`/readyz answered ${res.status}: ${res.body.slice(0, 500)}`);
      tlsMaterial = parsed.tls;
      return true;
    }, READY_TIMEOUT_MS, 100).catch((err: Error) => {
      throw new Error(`${err.message}\n--- server log (tail) ---\n${logTail()}`);
    });
  };

  const stopChild = async (signal: NodeJS.Signals, graceMs: number) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return c ? { code: c.exitCode, signal: c.signalCode } : { code: null, signal: null };
    c.kill(signal);
    try {
      return await withTimeout(exitOf(c), graceMs, `kite server to exit after ${signal}`);
    } catch (err) {
      c.kill('SIGKILL');
      await exitOf(c);
      throw new Error(`${(err as Error).message}\n--- server log (tail) ---\n${logTail()}`);
    }
  };

  const env = (extra?: Record<string, string>) => kubectlEnv({ kubeconfig, cache: cacheDir, home: homeDir }, extra);
  const tls = () => {
    if (!tlsMaterial) throw new Error('server not ready yet');
    return tlsMaterial;
  };

  const kite: Kite = {
    datastore: opts.datastore,
    dataDir,
    kubeconfig,
    port,
    url: `https://127.0.0.1:${port}`,
    etcdEndpoint: etcd?.endpoint,
    tls,
    log: logTail,
    kubectl: (args, o = {}) =>
      runKubectl(args, env(o.env), o).catch((err: Error) => {
        throw new Error(`${err.message}\n--- server log (tail) ---\n${logTail(3000)}`);
      }),
    spawnKubectl: (args, o = {}) => spawnKubectlProcess(args, env(o.env)),
    request: (method, path, body, headers) => httpsRequest(port, { method, path, body, headers, ...tls() }),
    stream: (path, headers = {}) => openStream(port, path, tls(), headers),
    stop: () => stopChild('SIGTERM', 15_000),
    async kill9() {
      await stopChild('SIGKILL', 10_000);
    },
    async restart() {
      await stopChild('SIGTERM', 15_000);
      await launch();
    },
    async close() {
      try {
        await stopChild('SIGTERM', 15_000).catch(() => undefined);
        await etcd?.stop();
      } finally {
        await cleanupTemp();
      }
    },
  };

  try {
    await launch();
  } catch (err) {
    await stopChild('SIGKILL', 5_000).catch(() => undefined);
    await etcd?.stop();
    await cleanupTemp();
    throw err;
  }
  return kite;
}
