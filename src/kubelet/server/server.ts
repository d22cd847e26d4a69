// The kubelet's HTTPS endpoint, which the API server calls for logs, exec, attach and
// port-forward. Clients must present a certificate signed by the cluster CA.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { silentLogger, type Logger } from '../../apimachinery/log.js';
import { realClock, type Clock } from '../../apimachinery/clock.js';
import { KubeletError, type LogOptions, type LogSource, type StreamOptions, type StreamRuntime } from './types.js';
import { proxyUpgrade } from './upgrade-proxy.js';
import { defaultKubeletAuthorizer, forbiddenMessage, peerIdentity, type KubeletClientIdentity } from './authorize.js';
import type { TLSSocket } from 'node:tls';

export interface KubeletServerOptions {
  tls: { cert: string; key: string; clientCA: string };
  /** 0 picks a free port. */
  port: number;
  host: string;
  logger?: Logger;
  logs: LogSource;
  streams: StreamRuntime;
  /** For `sinceSeconds`. */
  clock?: Clock;
  /** Which certificate holders may read logs and open streams; the API server's kubelet client and admins by default. */
  authorize?: (client: KubeletClientIdentity) => boolean;
}

export class KubeletServer {
  readonly ready: Promise<void>;
  stopped: Promise<void> = Promise.resolve();
  private markReady!: () => void;
  private server?: Server;
  private readonly log: Logger;
  /** Upgraded connections: no longer the HTTP server's, so closed here on stop. */
  private readonly streams = new Set<Duplex>();

  constructor(private readonly opts: KubeletServerOptions) {
    this.log = (opts.logger ?? silentLogger).with({ component: 'kubelet-server' });
    this.ready = new Promise((resolve) => { this.markReady = resolve; });
  }

  async start(signal: AbortSignal): Promise<void> {
    const server = createServer({
      cert: this.opts.tls.cert, key: this.opts.tls.key, ca: this.opts.tls.clientCA,
      requestCert: true, rejectUnauthorized: true, requestTimeout: 0,
    }, (req, res) => { void this.handle(req, res); });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => { void this.handleUpgrade(req, socket, head); });
    server.on('tlsClientError', () => { /* clients without a valid certificate are turned away */ });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => { server.off('error', reject); resolve(); });
    });
    this.stopped = new Promise((resolve) => {
      const stop = () => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of this.streams) s.destroy();
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    });
    this.markReady();
  }

  address(): { address: string; port: number } {
    const a = this.server?.address() as AddressInfo | null;
    return { address: a?.address ?? this.opts.host, port: a?.port ?? this.opts.port };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    try {
      if (url.pathname === '/healthz') return text(res, 200, 'ok');
      this.authorize(req, req.method === 'GET' ? 'get' : 'create');
      if (parts[0] === 'containerLogs' && parts.length === 4 && req.method === 'GET') {
        return await this.serveLogs(req, res, parts[1], parts[2], parts[3], url.searchParams);
      }
      if (['exec', 'attach', 'portForward'].includes(parts[0])) throw new KubeletError(400, 'Upgrade request required');
      throw new KubeletError(404, '404 page not found');
    } catch (e) {
      if (res.headersSent) { res.destroy(); return; }
      if (e instanceof KubeletError) return text(res, e.code, e.message);
      this.log.error('request failed', { url: req.url, error: String((e as Error)?.stack ?? e) });
      text(res, 500, String((e as Error)?.message ?? e));
    }
  }

  private authorize(req: IncomingMessage, verb: string): void {
    const id = peerIdentity(req.socket as TLSSocket);
    if (!(this.opts.authorize ?? defaultKubeletAuthorizer)(id)) throw new KubeletError(403, forbiddenMessage(id, verb));
  }

  private async serveLogs(req: IncomingMessage, res: ServerResponse, ns: string, pod: string, container: string, q: URLSearchParams): Promise<void> {
    const opts = logOptions(q, (this.opts.clock ?? realClock).now());
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const chunks = await this.opts.logs.open(ns, pod, container, opts, abort.signal);
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    for await (const chunk of chunks) {
      if (!res.write(chunk)) await new Promise<void>((r) => { res.once('drain', r); res.once('close', r); });
      if (abort.signal.aborted) break;
    }
    res.end();
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => {});
    this.streams.add(socket);
    socket.once('close', () => this.streams.delete(socket));
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const q = url.searchParams;
    try {
      this.authorize(req, 'create');
      let target: string;
      if (parts[0] === 'exec' && parts.length === 4) {
        const cmd = q.getAll('command');
        if (!cmd.length) throw new KubeletError(400, 'you must specify at least 1 command');
        target = await this.opts.streams.exec(parts[1], parts[2], parts[3], cmd, streamOptions(q));
      } else if (parts[0] === 'attach' && parts.length === 4) {
        target = await this.opts.streams.attach(parts[1], parts[2], parts[3], streamOptions(q));
      } else if (parts[0] === 'portForward' && parts.length === 3) {
        const ports = [...q.getAll('port'), ...q.getAll('ports').flatMap((p) => p.split(','))].filter(Boolean).map(Number);
        if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) throw new KubeletError(400, 'invalid port');
        target = await this.opts.streams.portForward(parts[1], parts[2], ports);
      } else {
        throw new KubeletError(404, '404 page not found');
      }
      proxyUpgrade(req, socket, head, target, (e) => this.log.warn('streaming proxy failed', { url: req.url, error: e.message }));
    } catch (e) {
      const code = e instanceof KubeletError ? e.code : 500;
      const msg = String((e as Error)?.message ?? e);
      const reason = code === 404 ? 'Not Found' : code === 400 ? 'Bad Request' : code === 403 ? 'Forbidden' : 'Error';
      if (!(e instanceof KubeletError)) this.log.error('stream request failed', { url: req.url, error: msg });
      socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(msg)}\r\nConnection: close\r\n\r\n${msg}`);
    }
  }
}

function text(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Kubernetes sends `input`/`output`/`error`/`tty` to the kubelet; the long names work too. */
function streamOptions(q: URLSearchParams): StreamOptions {
  const flag = (...names: string[]) => names.some((n) => isTrue(q.get(n)));
  return { stdin: flag('input', 'stdin'), stdout: flag('output', 'stdout'), stderr: flag('error', 'stderr'), tty: flag('tty') };
}

export function logOptions(q: URLSearchParams, now: number): LogOptions {
  const int = (name: string): number | undefined => {
    const v = q.get(name);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new KubeletError(400, `invalid ${name} "${v}"`);
    return n;
  };
  const o: LogOptions = { follow: isTrue(q.get('follow')), previous: isTrue(q.get('previous')), timestamps: isTrue(q.get('timestamps')) };
  const tail = int('tailLines');
  if (tail !== undefined && tail >= 0) o.tailLines = tail;
  const limit = int('limitBytes');
  if (limit !== undefined && limit > 0) o.limitBytes = limit;
  const sinceSeconds = int('sinceSeconds');
  if (sinceSeconds !== undefined) o.sinceTime = now - sinceSeconds * 1000;
  const sinceTime = q.get('sinceTime');
  if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw new KubeletError(400, `invalid sinceTime "${sinceTime}"`);
    o.sinceTime = t;
  }
  const stream = q.get('stream');
  if (stream === 'Stdout' || stream === 'Stderr' || stream === 'All') o.stream = stream;
  return o;
}

function isTrue(v: string | null): boolean {
  return v !== null && (v === '1' || v.toLowerCase() === 'true' || v === 't');
}
