// Raw HTTP(S) in the e2e tests: one-shot requests to the API server with the admin certificate,
// streaming GETs (watches, followed logs) read line by line, and plain HTTP (etcd's JSON gateway).
import * as http from 'node:http';
import * as https from 'node:https';

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

export interface TlsMaterial {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

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

/** A streaming GET to 127.0.0.1:port with the client certificate `tls`. */
export function openStream(port: number, path: string, tls: TlsMaterial, headers: Record<string, string>): Promise<HttpStream> {
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

/** A plain-HTTP POST of a JSON body (etcd's gateway). */
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
