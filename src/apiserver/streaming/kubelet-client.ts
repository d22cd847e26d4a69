// How the API server reaches a node's kubelet: the node's InternalIP and kubelet port from its
// status, over HTTPS with the API server's kubelet-client certificate.
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { StatusError, serviceUnavailable, type StatusReason } from '../../apimachinery/status.js';
import type { Registry } from '../registry/registry.js';

export interface KubeletClientConfig {
  /** The client certificate and key the kubelets accept (signed by the cluster CA). */
  cert: string;
  key: string;
  /** Verifies the kubelets' serving certificates; without it they are not verified, as in Kubernetes by default. */
  ca?: string;
}

const configs = new WeakMap<Registry, KubeletClientConfig>();

/** Sets the credentials the streaming subresources of this registry's server use. */
export function configureKubeletClient(registry: Registry, config: KubeletClientConfig | undefined): void {
  if (config) configs.set(registry, config);
  else configs.delete(registry);
}

export interface KubeletTarget {
  host: string;
  port: number;
  tls: KubeletClientConfig;
}

type Obj = Record<string, any>;

/** Finds where the kubelet of `nodeName` listens. */
export async function kubeletTarget(registry: Registry, nodeName: string): Promise<KubeletTarget> {
  const tls = configs.get(registry);
  if (!tls) throw serviceUnavailable(`no kubelet client credentials configured to reach node "${nodeName}"`);
  const nodes = registry.lookup('', 'v1', 'nodes');
  if (!nodes) throw serviceUnavailable('nodes are not served');
  let node: Obj;
  try {
    node = await nodes.get(undefined, nodeName) as Obj;
  } catch (e) {
    if (e instanceof StatusError && e.code === 404) throw new StatusError(404, 'NotFound', `nodes "${nodeName}" not found`);
    throw e;
  }
  const addresses: { type: string; address: string }[] = node.status?.addresses ?? [];
  const host = ['InternalIP', 'ExternalIP', 'Hostname'].map((t) => addresses.find((a) => a.type === t)?.address).find(Boolean);
  const port = Number(node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0);
  if (!host) throw new StatusError(500, 'InternalError', `no preferred addresses found; known addresses: []`);
  if (!port) throw serviceUnavailable(`node "${nodeName}" does not report a kubelet port`);
  return { host, port, tls };
}

function options(t: KubeletTarget, method: string, path: string, headers: Record<string, string | string[]>) {
  return {
    host: t.host, port: t.port, method, path, headers,
    cert: t.tls.cert, key: t.tls.key,
    ...(t.tls.ca ? { ca: t.tls.ca, rejectUnauthorized: true } : { rejectUnauthorized: false }),
    // The kubelet's certificate names the node, not the address dialled.
    checkServerIdentity: () => undefined,
  };
}

/** A plain request to the kubelet; non-2xx answers become Statuses with the kubelet's message. */
export function kubeletGet(t: KubeletTarget, path: string, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(options(t, 'GET', path, {}), (res) => {
      if ((res.statusCode ?? 500) < 300) return resolve(res);
      readBody(res).then((body) => reject(kubeletStatus(res.statusCode ?? 500, body)), reject);
    });
    req.on('error', (e) => reject(unreachable(t, e)));
    signal.addEventListener('abort', () => req.destroy(), { once: true });
    req.end();
  });
}

export interface KubeletUpgrade {
  /** The kubelet's 101 answer (its headers say which protocol it picked). */
  res: IncomingMessage;
  socket: Duplex;
}

/** Upgrades a connection to the kubelet (SPDY/3.1 with the stream protocols offered). */
export function kubeletUpgrade(t: KubeletTarget, method: string, path: string, headers: Record<string, string | string[]>): Promise<KubeletUpgrade> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(options(t, method, path, { Connection: 'Upgrade', ...headers }));
    req.on('upgrade', (res, socket, head) => {
      if (head.length) socket.unshift(head);
      resolve({ res, socket });
    });
    req.on('response', (res) => {
      readBody(res).then((body) => reject(kubeletStatus(res.statusCode ?? 500, body)), reject);
    });
    req.on('error', (e) => reject(unreachable(t, e)));
    req.end();
  });
}

function unreachable(t: KubeletTarget, e: Error): StatusError {
  return new StatusError(500, 'InternalError', `error dialing backend: ${e.message} (kubelet at ${t.host}:${t.port})`);
}

const reasons: Record<number, StatusReason> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict',
  429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};

/** A kubelet error as the API server reports it: the kubelet's words under the matching reason. */
export function kubeletStatus(code: number, body: string): StatusError {
  const message = body.trim() || `the server rejected our request for an unknown reason (${code})`;
  return new StatusError(code, reasons[code] ?? 'InternalError', message);
}

function readBody(res: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => { if (body.length < limit) body += c; });
    res.on('end', () => resolve(body.slice(0, limit)));
    res.on('error', reject);
  });
}
