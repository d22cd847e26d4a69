import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../apiserver/testing/fixture.js';
import { FakeClock } from '../apimachinery/clock.js';
import { inProcessTransport, type Transport } from './transport.js';
import { ApiClient } from './rest.js';
import { runLeaderElection, type Lease, type LeaderElectionOptions } from './leaderelection.js';

const user = { name: 'system:kube-controller-manager', groups: ['system:masters'] };
let leaseCounter = 0;

/** One candidate: whether it leads now, how many terms it started, and how to stop it. */
interface Candidate {
  identity: string;
  leading: boolean;
  terms: number;
  stopped: number;
  abort: AbortController;
  done: Promise<void>;
}

describe('runLeaderElection', () => {
  let s: TestServer;
  let client: ApiClient;
  before(async () => {
    s = await startTestServer();
    client = new ApiClient(inProcessTransport(() => s.server.connectInProcess(user)));
  });
  after(async () => {
    client.close();
    await s.close();
  });

  const leases = () => client.kind<Lease>('coordination.k8s.io/v1', 'Lease');

  function candidate(clock: FakeClock, name: string, identity: string, extra: Partial<LeaderElectionOptions> = {}): Candidate {
    const abort = new AbortController();
    const c: Candidate = { identity, leading: false, terms: 0, stopped: 0, abort, done: Promise.resolve() };
    c.done = runLeaderElection({
      client, clock, namespace: 'kube-system', name, identity, signal: abort.signal,
      onStartedLeading: (signal) => {
        c.leading = true;
        c.terms++;
        return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      },
      onStoppedLeading: () => {
        c.leading = false;
        c.stopped++;
      },
      ...extra,
    });
    return c;
  }

  /** Advances the fake clock a step at a time, letting requests finish between steps, until `cond` holds. */
  async function advanceUntil(clock: FakeClock, cond: () => boolean | Promise<boolean>, stepMs = 500, maxSteps = 200): Promise<number> {
    const start = clock.now();
    for (let i = 0; i < maxSteps; i++) {
      await settle();
      if (await cond()) return clock.now() - start;
      clock.advance(stepMs);
    }
    throw new Error('condition not met within the allowed fake time');
  }

  /** Lets in-flight requests and the promise chains after them run. */
  async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5));
  }

  async function advanceFor(clock: FakeClock, ms: number, stepMs = 500): Promise<void> {
    for (let t = 0; t < ms; t += stepMs) {
      clock.advance(stepMs);
      await settle();
    }
  }

  test('exactly one of two candidates leads, and the lease names it', async () => {
    const clock = new FakeClock(Date.parse('2024-01-01T00:00:00Z'));
    const name = `lease-${++leaseCounter}`;
    const a = candidate(clock, name, 'a');
    const b = candidate(clock, name, 'b');
    await advanceUntil(clock, () => a.leading || b.leading);
    await advanceFor(clock, 20_000);
    assert.equal([a, b].filter((c) => c.leading).length, 1);
    const leader = a.leading ? a : b;
    const lease = await leases().get('kube-system', name);
    assert.equal(lease.spec?.holderIdentity, leader.identity);
    assert.equal(lease.spec?.leaseDurationSeconds, 15);
    assert.equal(lease.spec?.leaseTransitions, 0);
    assert.match(lease.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.match(lease.spec?.acquireTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    // Renewals moved renewTime on while acquireTime stayed.
    assert.ok(Date.parse(lease.spec!.renewTime!) > Date.parse(lease.spec!.acquireTime!));
    assert.equal(leader.terms, 1);
    a.abort.abort();
    b.abort.abort();
    await Promise.all([a.done, b.done]);
  });

  test('a second candidate takes over once the leader has not renewed for the lease duration', async () => {
    const clock = new FakeClock(Date.parse('2024-01-01T00:00:00Z'));
    const name = `lease-${++leaseCounter}`;
    const a = candidate(clock, name, 'a', { releaseOnCancel: false });
    await advanceUntil(clock, () => a.leading);
    const b = candidate(clock, name, 'b');
    await advanceFor(clock, 4_000);
    assert.equal(b.leading, false);
    // The leader stops renewing (without releasing); the lease runs out 15 s after the last renewal.
    a.abort.abort();
    await a.done;
    assert.equal(a.stopped, 1);
    const stoppedAt = clock.now();
    await advanceUntil(clock, () => b.leading);
    assert.ok(clock.now() - stoppedAt >= 13_000, `took over after ${clock.now() - stoppedAt} ms`);
    const lease = await leases().get('kube-system', name);
    assert.equal(lease.spec?.holderIdentity, 'b');
    assert.equal(lease.spec?.leaseTransitions, 1);
    b.abort.abort();
    await b.done;
  });

  test('a leader that stops releases the lease, so the next candidate takes over at once', async () => {
    const clock = new FakeClock(Date.parse('2024-01-01T00:00:00Z'));
    const name = `lease-${++leaseCounter}`;
    const a = candidate(clock, name, 'a');
    await advanceUntil(clock, () => a.leading);
    const b = candidate(clock, name, 'b');
    await advanceFor(clock, 2_000);
    a.abort.abort();
    await a.done;
    const released = await leases().get('kube-system', name);
    assert.equal(released.spec?.holderIdentity, undefined);
    const waited = await advanceUntil(clock, () => b.leading);
    assert.ok(waited < 15_000, `waited ${waited} ms`);
    b.abort.abort();
    await b.done;
    // b released as well.
    assert.equal((await leases().get('kube-system', name)).spec?.holderIdentity, undefined);
  });

  test('a write between read and update is a conflict: the leader retries and keeps the lease', async () => {
    const clock = new FakeClock(Date.parse('2024-01-01T00:00:00Z'));
    const name = `lease-${++leaseCounter}`;
    const base = inProcessTransport(() => s.server.connectInProcess(user));
    let interfere = false;
    let conflicts = 0;
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`;
    // Before the leader's next PUT lands, someone else updates the lease (an annotation only).
    const transport: Transport = {
      async request(method, p, o) {
        if (interfere && method === 'PUT' && p.startsWith(path)) {
          interfere = false;
          await leases().patch('kube-system', name, { metadata: { annotations: { touched: 'yes' } } }, 'merge');
          const res = await base.request(method, p, o);
          if (res.status === 409) conflicts++;
          return res;
        }
        return base.request(method, p, o);
      },
      stream: (p, o) => base.stream(p, o),
      close: () => base.close(),
    };
    const own = new ApiClient(transport);
    const a = candidate(clock, name, 'a', { client: own });
    await advanceUntil(clock, () => a.leading);
    const before = (await leases().get('kube-system', name)).spec!.renewTime!;
    interfere = true;
    await advanceUntil(clock, () => conflicts === 1);
    await advanceUntil(clock, async () => (await leases().get('kube-system', name)).spec!.renewTime! !== before);
    assert.equal(a.leading, true);
    assert.equal(a.terms, 1);
    const lease = await leases().get('kube-system', name);
    assert.equal(lease.spec?.holderIdentity, 'a');
    assert.equal(lease.metadata?.annotations?.touched, 'yes');
    a.abort.abort();
    await a.done;
    own.close();
  });

  test('a leader steps down when another holder took the lease', async () => {
    const clock = new FakeClock(Date.parse('2024-01-01T00:00:00Z'));
    const name = `lease-${++leaseCounter}`;
    const a = candidate(clock, name, 'a');
    await advanceUntil(clock, () => a.leading);
    const lease = await leases().get('kube-system', name);
    const renewTime = new Date(clock.now()).toISOString().replace('Z', '000Z');
    await leases().update('kube-system', { ...lease, spec: { ...lease.spec, holderIdentity: 'intruder', renewTime } });
    await advanceUntil(clock, () => !a.leading);
    assert.equal(a.stopped, 1);
    a.abort.abort();
    await a.done;
    // Not ours, so not released.
    assert.equal((await leases().get('kube-system', name)).spec?.holderIdentity, 'intruder');
  });

  test('a leader that cannot renew for the renew deadline steps down, then campaigns again', async () => {
    const clock = new FakeClock(Date.parse('2024-01-01T00:00:00Z'));
    const name = `lease-${++leaseCounter}`;
    const base = inProcessTransport(() => s.server.connectInProcess(user));
    let failing = false;
    const transport: Transport = {
      request: async (method, p, o) => {
        if (failing) return { status: 503, headers: {}, body: Buffer.from('unavailable') };
        return base.request(method, p, o);
      },
      stream: (p, o) => base.stream(p, o),
      close: () => base.close(),
    };
    const own = new ApiClient(transport);
    const a = candidate(clock, name, 'a', { client: own });
    await advanceUntil(clock, () => a.leading);
    failing = true;
    const lost = await advanceUntil(clock, () => !a.leading);
    assert.ok(lost <= 11_000, `stepped down after ${lost} ms`);
    failing = false;
    await advanceUntil(clock, () => a.leading);
    assert.equal(a.terms, 2);
    a.abort.abort();
    await a.done;
    own.close();
  });
});
