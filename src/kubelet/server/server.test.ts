import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ensureServerPKI, issueClientCertificate, type ServerPKI } from '../../apiserver/pki/index.js';
import { KubeletServer } from './server.js';
import { KubeletError, type LogOptions, type StreamOptions } from './types.js';

async function withKubelet(fn: (k: { port: number; pki: ServerPKI; calls: unknown[]; criPort: number }) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kite-kubelet-server-'));
  const pki = await ensureServerPKI(dir, { hostnames: [], ips: [] });
  // Plays the runtime's streaming server: answers the upgrade and echoes bytes upper-cased.
  const cri = createServer((_req, res) => { res.writeHead(404); res.end('no such session'); });
  cri.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    calls.push({ criPath: req.url, protocol: req.headers['x-stream-protocol-version'] });
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n');
    socket.on('data', (d: Buffer) => socket.write(d.toString().toUpperCase()));
    criSockets.push(socket);
  });
  const criSockets: Duplex[] = [];
  await new Promise<void>((r) => cri.listen(0, '127.0.0.1', r));
  const criPort = (cri.address() as AddressInfo).port;
  const calls: unknown[] = [];
  const abort = new AbortController();
  const kubelet = new KubeletServer({
    tls: { cert: pki.servingCert, key: pki.servingKey, clientCA: pki.caCert }, port: 0, host: '127.0.0.1',
    logs: {
      async open(ns: string, pod: string, container: string, opts: LogOptions) {
        if (container !== 'app') throw new KubeletError(400, `container "${container}" in pod "${pod}" is waiting to start: ContainerCreating`);
        calls.push({ ns, pod, opts });
        return (async function* () { yield Buffer.from('line 1\n'); yield Buffer.from('line 2\n'); })();
      },
    },
    streams: {
      async exec(ns: string, pod: string, container: string, cmd: string[], opts: StreamOptions) {
        calls.push({ exec: [ns, pod, container, cmd, opts] });
        return `http://127.0.0.1:${criPort}/exec/token1`;
      },
      async attach() { throw new KubeletError(404, 'container not found ("app")'); },
      async portForward(ns: string, pod: string) { return `http://127.0.0.1:${criPort}/portforward/${ns}-${pod}`; },
    },
  });
  await kubelet.start(abort.signal);
  try {
    await fn({ port: kubelet.address().port, pki, calls, criPort });
  } finally {
    abort.abort();
    await kubelet.stopped;
    cri.closeAllConnections();
    for (const s of criSockets) s.destroy();
    await new Promise((r) => cri.close(r));
    await rm(dir, { recursive: true, force: true });
  }
}

function get(port: number, pki: ServerPKI, path: string, withCert: boolean | { cert: string; key: string } = true): Promise<{ status: number; body: string }> {
  const creds = withCert === true ? { cert: pki.adminCert, key: pki.adminKey } : withCert || {};
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, ca: pki.caCert, ...creds }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends a raw upgrade request over TLS and returns the socket with what it has read so far. */
function upgrade(port: number, pki: ServerPKI, path: string, headers: string): Promise<{ socket: Duplex; head: string; more(): Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey, servername: 'localhost' }, () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n${headers}\r\n`);
    });
    let buf = '';
    let waiter: ((s: string) => void) | undefined;
    socket.on('data', (d: Buffer) => {
      buf += d.toString();
      const i = buf.indexOf('\r\n\r\n');
      if (i >= 0 && waiter === undefined) {
        const head = buf.slice(0, i);
        buf = buf.slice(i + 4);
        waiter = () => {};
        resolve({
          socket, head,
          more: async () => {
            const end = Date.now() + 5000;
            while (!buf && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
            const s = buf; buf = ''; return s;
          },
        });
      }
    });
    socket.on('error', reject);
  });
}

test('KubeletServer serves container logs and words errors as plain text', () => withKubelet(async ({ port, pki, calls }) => {
  assert.deepEqual(await get(port, pki, '/healthz'), { status: 200, body: 'ok' });
  const logs = await get(port, pki, '/containerLogs/default/web/app?tailLines=5&timestamps=true&follow=true');
  assert.deepEqual(logs, { status: 200, body: 'line 1\nline 2\n' });
  assert.deepEqual(calls[0], { ns: 'default', pod: 'web', opts: { follow: true, previous: false, timestamps: true, tailLines: 5 } });
  assert.deepEqual(await get(port, pki, '/containerLogs/default/web/side'), { status: 400, body: 'container "side" in pod "web" is waiting to start: ContainerCreating' });
  assert.equal((await get(port, pki, '/nothing')).status, 404);
}));

test('KubeletServer turns away clients without a certificate from the cluster CA', () => withKubelet(async ({ port, pki }) => {
  await assert.rejects(get(port, pki, '/healthz', false));
}));

test('KubeletServer refuses certificates of the cluster CA that are neither the API server nor an admin', () => withKubelet(async ({ port, pki }) => {
  const node = await issueClientCertificate(pki, { commonName: 'system:node:other', organizations: ['system:nodes'] });
  const r = await get(port, pki, '/containerLogs/default/web/app', { cert: node.cert, key: node.key });
  assert.deepEqual(r, { status: 403, body: 'Forbidden (user=system:node:other, verb=get, resource=nodes, subresource=proxy)' });
  const apiserver = await issueClientCertificate(pki, { commonName: 'kube-apiserver-kubelet-client' });
  assert.equal((await get(port, pki, '/containerLogs/default/web/app', { cert: apiserver.cert, key: apiserver.key })).status, 200);
}));

test('KubeletServer proxies an exec upgrade to the runtime streaming URL byte for byte', () => withKubelet(async ({ port, pki, calls }) => {
  const { socket, head, more } = await upgrade(port, pki, '/exec/default/web/app?command=sh&command=-c&command=echo+hi&input=1&output=1&tty=1',
    'X-Stream-Protocol-Version: v4.channel.k8s.io\r\nX-Stream-Protocol-Version: v3.channel.k8s.io\r\n');
  assert.match(head, /^HTTP\/1.1 101/);
  assert.match(head, /X-Stream-Protocol-Version: v4.channel.k8s.io/);
  socket.write('spdy bytes');
  assert.equal(await more(), 'SPDY BYTES');
  socket.destroy();
  assert.deepEqual(calls[0], { exec: ['default', 'web', 'app', ['sh', '-c', 'echo hi'], { stdin: true, stdout: true, stderr: false, tty: true }] });
  assert.deepEqual(calls[1], { criPath: '/exec/token1', protocol: 'v4.channel.k8s.io, v3.channel.k8s.io' });
}));

test('KubeletServer answers a failed stream request with the runtime error', () => withKubelet(async ({ port, pki }) => {
  const { head, more } = await upgrade(port, pki, '/attach/default/web/app?output=1', '');
  assert.match(head, /^HTTP\/1.1 404/);
  assert.equal(await more(), 'container not found ("app")');
}));
