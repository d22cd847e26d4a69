// An HTTP GET as the kubelet's probes and lifecycle hooks send it: the URL and headers built from
// an HTTPGetAction (host defaulting to the pod IP, named container ports, `kube-probe/<version>`
// User-Agent, `Accept: */*`), certificates not verified, no keep-alive, redirects followed only to
// the same host for probes (as the kubelet does), the body read up to a limit, and a timeout on
// the injected clock. Errors read like the kubelet's (`Get "<url>": …`).
import http from 'node:http';
import https from 'node:https';
import type { Container, HTTPGetAction } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../apimachinery/clock.js';
import { joinHostPort, resolveContainerPort } from './port.js';

/** The Kubernetes version the probes' User-Agent names. */
export const PROBE_USER_AGENT_VERSION = '1.32';
/** The kubelet reads at most this much of a probe's response body. */
export const MAX_RESPONSE_BODY = 10 * 1024;
const MAX_REDIRECTS = 10;

export interface HttpGetRequest {
  url: URL;
  /** Header name → values, in the order given. */
  headers: Map<string, string[]>;
}

/** The request of an httpGet action; `kind` names the User-Agent (`kube-probe`, `kube-lifecycle`). */
export function httpGetRequest(action: HTTPGetAction, container: Container, podIP: string | undefined, kind: 'probe' | 'lifecycle'): HttpGetRequest {
  const scheme = (action.scheme || 'HTTP').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') throw new Error(`unsupported scheme: ${action.scheme}`);
  const host = action.host || podIP;
  if (!host) throw new Error('failed to find the pod IP for the httpGet action');
  const port = resolveContainerPort(action.port, container);
  const url = new URL(`${scheme}://${joinHostPort(host, port)}/`);
  const path = action.path ?? '';
  const q = path.indexOf('?');
  url.pathname = q >= 0 ? path.slice(0, q) : path;
  if (q >= 0) url.search = path.slice(q + 1);

  const headers = new Map<string, string[]>();
  const canonical = new Map<string, string>();
  for (const h of action.httpHeaders ?? []) {
    const key = canonical.get(h.name.toLowerCase()) ?? h.name;
    canonical.set(h.name.toLowerCase(), key);
    headers.set(key, [...(headers.get(key) ?? []), h.value]);
  }
  if (!canonical.has('user-agent')) headers.set('User-Agent', [`kube-${kind}/${PROBE_USER_AGENT_VERSION}`]);
  const accept = canonical.get('accept');
  if (accept === undefined) headers.set('Accept', ['*/*']);
  else if (headers.get(accept)!.every((v) => v === '')) headers.delete(accept);
  return { url, headers };
}

export interface HttpGetResponse {
  status: number;
  body: string;
  /** The URL of the response (after redirects). */
  url: URL;
}

export interface HttpGetOptions {
  clock: Clock;
  timeoutMs?: number;
  /** Probes follow redirects to the same host only; hooks follow any. */
  redirects: 'same-host' | 'any';
  signal?: AbortSignal;
  maxBody?: number;
}

class RequestError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

/** Sends the GET; rejects with a kubelet-like message on connection errors, timeouts and too many redirects. */
export function httpGet(req: HttpGetRequest, opts: HttpGetOptions): Promise<HttpGetResponse> {
  const first = req.url;
  const goUrl = (u: URL) => `Get "${u.href}"`;
  return new Promise((resolve, reject) => {
    let current: http.ClientRequest | undefined;
    let done = false;
    const finish = (err: Error | undefined, res?: HttpGetResponse) => {
      if (done) return;
      done = true;
      timer?.cancel();
      opts.signal?.removeEventListener('abort', onAbort);
      current?.destroy();
      if (err) reject(err);
      else resolve(res!);
    };
    const timer = opts.timeoutMs !== undefined && opts.timeoutMs > 0
      ? opts.clock.setTimeout(() => finish(new RequestError(`${goUrl(first)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`, 'TIMEOUT')), opts.timeoutMs)
      : undefined;
    const onAbort = () => finish(new RequestError(`${goUrl(first)}: context canceled`, 'ABORTED'));
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort);

    const send = (url: URL, via: number) => {
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of req.headers) headers[k] = v.length === 1 ? v[0] : v;
      const mod = url.protocol === 'https:' ? https : http;
      current = mod.request(url, { method: 'GET', headers, agent: false, rejectUnauthorized: false }, (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if ([301, 302, 303, 307, 308].includes(status) && location) {
          let next: URL;
          try {
            next = new URL(location, url);
          } catch {
            return finish(new RequestError(`${goUrl(url)}: failed to parse Location header ${JSON.stringify(location)}`));
          }
          const allowed = opts.redirects === 'any' || next.hostname === first.hostname;
          if (allowed) {
            res.resume();
            if (via + 1 >= MAX_REDIRECTS) return finish(new RequestError(`${goUrl(next)}: stopped after ${MAX_REDIRECTS} redirects`));
            return send(next, via + 1);
          }
        }
        const limit = opts.maxBody ?? MAX_RESPONSE_BODY;
        const chunks: Buffer[] = [];
        let size = 0;
        const complete = () => finish(undefined, { status, body: Buffer.concat(chunks).subarray(0, limit).toString('utf8'), url });
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= limit) complete();
        });
        res.on('end', complete);
        res.on('error', (err) => finish(new RequestError(`${goUrl(url)}: ${err.message}`)));
      });
      current.on('error', (err: NodeJS.ErrnoException) => finish(new RequestError(`${goUrl(url)}: ${describeNetError(err, url)}`, err.code)));
      current.end();
    };
    send(first, 0);
  });
}

/** A connection error worded as Go's dialer words it. */
export function describeNetError(err: NodeJS.ErrnoException, url: URL): string {
  const addr = url.host;
  switch (err.code) {
    case 'ECONNREFUSED': return `dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH': return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH': return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ECONNRESET': return 'read: connection reset by peer';
    default: return err.message;
  }
}

/** An HTTPS request answered in plain HTTP (a hook retries it over HTTP, as the kubelet does). */
export function isPlainHttpAnswer(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(String((err as Error).message));
}
