// Streaming subresources end to end: client → API server → KubeletServer → a fake runtime
// streaming server (SPDY remotecommand and portforward, as containerd serves them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket, createWebSocketStream } from 'ws';
import { request as httpsRequest } from 'node:https';
import { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import spdy from 'spdy-transport';
import { startFakeNode, type FakeNode } from '../../kubelet/server/testing/fake-node.js';
import { startTestServer, type TestServer } from '../testing/fixture.js';
import { configureKubeletClient } from './kubelet-client.js';

let ts: TestServer;
let node: FakeNode;

before(async () => {
  ts = await startTestServer();
  node = await startFakeNode({ cert: ts.pki.servingCert, key: ts.pki.servingKey, clientCA: ts.pki.caCert });
  configureKubeletClient(ts.server.registry, { cert: ts.pki.adminCert, key: ts.pki.adminKey, ca: ts.pki.caCert });
  const created = await ts.request('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
  assert.equal(created.status, 201, created.body);
  const n = created.json;
  n.status = { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: node.port } } };
  const st = await ts.request('PUT', '/api/v1/nodes/n1/status', n);
  assert.equal(st.status, 200, st.body);
  const pod = (name: string, containers: string[], nodeName?: string, init: string[] = []) => ts.request('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      containers: containers.map((c) => ({ name: c, image: 'kite.local/busybox:1.35' })),
      ...(init.length ? { initContainers: init.map((c) => ({ name: c, image: 'kite.local/busybox:1.35' })) } : {}),
    },
  });
  for (const p of [await pod('web', ['app'], 'n1'), await pod('multi', ['a', 'b'], 'n1', ['i']), await pod('pending', ['app'])]) assert.equal(p.status, 201, p.body);
});

after(async () => {
  await node.close();
  await ts.close();
});

const podPath = (name: string, sub: string) => `/api/v1/namespaces/default/pods/${name}/${sub}`;

test('pods/log streams the kubelet container log with the options passed on', async () => {
  const r = await ts.request('GET', `${podPath('web', 'log')}?follow=true&tailLines=5&timestamps=true&limitBytes=100`);
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'text/plain');
  assert.equal(r.body, 'app line 1\napp line 2\n');
  assert.deepEqual(node.seen.logs.at(-1), { container: 'app', opts: { follow: true, previous: false, timestamps: true, tailLines: 5, limitBytes: 100 } });
  const b = await ts.request('GET', `${podPath('multi', 'log')}?container=b`);
  assert.equal(b.body, 'b line 1\nb line 2\n');
});

test('pods/log and exec answer with Kubernetes error Statuses', async () => {
  const cases: [string, number, string, string][] = [
    [podPath('multi', 'log'), 400, 'BadRequest', 'a container name must be specified for pod multi, choose one of: [a b] or one of the init containers: [i]'],
    [`${podPath('web', 'log')}?container=x`, 400, 'BadRequest', 'container x is not valid for pod web'],
    [podPath('pending', 'log'), 400, 'BadRequest', 'pod pending does not have a host assigned'],
    [`${podPath('web', 'log')}?tailLines=-1`, 422, 'Invalid', 'PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0'],
    [podPath('nope', 'log'), 404, 'NotFound', 'pods "nope" not found'],
    [`${podPath('web', 'exec')}?command=ls&stdout=true`, 400, 'BadRequest', 'Upgrade request required'],
  ];
  for (const [path, code, reason, message] of cases) {
    const r = await ts.request('GET', path);
    assert.equal(r.status, code, path);
    assert.equal(r.json.kind, 'Status');
    assert.equal(r.json.reason, reason, path);
    assert.equal(r.json.message, message, path);
  }
});

function openWs(path: string, protocols: string[]): Promise<{ ws: WebSocket; messages: Buffer[]; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${ts.port}${path}`, protocols, { ca: ts.pki.caCert, cert: ts.pki.adminCert, key: ts.pki.adminKey });
    const messages: Buffer[] = [];
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('message', (d: Buffer) => messages.push(Buffer.from(d)));
    ws.on('open', () => resolve({ ws, messages, closed }));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const channel = (messages: Buffer[], ch: number) => Buffer.concat(messages.filter((m) => m[0] === ch).map((m) => m.subarray(1))).toString();

test('exec over WebSocket v5 carries stdin, stdout, stderr, the close of stdin and the exit code Status', async () => {
  const { ws, messages, closed } = await openWs(`${podPath('web', 'exec')}?command=sh&command=-c&command=cat&stdin=true&stdout=true&stderr=true`, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  assert.equal(ws.protocol, 'v5.channel.k8s.io');
  ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello')]));
  await until(() => channel(messages, 1) === 'HELLO', 'stdout');
  ws.send(Buffer.from([255, 0]));
  assert.equal(await closed, 1000);
  assert.equal(channel(messages, 2), 'hello');
  const status = JSON.parse(channel(messages, 3));
  assert.equal(status.status, 'Failure');
  assert.equal(status.reason, 'NonZeroExitCode');
  assert.deepEqual(status.details.causes[0], { reason: 'ExitCode', message: '3' });
  assert.ok(node.seen.paths.includes('/exec/app'));
});

test('exec with a tty over WebSocket v4 forwards resize messages and opens no stderr stream', async () => {
  const before = node.seen.streams.length;
  const { ws, messages, closed } = await openWs(`${podPath('web', 'exec')}?command=sh&stdin=true&stdout=true&stderr=true&tty=true`, ['v4.channel.k8s.io']);
  assert.equal(ws.protocol, 'v4.channel.k8s.io');
  ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":80,"Height":24}')]));
  ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('abc')]));
  await until(() => channel(messages, 1) === 'ABC', 'stdout');
  await until(() => node.seen.resizes.includes('{"Width":80,"Height":24}'), 'resize');
  assert.deepEqual(node.seen.streams.slice(before).sort(), ['error', 'resize', 'stdin', 'stdout']);
  ws.close();
  await closed;
});

test('port-forward over the WebSocket channel protocol opens each channel with its port and round-trips data', async () => {
  const { ws, messages, closed } = await openWs(`${podPath('web', 'portforward')}?ports=8080`, ['v4.channel.k8s.io']);
  await until(() => messages.length >= 2, 'port frames');
  assert.deepEqual([...messages[0]], [0, 0x90, 0x1f]);
  assert.deepEqual([...messages[1]], [1, 0x90, 0x1f]);
  ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('ping')]));
  await until(() => channel(messages.slice(2), 0) === '8080:ping', 'echo');
  ws.close();
  await closed;
});

/** A SPDY client session over `socket`, with helpers to open typed streams and read them. */
function spdyClient(socket: Duplex) {
  const conn = spdy.connection.create(socket, { protocol: 'spdy', isServer: false });
  conn.on('error', () => {});
  conn.start(3.1);
  const open = (headers: Record<string, string>) => {
    const st = conn.request({ method: 'POST', path: '/', headers });
    st.on('error', () => {});
    let text = '';
    st.on('data', (d: Buffer) => { text += d.toString(); });
    return { st, text: () => text, ended: new Promise<void>((r) => st.once('end', () => r())) };
  };
  return { conn, open };
}

/**
 * A WebSocket client reduced to binary messages as a byte stream, written here because `ws`
 * refuses subprotocol names with a '/' (kubectl's `SPDY/3.1+portforward.k8s.io`).
 */
function rawWebSocket(path: string, protocol: string): Promise<{ stream: Duplex; protocol: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({
      host: '127.0.0.1', port: ts.port, method: 'GET', path, ca: ts.pki.caCert, cert: ts.pki.adminCert, key: ts.pki.adminKey,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'Sec-WebSocket-Protocol': protocol },
    });
    req.on('upgrade', (res, socket, head) => {
      let buf: Buffer = head;
      const stream = new Duplex({
        read() {},
        write(chunk: Buffer, _enc, cb) {
          const mask = randomBytes(4);
          const len = chunk.length;
          const header = len < 126 ? Buffer.from([0x82, 0x80 | len]) : Buffer.from([0x82, 0x80 | 126, len >> 8, len & 0xff]);
          const body = Buffer.from(chunk.map((b, i) => b ^ mask[i % 4]));
          socket.write(Buffer.concat([header, mask, body]), cb);
        },
        destroy(err, cb) { socket.destroy(); cb(err); },
      });
      const parse = () => {
        while (buf.length >= 2) {
          let len = buf[1] & 0x7f;
          let off = 2;
          if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
          else if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); off = 10; }
          if (buf.length < off + len) return;
          const opcode = buf[0] & 0x0f;
          const payload = buf.subarray(off, off + len);
          buf = buf.subarray(off + len);
          if (opcode === 2) stream.push(payload);
          if (opcode === 8) stream.push(null);
        }
      };
      socket.on('data', (d: Buffer) => { buf = Buffer.concat([buf, d]); parse(); });
      socket.on('close', () => stream.destroy());
      parse();
      resolve({ stream, protocol: res.headers['sec-websocket-protocol'] });
    });
    req.on('response', (res) => reject(new Error(`status ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}

test('port-forward through the SPDY-in-WebSocket tunnel reaches the runtime with the streams kubectl opens', async () => {
  const { stream, protocol } = await rawWebSocket(podPath('web', 'portforward'), 'SPDY/3.1+portforward.k8s.io');
  assert.equal(protocol, 'SPDY/3.1+portforward.k8s.io');
  const { open } = spdyClient(stream);
  const error = open({ streamtype: 'error', port: '80', requestid: '0' });
  const data = open({ streamtype: 'data', port: '80', requestid: '0' });
  data.st.write('hi');
  await until(() => data.text() === '80:hi', 'tunnelled echo');
  assert.equal(error.text(), '');
  stream.destroy();
});

test('exec over a SPDY upgrade is passed through with the negotiated protocol', async () => {
  const { socket, headers } = await new Promise<{ socket: Duplex; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = httpsRequest({
      host: '127.0.0.1', port: ts.port, method: 'POST', path: `${podPath('web', 'exec')}?command=cat&stdin=true&stdout=true`,
      ca: ts.pki.caCert, cert: ts.pki.adminCert, key: ts.pki.adminKey,
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io, v3.channel.k8s.io' },
    });
    req.on('upgrade', (res, sock, head) => { if (head.length) sock.unshift(head); resolve({ socket: sock, headers: res.headers }); });
    req.on('response', (res) => reject(new Error(`status ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
  assert.equal(headers['x-stream-protocol-version'], 'v4.channel.k8s.io');
  const { open } = spdyClient(socket);
  const error = open({ streamtype: 'error' });
  const stdin = open({ streamtype: 'stdin' });
  const stdout = open({ streamtype: 'stdout' });
  await new Promise((r) => setImmediate(r));
  stdin.st.end('spdy');
  await error.ended;
  await until(() => stdout.text() === 'SPDY', 'stdout');
  assert.equal(JSON.parse(error.text()).details.causes[0].message, '3');
  socket.destroy();
});

test('attach over WebSocket reaches the runtime attach URL of the chosen container', async () => {
  const { ws, messages, closed } = await openWs(`${podPath('multi', 'attach')}?container=b&stdin=true&stdout=true`, ['v5.channel.k8s.io']);
  ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('x')]));
  await until(() => channel(messages, 1) === 'X', 'stdout');
  ws.send(Buffer.from([255, 0]));
  await closed;
  assert.ok(node.seen.paths.includes('/attach/b'));
});
