import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../apimachinery/clock.js';
import type { ExecFn } from './action.js';
import {
  runHandler, runPreStopHook, type HookContext,
} from './lifecycle.js';

const settle = async () => { for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r)); };
const pod: Pod = { metadata: { name: 'web', namespace: 'default', uid: 'u1' }, spec: { containers: [] } };
const container: Container = { name: 'app', image: 'x' };
const exec = (exitCode: number, stdout = '', stderr = ''): ExecFn => async () => ({ exitCode, stdout: Buffer.from(stdout), stderr: Buffer.from(stderr) });
const ctx = (more: Partial<HookContext> = {}): HookContext => ({ pod, container, containerId: 'c1', podIP: '127.0.0.1', exec: exec(0), ...more });

let server: http.Server;
let port = 0;
const requests: { url?: string; ua?: string }[] = [];
before(async () => {
  server = http.createServer((req, res) => {
    requests.push({ url: req.url, ua: req.headers['user-agent'] });
    res.statusCode = req.url === '/fail' ? 500 : 200;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise((r) => server.close(r)));

describe('runHandler', () => {
  it('exec: exit 0 passes; another exit code fails with the kubelet message', async () => {
    assert.deepEqual(await runHandler({ exec: { command: ['true'] } }, ctx()), { ok: true });
    const r = await runHandler({ exec: { command: ['sh', '-c', 'exit 3'] } }, ctx({ exec: exec(3, 'out', 'bad') }));
    assert.deepEqual(r, {
      ok: false,
      message: `Exec lifecycle hook ([sh -c exit 3]) for Container "app" in Pod "web_default(u1)" failed - error: command 'sh -c exit 3' exited with 3: bad, message: "outbad"`,
    });
  });

  it('exec: a runtime error fails the hook', async () => {
    const r = await runHandler({ exec: { command: ['x'] } }, ctx({ exec: () => Promise.reject(new Error('container not running')) }));
    assert.equal(r.ok, false);
    assert.match((r as { message: string }).message, /failed - error: container not running, message: ""$/);
  });

  it('httpGet: any answer passes, sent as kube-lifecycle to the pod IP', async () => {
    requests.length = 0;
    assert.deepEqual(await runHandler({ httpGet: { path: '/hook', port } }, ctx()), { ok: true });
    assert.deepEqual(await runHandler({ httpGet: { path: '/fail', port } }, ctx()), { ok: true });
    assert.deepEqual(requests, [{ url: '/hook', ua: 'kube-lifecycle/1.32' }, { url: '/fail', ua: 'kube-lifecycle/1.32' }]);
  });

  it('httpGet: a connection error fails with the kubelet message', async () => {
    const r = await runHandler({ httpGet: { path: '/hook', port: 1 } }, ctx());
    assert.deepEqual(r, {
      ok: false,
      message: 'HTTP lifecycle hook (/hook) for Container "app" in Pod "web_default(u1)" failed - error: Get "http://127.0.0.1:1/hook": dial tcp 127.0.0.1:1: connect: connection refused',
    });
  });

  it('httpGet: HTTPS answered in plain HTTP is retried over HTTP', async () => {
    requests.length = 0;
    assert.deepEqual(await runHandler({ httpGet: { path: '/tls', port, scheme: 'HTTPS' } }, ctx()), { ok: true });
    assert.deepEqual(requests.map((r) => r.url), ['/tls']);
  });

  it('sleep: waits the seconds on the clock, fails when stopped first', async () => {
    const clock = new FakeClock();
    let done = false;
    const p = runHandler({ sleep: { seconds: 5 } }, ctx({ clock })).then((r) => { done = true; return r; });
    clock.advance(4_999);
    await settle();
    assert.equal(done, false);
    clock.advance(1);
    assert.deepEqual(await p, { ok: true });

    const ac = new AbortController();
    const q = runHandler({ sleep: { seconds: 5 } }, ctx({ clock, signal: ac.signal }));
    ac.abort();
    assert.deepEqual(await q, { ok: false, message: 'Sleep lifecycle hook (5) for Container "app" in Pod "web_default(u1)" failed - error: container terminated before sleep hook finished' });
  });

  it('an empty handler is invalid', async () => {
    assert.equal((await runHandler({}, ctx())).ok, false);
  });
});

describe('preStop', () => {
  it('waits at most the grace period and leaves at least two seconds', async () => {
    const clock = new FakeClock();
    const events: string[] = [];
    const p = runPreStopHook({ sleep: { seconds: 100 } }, ctx({ clock }), 10, (reason, message) => events.push(`${reason} ${message}`));
    clock.advance(10_000);
    assert.deepEqual(await p, { ok: false, remainingGraceSeconds: 2 });
    await settle();
    assert.deepEqual(events, ['FailedPreStopHook PreStopHook failed'], 'the sleep was cut short and reported');
  });

  it('returns the grace left after a hook that finished', async () => {
    const clock = new FakeClock();
    const p = runPreStopHook({ sleep: { seconds: 3 } }, ctx({ clock }), 30);
    clock.advance(3_000);
    assert.deepEqual(await p, { ok: true, remainingGraceSeconds: 27 });
  });

  it('reports a failed hook without its output', async () => {
    const events: string[] = [];
    const r = await runPreStopHook({ exec: { command: ['x'] } }, ctx({ clock: new FakeClock(), exec: exec(1, 'secret') }), 30, (reason, message) => events.push(`${reason} ${message}`));
    assert.deepEqual(r, { ok: false, remainingGraceSeconds: 30 });
    assert.deepEqual(events, ['FailedPreStopHook PreStopHook failed']);
  });
});
