// An API server on a memory backend with real TLS, for tests of the HTTP surface.
import { request as httpsRequest } from 'node:https';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBackend } from '../../storage/memory/memory.js';
import type { Backend } from '../../storage/backend.js';
import { ensureServerPKI, type ServerPKI } from '../pki/index.js';
import { ApiServer, type ApiServerOptions } from '../server.js';

export interface Response { status: number; headers: Record<string, string | string[] | undefined>; body: string; json: any }

export interface TestServer {
  server: ApiServer;
  backend: Backend;
  pki: ServerPKI;
  port: number;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>, opts?: { anonymous?: boolean }): Promise<Response>;
  /** Opens a watch and collects its events until `stop()`. */
  watch(path: string, headers?: Record<string, string>): { events: any[]; stop(): void; ended: Promise<void> };
  close(): Promise<void>;
}

let pkiCache: Promise<{ dir: string; pki: ServerPKI }> | undefined;

/** Certificates are generated once per test process. */
function testPKI(): Promise<{ dir: string; pki: ServerPKI }> {
  pkiCache ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kite-apiserver-test-'));
    const pki = await ensureServerPKI(dir, { hostnames: [], ips: [] });
    // 'exit' handlers run synchronously: an async rm here would never happen.
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    return { dir, pki };
  })();
  return pkiCache;
}

export async function startTestServer(backend: Backend = new MemoryBackend(), extra: Partial<ApiServerOptions> = {}): Promise<TestServer> {
  const { pki } = await testPKI();
  await backend.start();
  const abort = new AbortController();
  const server = new ApiServer({
    backend, bindAddress: '127.0.0.1', port: 0,
    tls: { cert: pki.servingCert, key: pki.servingKey, clientCA: pki.caCert },
    ...extra,
  });
  await server.start(abort.signal);
  const port = server.address().port;

  const request: TestServer['request'] = (method, path, body, headers = {}, opts = {}) => new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const req = httpsRequest({
      host: '127.0.0.1', port, method, path,
      ca: pki.caCert,
      ...(opts.anonymous ? {} : { cert: pki.adminCert, key: pki.adminKey }),
      headers: { ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}), ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });

  const watch: TestServer['watch'] = (path, headers = {}) => {
    const events: any[] = [];
    let buf = '';
    let stopFn = () => {};
    const ended = new Promise<void>((resolve) => {
      const req = httpsRequest({ host: '127.0.0.1', port, method: 'GET', path, ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey, headers }, (res) => {
        res.on('data', (c: Buffer) => {
          buf += c.toString('utf8');
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line.trim()) events.push(JSON.parse(line));
          }
        });
        res.on('end', () => resolve());
        res.on('close', () => resolve());
      });
      req.on('error', () => resolve());
      req.end();
      stopFn = () => { req.destroy(); resolve(); };
    });
    return { events, stop: () => stopFn(), ended };
  };

  return {
    server, backend, pki, port, request, watch,
    async close() {
      abort.abort();
      await server.stopped;
      await backend.close();
    },
  };
}

/** Polls `check` until it returns true or the deadline passes. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not met in time');
}
