import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import { FakeClock, realClock } from '../../apimachinery/clock.js';
import { runAction, type ActionContext } from './action.js';
import { decodeHealthCheckStatus, encodeHealthCheckRequest } from './grpc.js';
import { httpGetRequest } from './http.js';

const settle = async () => { for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r)); };
let server: http.Server;
let port = 0;
const seen: http.IncomingHttpHeaders[] = [];
const hanging: http.ServerResponse[] = [];

before(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    const url = req.url ?? '';
    if (url === '/ok') return res.end('fine');
    if (url.startsWith('/status/')) { res.statusCode = Number(url.slice(8)); return res.end(); }
    if (url === '/same') { res.writeHead(302, { location: '/ok' }); return res.end(); }
    if (url === '/other') { res.writeHead(301, { location: `http://localhost:${port}/ok` }); return res.end('moved'); }
    if (url === '/loop') { res.writeHead(302, { location: '/loop' }); return res.end(); }
    if (url === '/big') return res.end('x'.repeat(100_000));
    if (url === '/hang') { hanging.push(res); return; }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  for (const r of hanging) r.destroy();
  await new Promise((r) => server.close(r));
});

const container: Container = { name: 'app', image: 'x', ports: [{ name: 'web', containerPort: 0 }] };
const ctx = (clock = realClock): ActionContext => ({
  container: { ...container, ports: [{ name: 'web', containerPort: port }] }, containerId: 'c1', podIP: '127.0.0.1', clock,
  exec: () => Promise.reject(new Error('no exec')),
});

describe('httpGet probe', () => {
  const cases: { name: string; probe: () => Probe; result: string; output?: string | RegExp }[] = [
    { name: '200 is success with the body', probe: () => ({ httpGet: { path: '/ok', port } }), result: 'success', output: 'fine' },
    { name: '299 is success', probe: () => ({ httpGet: { path: '/status/299', port } }), result: 'success' },
    { name: 'a 3xx not followed passes with a warning', probe: () => ({ httpGet: { path: '/status/399', port } }), result: 'warning', output: 'Probe terminated redirects, Response body: ' },
    { name: '500 is failure', probe: () => ({ httpGet: { path: '/status/500', port } }), result: 'failure', output: 'HTTP probe failed with statuscode: 500' },
    { name: '400 is failure', probe: () => ({ httpGet: { path: '/status/400', port } }), result: 'failure', output: 'HTTP probe failed with statuscode: 400' },
    { name: 'a named port resolves to the container port', probe: () => ({ httpGet: { path: '/ok', port: 'web' } }), result: 'success', output: 'fine' },
    { name: 'a redirect to the same host is followed', probe: () => ({ httpGet: { path: '/same', port } }), result: 'success', output: 'fine' },
    { name: 'a redirect to another host is not followed: a warning', probe: () => ({ httpGet: { path: '/other', port } }), result: 'warning', output: 'Probe terminated redirects, Response body: moved' },
    { name: 'too many redirects fail', probe: () => ({ httpGet: { path: '/loop', port } }), result: 'failure', output: /stopped after 10 redirects$/ },
    { name: 'the body is read up to 10 KiB', probe: () => ({ httpGet: { path: '/big', port } }), result: 'success', output: 'x'.repeat(10 * 1024) },
    { name: 'a closed port fails with the dial error', probe: () => ({ httpGet: { path: '/ok', port: 1, host: '127.0.0.1' } }), result: 'failure', output: 'Get "http://127.0.0.1:1/ok": dial tcp 127.0.0.1:1: connect: connection refused' },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const out = await runAction(tc.probe(), ctx());
      assert.equal(out.result, tc.result);
      if (typeof tc.output === 'string') assert.equal(out.output, tc.output);
      else if (tc.output) assert.match(out.output, tc.output);
    });
  }

  it('sends kube-probe as User-Agent, Accept */* and the probe headers', async () => {
    seen.length = 0;
    await runAction({ httpGet: { path: '/ok', port, httpHeaders: [{ name: 'X-Custom', value: 'a' }, { name: 'X-Custom', value: 'b' }, { name: 'Host', value: 'example.test' }] } }, ctx());
    assert.equal(seen[0]['user-agent'], 'kube-probe/1.32');
    assert.equal(seen[0].accept, '*/*');
    assert.equal(seen[0]['x-custom'], 'a, b');
    assert.equal(seen[0].host, 'example.test');
    seen.length = 0;
    await runAction({ httpGet: { path: '/ok', port, httpHeaders: [{ name: 'user-agent', value: 'mine' }, { name: 'Accept', value: '' }] } }, ctx());
    assert.equal(seen[0]['user-agent'], 'mine');
    assert.equal(seen[0].accept, undefined);
  });

  it('fails at the timeout when the server does not answer', async () => {
    const clock = new FakeClock();
    hanging.length = 0;
    const pending = runAction({ httpGet: { path: '/hang', port }, timeoutSeconds: 3 }, ctx(clock));
    const deadline = Date.now() + 5000;
    while (hanging.length === 0 && Date.now() < deadline) await settle();
    clock.advance(2_999);
    await settle();
    clock.advance(1);
    const out = await pending;
    assert.equal(out.result, 'failure');
    assert.equal(out.output, `Get "http://127.0.0.1:${port}/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
  });

  it('builds the URL from scheme, host, port and a path with a query', () => {
    const r = httpGetRequest({ scheme: 'HTTPS', host: 'fd00::1', port: 8443, path: 'healthz?full=1' }, container, '10.0.0.1', 'probe');
    assert.equal(r.url.href, 'https://[fd00::1]:8443/healthz?full=1');
    assert.equal(httpGetRequest({ port: 80 }, container, '10.0.0.1', 'probe').url.href, 'http://10.0.0.1/');
    assert.throws(() => httpGetRequest({ port: 'nope' }, container, '10.0.0.1', 'probe'), /couldn't find port: nope/);
  });
});

describe('tcpSocket probe', () => {
  it('succeeds on an open port and fails on a closed one', async () => {
    assert.deepEqual(await runAction({ tcpSocket: { port } }, ctx()), { result: 'success', output: '' });
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const free = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    assert.deepEqual(await runAction({ tcpSocket: { port: free } }, ctx()), { result: 'failure', output: `dial tcp 127.0.0.1:${free}: connect: connection refused` });
  });

  it('resolves a named port', async () => {
    assert.equal((await runAction({ tcpSocket: { port: 'web' } }, ctx())).result, 'success');
  });
});

describe('grpc probe', () => {
  it('encodes the request and decodes the status', () => {
    assert.deepEqual(encodeHealthCheckRequest(''), Buffer.alloc(0));
    assert.deepEqual(encodeHealthCheckRequest('db'), Buffer.from([0x0a, 2, 0x64, 0x62]));
    assert.equal(decodeHealthCheckStatus(Buffer.from([0x08, 2])), 2);
    assert.equal(decodeHealthCheckStatus(Buffer.alloc(0)), 0);
  });

  it('succeeds on SERVING and fails with the status otherwise', async () => {
    const srv = new grpc.Server();
    const raw = (b: Buffer) => b;
    srv.addService(
      { Check: { path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } },
      { Check: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.from([0x08, call.request.length === 0 ? 1 : 2])) },
    );
    const gport = await new Promise<number>((resolve, reject) => srv.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    try {
      assert.deepEqual(await runAction({ grpc: { port: gport }, timeoutSeconds: 5 }, ctx()), { result: 'success', output: '' });
      assert.deepEqual(await runAction({ grpc: { port: gport, service: 'db' }, timeoutSeconds: 5 }, ctx()), { result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' });
    } finally {
      srv.forceShutdown();
    }
  });
});
