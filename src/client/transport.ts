// How a client reaches an API server: HTTPS with a kubeconfig's credentials, an in-process
// connection handed out by the server itself (both HTTP/1.1 through a Node agent), or direct
// calls into the handler of a server in the same process.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import type { DirectHandler, DirectRequest, DirectSink } from '../apimachinery/direct-call.js';

export type { DirectHandler, DirectRequest, DirectSink } from '../apimachinery/direct-call.js';

export interface TransportResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface TransportStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** Newline-delimited lines of the body, as they arrive. */
  lines: AsyncIterable<string>;
  close(): void;
}

export interface RequestOptions {
  body?: Buffer | string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface Transport {
  request(method: string, path: string, opts?: RequestOptions): Promise<TransportResponse>;
  /** A GET whose body is read line by line while it streams (watches). */
  stream(path: string, opts?: RequestOptions): Promise<TransportStream>;
  close(): void;
}

export interface TlsCredentials { server: string; ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer; token?: string }

class HttpTransport implements Transport {
  constructor(
    private readonly send: typeof httpRequest,
    private readonly base: { protocol: string; hostname: string; port: number },
    private readonly agent: HttpAgent,
    private readonly defaultHeaders: Record<string, string>,
  ) {}

  private open(method: string, path: string, opts: RequestOptions): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...this.defaultHeaders, ...opts.headers };
      if (opts.body !== undefined) headers['Content-Length'] = Buffer.byteLength(opts.body);
      const req = this.send({
        protocol: this.base.protocol, hostname: this.base.hostname, port: this.base.port,
        method, path, agent: this.agent, headers, signal: opts.signal,
      }, resolve);
      req.on('error', reject);
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    });
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<TransportResponse> {
    const res = await this.open(method, path, opts);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
  }

  async stream(path: string, opts: RequestOptions = {}): Promise<TransportStream> {
    const res = await this.open('GET', path, opts);
    return {
      status: res.statusCode ?? 0,
      headers: res.headers,
      lines: splitLines(res),
      close: () => res.destroy(),
    };
  }

  close(): void {
    this.agent.destroy();
  }
}

async function* splitLines(res: IncomingMessage): AsyncIterable<string> {
  let buf = '';
  try {
    for await (const chunk of res) {
      buf += (chunk as Buffer).toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) yield line;
      }
    }
  } catch (err) {
    // A stream closed by either side ends the iteration; the caller decides whether to resume.
    if ((err as { code?: string }).code !== 'ECONNRESET' && (err as { name?: string }).name !== 'AbortError') throw err;
  }
  if (buf.trim()) yield buf;
}

/** HTTPS to a server URL with a CA and a client certificate (or a bearer token). */
export function httpsTransport(creds: TlsCredentials, userAgent = 'kite'): Transport {
  const url = new URL(creds.server);
  const agent = new HttpsAgent({ keepAlive: true, ca: creds.ca, cert: creds.cert, key: creds.key, maxSockets: 64 });
  const headers: Record<string, string> = { 'User-Agent': userAgent };
  if (creds.token) headers.Authorization = `Bearer ${creds.token}`;
  return new HttpTransport(httpsRequest as unknown as typeof httpRequest,
    { protocol: 'https:', hostname: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 443) }, agent, headers);
}

/** Requests over connections `connect` opens in-process (e.g. `ApiServer.connectInProcess`). */
export function inProcessTransport(connect: () => Duplex, userAgent = 'kite'): Transport {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  (agent as unknown as { createConnection: () => Duplex }).createConnection = connect;
  return new HttpTransport(httpRequest, { protocol: 'http:', hostname: 'in-process', port: 80 }, agent, { 'User-Agent': userAgent });
}


function connectionReset(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

function abortError(): Error {
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}

/** Newline-delimited lines of a streamed body, queued until read. */
class LineQueue implements AsyncIterable<string> {
  private partial = '';
  private readonly lines: string[] = [];
  private bytes = 0;
  private done = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  buffered(): number {
    return this.bytes + this.partial.length;
  }

  push(chunk: Buffer): void {
    if (this.done) return;
    let text = this.partial + chunk.toString('utf8');
    let i: number;
    while ((i = text.indexOf('\n')) >= 0) {
      const line = text.slice(0, i);
      text = text.slice(i + 1);
      if (line.trim()) {
        this.lines.push(line);
        this.bytes += line.length + 1;
      }
    }
    this.partial = text;
    this.notify();
  }

  end(err?: Error): void {
    if (this.done) return;
    this.done = true;
    if (this.partial.trim()) this.lines.push(this.partial);
    this.partial = '';
    // As over HTTP, a connection reset or an abort only ends the lines.
    const code = (err as { code?: string } | undefined)?.code;
    if (err && code !== 'ECONNRESET' && err.name !== 'AbortError') this.failure = err;
    this.notify();
  }

  /** The reader went away: what is queued is dropped. */
  close(): void {
    this.lines.length = 0;
    this.bytes = 0;
    this.end();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) {
        this.bytes -= line.length + 1;
        yield line;
        continue;
      }
      if (this.done) {
        if (this.failure) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }
}

class DirectTransport implements Transport {
  /** Cancels each request and stream in flight. */
  private readonly open = new Set<() => void>();

  constructor(private readonly handler: DirectHandler, private readonly userAgent: string) {}

  private start(method: string, path: string, opts: RequestOptions, sink: DirectSink): () => void {
    const headers: Record<string, string> = { 'user-agent': this.userAgent };
    if (opts.headers) for (const [k, v] of Object.entries(opts.headers)) headers[k.toLowerCase()] = v;
    const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? Buffer.from(opts.body, 'utf8') : opts.body;
    if (body !== undefined) headers['content-length'] = String(body.length);
    return this.handler({ method, url: path, headers, body }, sink);
  }

  request(method: string, path: string, opts: RequestOptions = {}): Promise<TransportResponse> {
    return new Promise((resolve, reject) => {
      const { signal } = opts;
      if (signal?.aborted) {
        reject(abortError());
        return;
      }
      let status = 0;
      let headers: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      let settled = false;
      const settle = () => {
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        this.open.delete(cancel);
      };
      // Aborted by its signal, or cut off by close() as a closed connection would be.
      const cancel = (err: Error = connectionReset()) => {
        if (settled) return;
        settle();
        abort();
        reject(err);
      };
      const onAbort = () => cancel(abortError());
      const abort = this.start(method, path, opts, {
        head: (s, h) => { status = s; headers = h; },
        data: (c) => { chunks.push(c); },
        end: (err) => {
          if (settled) return;
          settle();
          if (err) reject(err);
          else resolve({ status, headers, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) });
        },
        buffered: () => 0,
      });
      if (settled) return;
      this.open.add(cancel);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  stream(path: string, opts: RequestOptions = {}): Promise<TransportStream> {
    return new Promise((resolve, reject) => {
      const { signal } = opts;
      if (signal?.aborted) {
        reject(abortError());
        return;
      }
      const lines = new LineQueue();
      let answered = false;
      let ended = false;
      const done = () => {
        ended = true;
        this.open.delete(cancel);
        signal?.removeEventListener('abort', close);
      };
      const close = () => {
        if (!ended) {
          done();
          abort();
        }
        lines.close();
        if (!answered) reject(abortError());
      };
      const cancel = () => {
        if (ended) return;
        done();
        abort();
        lines.end(connectionReset());
        if (!answered) reject(connectionReset());
      };
      const abort = this.start('GET', path, opts, {
        head: (status, headers) => {
          answered = true;
          resolve({ status, headers, lines, close });
        },
        data: (c) => lines.push(c),
        end: (err) => {
          if (ended) return;
          done();
          lines.end(err);
          if (!answered) reject(err ?? new Error('the server closed the stream without an answer'));
        },
        buffered: () => lines.buffered(),
      });
      if (ended) return;
      this.open.add(cancel);
      signal?.addEventListener('abort', close, { once: true });
    });
  }

  /** Aborts what is in flight, as closing the connections would; later requests still work. */
  close(): void {
    for (const cancel of [...this.open]) cancel();
  }
}

/**
 * Requests handed straight to an API server in the same process (`ApiServer.directHandler`):
 * the same handlers and answers as over HTTP, without a socket or HTTP framing.
 */
export function directTransport(handler: DirectHandler, userAgent = 'kite'): Transport {
  return new DirectTransport(handler, userAgent);
}
