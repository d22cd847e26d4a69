// How a client reaches an API server: HTTPS with a kubeconfig's credentials, or an in-process
// connection handed out by the server itself. Both speak HTTP/1.1 through a Node agent.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';

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
