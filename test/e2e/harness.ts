// Starts a real `kite server` for end-to-end tests and drives it with the real kubectl and raw
// HTTPS. Every server gets its own port, data dir, kubectl cache dir and HOME, all removed on close.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { startEtcdProcess } from '../../src/storage/etcd/process.js';

export type Datastore = 'sqlite' | 'etcd';

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

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON (throws with the body in the message when it is not JSON). */
  json<T = any>(): T;
}

/** A streaming GET (a watch, a followed log): lines arrive as the server flushes them. */
export interface HttpStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Every complete line received so far. */
  readonly lines: string[];
  readonly ended: boolean;
  /** Resolves when the server ends the response (or the connection fails). */
  readonly done: Promise<void>;
  /** The next line not yet returned by `nextLine`/`nextJson`; rejects after `timeoutMs`. */
  nextLine(timeoutMs?: number): Promise<string>;
  /** `nextLine` parsed as JSON. */
  nextJson<T = any>(timeoutMs?: number): Promise<T>;
  /** Resolves when the stream has ended; rejects after `timeoutMs`. */
  waitEnd(timeoutMs?: number): Promise<void>;
  close(): void;
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

export interface TlsMaterial {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

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
  /** Stops everything this harness started and removes the temp dirs. */
  close(): Promise<void>;
}

export interface StartOptions {
  datastore: Datastore;
  /** Extra `kite server` flags. */
  extraArgs?: string[];
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

/** The command that runs `kite server` (compiled by default; from source with KITE_E2E_FROM_SOURCE=1). */
function serverCommand(): string[] {
  if (process.env.KITE_E2E_FROM_SOURCE === '1') {
    return ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts')];
  }
  return [join(repoRoot, 'bin', 'kite.js')];
}

// ---------------------------------------------------------------------------------------------
// Small utilities

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

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Thrown from a `pollUntil` probe to stop polling at once. */
export class PollAbort extends Error {}

/**
 * Calls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`
 * with `what` and the last error in the message.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      if (err instanceof PollAbort) throw err;
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastError ? `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await delay(intervalMs);
  }
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

/** A name unique within this test process (DNS-1123 label friendly). */
let uniqueCounter = 0;
export function uniqueName(prefix: string): string {
  uniqueCounter += 1;
  return `${prefix}-${process.pid.toString(36)}-${uniqueCounter}`;
}

// ---------------------------------------------------------------------------------------------
// Child processes: tracked so that a crashing test process never leaves a server behind.

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

function track(child: ChildProcess): ChildProcess {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  return child;
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
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
  livePids.add(h.pid);
  return {
    endpoint: h.endpoint,
    async stop() {
      await h.stop();
      livePids.delete(h.pid);
    },
  };
}

export function plainPost(url: string, body: string): Promise<{ status: number; body: string }> {
  return plainRequest('POST', url, body);
}

function plainRequest(method: string, url: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((r, reject) => {
    const req = http.request(url, { method, agent: false, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => r({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error('request timed out')));
    req.end(body);
  });
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
// HTTPS

export interface RawRequestOptions {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** CA to verify the server with; omit to skip verification. */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  timeoutMs?: number;
}

/** One HTTPS request to 127.0.0.1:port (no connection reuse, so nothing keeps the test process alive). */
export function httpsRequest(port: number, o: RawRequestOptions): Promise<HttpResponse> {
  return new Promise((resolveRes, reject) => {
    const headers: Record<string, string> = { Accept: 'application/json', ...(o.headers ?? {}) };
    let payload: string | Buffer | undefined;
    if (o.body !== undefined) {
      if (typeof o.body === 'string' || Buffer.isBuffer(o.body)) payload = o.body;
      else payload = JSON.stringify(o.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const req = https.request(
      {
        host: '127.0.0.1', port, method: o.method, path: o.path, headers, agent: false,
        ca: o.ca, cert: o.cert, key: o.key, rejectUnauthorized: o.ca !== undefined,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolveRes({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json<T>(): T {
              try {
                return JSON.parse(body) as T;
              } catch {
                throw new Error(`${o.method} ${o.path}: response (${res.statusCode}) is not JSON: ${body.slice(0, 2000)}`);
              }
            },
          });
        });
      },
    );
    req.setTimeout(o.timeoutMs ?? 30_000, () => req.destroy(new Error(`${o.method} ${o.path}: request timed out`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

function openStream(port: number, path: string, tls: TlsMaterial, headers: Record<string, string>): Promise<HttpStream> {
  return new Promise((resolveStream, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1', port, method: 'GET', path, agent: false,
        headers: { Accept: 'application/json', ...headers },
        ca: tls.ca, cert: tls.cert, key: tls.key,
      },
      (res) => {
        const lines: string[] = [];
        let partial = '';
        let cursor = 0;
        let ended = false;
        let wake: (() => void) | undefined;
        const notify = () => {
          const w = wake;
          wake = undefined;
          w?.();
        };
        let endResolve!: () => void;
        const done = new Promise<void>((r) => (endResolve = r));
        const finish = () => {
          if (ended) return;
          ended = true;
          if (partial.trim() !== '') lines.push(partial);
          partial = '';
          endResolve();
          notify();
        };
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          partial += d;
          let nl: number;
          while ((nl = partial.indexOf('\n')) >= 0) {
            const line = partial.slice(0, nl);
            partial = partial.slice(nl + 1);
            if (line.trim() !== '') lines.push(line);
          }
          notify();
        });
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
        const waitChange = (deadline: number, what: string) =>
          new Promise<void>((r, rej) => {
            const left = deadline - Date.now();
            if (left <= 0) {
              rej(new Error(`timed out waiting for ${what} on ${path}; lines so far:\n${lines.join('\n').slice(-3000)}`));
              return;
            }
            const timer = setTimeout(() => {
              wake = undefined;
              rej(new Error(`timed out waiting for ${what} on ${path}; lines so far:\n${lines.join('\n').slice(-3000)}`));
            }, left);
            wake = () => {
              clearTimeout(timer);
              r();
            };
          });
        const stream: HttpStream = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          lines,
          get ended() {
            return ended;
          },
          done,
          async nextLine(timeoutMs = 10_000) {
            const deadline = Date.now() + timeoutMs;
            while (cursor >= lines.length) {
              if (ended) throw new Error(`stream ${path} ended; lines:\n${lines.join('\n').slice(-3000)}`);
              await waitChange(deadline, 'the next line');
            }
            return lines[cursor++];
          },
          async nextJson(timeoutMs) {
            const line = await stream.nextLine(timeoutMs);
            try {
              return JSON.parse(line);
            } catch {
              throw new Error(`stream ${path}: line is not one JSON object: ${line.slice(0, 2000)}`);
            }
          },
          async waitEnd(timeoutMs = 10_000) {
            const deadline = Date.now() + timeoutMs;
            while (!ended) await waitChange(deadline, 'the end of the stream');
          },
          close() {
            req.destroy();
            res.destroy();
            finish();
          },
        };
        resolveStream(stream);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

// ---------------------------------------------------------------------------------------------
// kubectl

function kubectlEnv(dirs: { kubeconfig: string; cache: string; home: string }, extra?: Record<string, string>): NodeJS.ProcessEnv {
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

function spawnKubectlProcess(args: string[], env: NodeJS.ProcessEnv): KubectlProcess {
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
      process.kill(child.pid, 'SIGTERM');
      try {
        await withTimeout(exitOf(child), 5_000, 'kubectl to exit');
      } catch {
        process.kill(child.pid, 'SIGKILL');
        await exitOf(child);
      }
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

// ---------------------------------------------------------------------------------------------
// Suites against both stores

export interface SuiteContext {
  readonly datastore: Datastore;
  /** The suite's server (started in `before`, closed in `after`). */
  readonly kite: Kite;
}

/** The stores to run on: both by default; KITE_E2E_STORES=sqlite (or etcd) narrows it during development. */
function selectedStores(): Datastore[] {
  const wanted = (process.env.KITE_E2E_STORES ?? 'sqlite,etcd').split(',').map((s) => s.trim());
  return (['sqlite', 'etcd'] as const).filter((s) => wanted.includes(s));
}

/** Runs `fn`'s tests against a server on `datastore`, sharing one server for the whole suite. */
export function describeWithServer(name: string, datastore: Datastore, fn: (ctx: SuiteContext) => void, start?: Partial<StartOptions>): void {
  describe(name, () => {
    let kite: Kite | undefined;
    const ctx: SuiteContext = {
      datastore,
      get kite(): Kite {
        if (!kite) throw new Error('the kite server did not start (see the before hook failure)');
        return kite;
      },
    };
    before(async () => {
      kite = await startKite({ ...start, datastore });
    });
    after(async () => {
      await kite?.close();
    });
    fn(ctx);
  });
}

/**
 * Runs the suite once against SQLite and once against etcd. Without an etcd binary the etcd run
 * fails when CI is set (so it cannot silently vanish there) and is skipped with a message otherwise.
 */
export function describeBothStores(name: string, fn: (ctx: SuiteContext) => void, start?: Partial<StartOptions>): void {
  for (const datastore of selectedStores()) {
    const title = `${name} [${datastore}]`;
    if (datastore === 'etcd' && !existsSync(ETCD_BIN)) {
      if (process.env.CI) {
        describe(title, () => {
          it('needs an etcd binary', () => {
            throw new Error(`${ETCD_BIN} is missing: the etcd variant of "${name}" cannot run (install etcd-server)`);
          });
        });
      } else {
        describe(title, { skip: `${ETCD_BIN} is not installed; etcd variant skipped` }, () => undefined);
      }
      continue;
    }
    describeWithServer(title, datastore, fn, start);
  }
}

