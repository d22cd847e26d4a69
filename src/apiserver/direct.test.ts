import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startTestServer, type TestServer } from './testing/fixture.js';
import { directHandler, closeDirect, type DirectSink } from './direct.js';
import { directTransport, inProcessTransport, type Transport, type TransportResponse } from '../client/transport.js';
import { ApiClient } from '../client/rest.js';

const admin = { name: 'system:kube-scheduler', groups: ['system:masters'] };
const big = `{"metadata":{"name":"big"},"data":{"x":"${'a'.repeat(3 * 1024 * 1024)}"}}`;

/** Requests whose answers must not depend on the transport; `$` is replaced by a per-run suffix. */
const cases: { name: string; method: string; path: string; body?: string; headers?: Record<string, string> }[] = [
  { name: 'version', method: 'GET', path: '/version' },
  { name: 'health', method: 'GET', path: '/healthz' },
  { name: 'discovery', method: 'GET', path: '/apis' },
  { name: 'get', method: 'GET', path: '/api/v1/namespaces/default' },
  { name: 'not found', method: 'GET', path: '/api/v1/namespaces/default/configmaps/none' },
  { name: 'unknown path', method: 'GET', path: '/nothing/here' },
  { name: 'create', method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: '{"metadata":{"name":"c$"},"data":{"a":"1"}}', headers: { 'Content-Type': 'application/json' } },
  { name: 'create yaml', method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: 'metadata:\n  name: y$\n', headers: { 'Content-Type': 'application/yaml' } },
  { name: 'conflict', method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: '{"metadata":{"name":"c$"}}', headers: { 'Content-Type': 'application/json' } },
  { name: 'bad json', method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: '{', headers: { 'Content-Type': 'application/json' } },
  { name: 'too large', method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: big, headers: { 'Content-Type': 'application/json' } },
  { name: 'unsupported patch', method: 'PATCH', path: '/api/v1/namespaces/default/configmaps/c$', body: '{}', headers: { 'Content-Type': 'text/plain' } },
  { name: 'merge patch', method: 'PATCH', path: '/api/v1/namespaces/default/configmaps/c$', body: '{"data":{"b":"2"}}', headers: { 'Content-Type': 'application/merge-patch+json' } },
  { name: 'table', method: 'GET', path: '/api/v1/namespaces/default/configmaps/c$', headers: { Accept: 'application/json;as=Table;g=meta.k8s.io;v=v1' } },
  { name: 'not acceptable', method: 'GET', path: '/api/v1/namespaces/default/configmaps/c$', headers: { Accept: 'application/xml' } },
  { name: 'delete', method: 'DELETE', path: '/api/v1/namespaces/default/configmaps/c$' },
  { name: 'method not allowed', method: 'PUT', path: '/api/v1/namespaces/default/pods/p/binding', body: '{}', headers: { 'Content-Type': 'application/json' } },
];

/** The parts of an answer that do not vary between runs. */
function normalize(r: TransportResponse, suffix: string): unknown {
  const text = r.body.toString('utf8').split(suffix).join('$');
  let body: unknown = text;
  try {
    body = JSON.parse(text, (k, v) => (['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'time'].includes(k) ? '*' : v));
  } catch { /* text */ }
  return { status: r.status, type: r.headers['content-type'], warning: r.headers.warning, body };
}

describe('direct transport', () => {
  let s: TestServer;
  let socket: Transport;
  let direct: Transport;
  before(async () => {
    s = await startTestServer();
    socket = inProcessTransport(() => s.server.connectInProcess(admin));
    direct = directTransport(s.server.directHandler(admin));
  });
  after(async () => {
    socket.close();
    direct.close();
    await s.close();
  });

  for (const c of cases) {
    test(`answers as the socket transport does: ${c.name}`, async () => {
      const run = (t: Transport, suffix: string) => t.request(c.method, c.path.replace('$', suffix), {
        headers: c.headers, body: c.body?.replace('$', suffix),
      }).then((r) => normalize(r, suffix));
      assert.deepEqual(await run(direct, 'direct'), await run(socket, 'socket'));
    });
  }

  test('streams watch events as they happen and ends when closed', async () => {
    const cms = new ApiClient(direct).kind('v1', 'ConfigMap');
    const start = await cms.list('default');
    const w = await cms.watch('default', { resourceVersion: start.metadata.resourceVersion });
    await cms.create('default', { metadata: { name: 'w1' } });
    await cms.patch('default', 'w1', { data: { k: 'v' } }, 'merge');
    const seen: string[] = [];
    for await (const ev of w) {
      seen.push(`${ev.type} ${ev.object.metadata?.name}`);
      if (seen.length === 2) break;
    }
    w.close();
    assert.deepEqual(seen, ['ADDED w1', 'MODIFIED w1']);
  });

  test('a watch that cannot start answers with its status', async () => {
    const stream = await direct.stream('/api/v1/namespaces/default/configmaps?watch=true&labelSelector=a%3D%3D%3Db');
    const lines: string[] = [];
    for await (const l of stream.lines) lines.push(l);
    const ref = await socket.stream('/api/v1/namespaces/default/configmaps?watch=true&labelSelector=a%3D%3D%3Db');
    const refLines: string[] = [];
    for await (const l of ref.lines) refLines.push(l);
    assert.equal(stream.status, ref.status);
    assert.deepEqual(lines, refLines);
  });

  test('an aborted request rejects with an AbortError', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(direct.request('GET', '/version', { signal: ac.signal }), { name: 'AbortError' });
  });

  test('closing the transport ends its open watches; it still serves later requests', async () => {
    const t = directTransport(s.server.directHandler(admin));
    const stream = await t.stream('/api/v1/namespaces/default/configmaps?watch=true');
    const drained = (async () => { for await (const _ of stream.lines) { /* the initial events */ } return 'ended'; })();
    t.close();
    assert.equal(await drained, 'ended');
    assert.equal((await t.request('GET', '/version')).status, 200);
  });
});

describe('directHandler', () => {
  /** A handler that records what the request carried and answers as `answer` says. */
  function recorder(answer: (req: IncomingMessage, res: ServerResponse, seen: string[]) => void) {
    const seen: string[] = [];
    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      seen.push(`${req.method} ${req.url} ${req.headers['x-test'] ?? ''}`);
      req.on('close', () => seen.push('req close'));
      res.on('close', () => seen.push('res close'));
      answer(req, res, seen);
    };
    return { handle, seen };
  }
  function sink() {
    const out = { status: 0, headers: {} as Record<string, unknown>, body: '', ended: false, error: undefined as Error | undefined };
    const s: DirectSink = {
      head: (status, headers) => { out.status = status; out.headers = headers; },
      data: (c) => { out.body += c.toString('utf8'); },
      end: (err) => { out.ended = true; out.error = err; },
      buffered: () => 0,
    };
    return { out, s };
  }
  const tick = () => new Promise((r) => setImmediate(r));

  test('hands the body over and collects status, headers and chunks', async () => {
    const { handle, seen } = recorder((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(201, { 'Content-Type': 'text/plain', 'X-Count': 2 });
        res.write('got ');
        res.end(Buffer.concat(chunks));
      });
    });
    const { out, s } = sink();
    handlerOf(handle)({ method: 'POST', url: '/x', headers: { 'x-test': 'yes' }, body: Buffer.from('hello') }, s);
    await tick();
    await tick();
    assert.deepEqual(out, { status: 201, headers: { 'content-type': 'text/plain', 'x-count': '2' }, body: 'got hello', ended: true, error: undefined });
    assert.deepEqual(seen, ['POST /x yes', 'res close', 'req close']);
  });

  test('an abort by the caller closes the request and the response; later writes go nowhere', async () => {
    let response: ServerResponse | undefined;
    const { handle, seen } = recorder((_req, res) => { response = res; res.writeHead(200); res.flushHeaders(); });
    const { out, s } = sink();
    const abort = handlerOf(handle)({ method: 'GET', url: '/watch', headers: {} }, s);
    abort();
    await tick();
    response!.write('late\n');
    response!.end();
    assert.deepEqual(seen, ['GET /watch ', 'req close', 'res close']);
    assert.equal(out.body, '');
    assert.equal(out.ended, false);
  });

  test('the server cuts off open exchanges with a reset connection', async () => {
    const open = new Set<() => void>();
    const { handle } = recorder((_req, res) => { res.writeHead(200); res.flushHeaders(); });
    const { out, s } = sink();
    directHandler(handle, {}, open)({ method: 'GET', url: '/watch', headers: {} }, s);
    closeDirect(open);
    assert.equal(out.ended, true);
    assert.equal((out.error as { code?: string }).code, 'ECONNRESET');
  });

  function handlerOf(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
    return directHandler(handle, {}, new Set());
  }
});
