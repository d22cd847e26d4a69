// Direct calls into the server's handler from inside the process: no socket, no HTTP framing.
// A request is a small object with the parts of IncomingMessage the handlers read (method, url,
// headers, body events, `close` when the caller gives up); the response collects status, headers
// and body chunks and hands them to the caller's sink as they are written, so a watch streams its
// lines as it would over HTTP. Upgrades (exec, attach, port-forward) need a socket and stay on
// `ApiServer.connectInProcess`.
import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { DirectHandler, DirectRequest, DirectSink } from '../apimachinery/direct-call.js';

export type { DirectHandler, DirectRequest, DirectSink } from '../apimachinery/direct-call.js';


/** What serves a request and a response: the server's handle(). */
export type Handle = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

class Request extends EventEmitter {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly httpVersion = '1.1';
  aborted = false;
  private closed = false;
  private body: Buffer | undefined;
  private flushing = false;

  constructor(r: DirectRequest, readonly socket: object) {
    super();
    this.method = r.method;
    this.url = r.url;
    this.headers = r.headers;
    this.body = r.body;
  }

  /** The body is delivered once someone listens for it, as a paused stream would. */
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    super.on(event, listener);
    if (event === 'data' || event === 'end') this.flush();
    return this;
  }

  resume(): this {
    this.flush();
    return this;
  }

  destroy(): this {
    this.abort();
    return this;
  }

  /** The caller went away before the response was complete. */
  abort(): void {
    if (this.aborted || this.closed) return;
    this.aborted = true;
    this.emit('aborted');
    this.close();
  }

  /** The exchange is over (answered or abandoned). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }

  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    process.nextTick(() => {
      if (this.aborted) return;
      const body = this.body;
      this.body = undefined;
      if (body?.length) this.emit('data', body);
      this.emit('end');
    });
  }
}

class Response extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  destroyed = false;
  private headers: OutgoingHttpHeaders = {};

  constructor(private readonly sink: DirectSink, private readonly req: Request) {
    super();
  }

  get writableLength(): number {
    return this.sink.buffered();
  }

  setHeader(name: string, value: number | string | string[]): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }

  getHeader(name: string): number | string | string[] | undefined {
    return this.headers[name.toLowerCase()];
  }

  removeHeader(name: string): void {
    delete this.headers[name.toLowerCase()];
  }

  writeHead(code: number, reason?: string | OutgoingHttpHeaders, headers?: OutgoingHttpHeaders): this {
    if (this.headersSent) throw Object.assign(new Error('Cannot write headers after they are sent to the client'), { code: 'ERR_HTTP_HEADERS_SENT' });
    this.statusCode = code;
    const extra = typeof reason === 'object' ? reason : headers;
    if (extra) for (const [k, v] of Object.entries(extra)) if (v !== undefined) this.headers[k.toLowerCase()] = v;
    return this;
  }

  flushHeaders(): void {
    this.sendHead();
  }

  write(chunk: string | Uint8Array, encoding?: BufferEncoding | ((err?: Error) => void), cb?: (err?: Error) => void): boolean {
    if (this.writableEnded || this.destroyed) return false;
    this.sendHead();
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : Buffer.from(chunk);
    if (buf.length && !this.req.aborted) this.sink.data(buf);
    const done = typeof encoding === 'function' ? encoding : cb;
    if (done) process.nextTick(done);
    return true;
  }

  end(chunk?: string | Uint8Array | (() => void), encoding?: BufferEncoding | (() => void), cb?: () => void): this {
    if (typeof chunk === 'function') return this.end(undefined, undefined, chunk);
    if (typeof encoding === 'function') return this.end(chunk, undefined, encoding);
    if (this.writableEnded || this.destroyed) return this;
    if (chunk !== undefined) this.write(chunk, encoding);
    this.sendHead();
    this.writableEnded = true;
    if (!this.req.aborted) this.sink.end();
    process.nextTick(() => {
      this.writableFinished = true;
      this.emit('finish');
      cb?.();
      this.emit('close');
      this.req.close();
    });
    return this;
  }

  destroy(err?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    if (!this.writableEnded && !this.req.aborted) this.sink.end(err ?? connectionReset());
    process.nextTick(() => {
      this.emit('close');
      this.req.close();
    });
    return this;
  }

  /** The caller went away: what a closed socket does to a ServerResponse. */
  abort(): void {
    if (this.destroyed || this.writableEnded) return;
    this.destroyed = true;
    process.nextTick(() => this.emit('close'));
  }

  private sendHead(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    const out: IncomingHttpHeaders = {};
    for (const [k, v] of Object.entries(this.headers)) {
      if (v === undefined) continue;
      out[k] = Array.isArray(v) ? (k === 'set-cookie' ? v.map(String) : v.join(', ')) : String(v);
    }
    if (!this.req.aborted) this.sink.head(this.statusCode, out);
  }
}

function connectionReset(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

/**
 * Exchanges served by `handle` as the connection `socket` (which the server's authenticator
 * knows as a user); `open` tracks the unfinished ones so the server can cut them off when it stops.
 */
export function directHandler(handle: Handle, socket: object, open: Set<() => void>): DirectHandler {
  return (r, sink) => {
    const req = new Request(r, socket);
    const res = new Response(sink, req);
    const abort = () => {
      open.delete(cut);
      if (req.aborted || res.writableEnded) return;
      res.abort();
      req.abort();
    };
    // The server cuts the exchange off: the caller sees a reset connection.
    const cut = () => {
      if (!res.writableEnded && !res.destroyed && !req.aborted) sink.end(connectionReset());
      abort();
    };
    open.add(cut);
    res.once('close', () => open.delete(cut));
    void handle(req as unknown as IncomingMessage, res as unknown as ServerResponse);
    return abort;
  };
}

/** Ends every open exchange, as closing the server's connections would. */
export function closeDirect(open: Set<() => void>): void {
  for (const cut of [...open]) cut();
}
