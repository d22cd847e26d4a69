import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../apiserver/testing/fixture.js';
import { FakeClock } from '../../apimachinery/clock.js';
import { formatMicroTime } from '../../apimachinery/duration.js';
import { silentLogger } from '../../apimachinery/log.js';
import { ApiClient } from '../../client/rest.js';
import { inProcessTransport, type Transport } from '../../client/transport.js';
import { NodeLease, NODE_LEASE_NAMESPACE } from './lease.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = any;

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('node lease', () => {
  let s: TestServer;
  let client: ApiClient;
  const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));
  let failing = false;

  before(async () => {
    s = await startTestServer();
    const inner = inProcessTransport(() => s.server.connectInProcess({ name: 'system:node:n1', groups: ['system:masters'] }));
    // Lease calls fail while `failing` holds, as when the API server is out of reach.
    const transport: Transport = {
      request: (method, path, opts) => {
        if (failing && path.includes('/leases')) return Promise.reject(new Error('connection refused'));
        return inner.request(method, path, opts);
      },
      stream: (path, opts) => inner.stream(path, opts),
      close: () => inner.close(),
    };
    client = new ApiClient(transport);
  });

  after(async () => {
    client.close();
    await s.close();
  });

  const leases = () => client.kind<Obj>('coordination.k8s.io/v1', 'Lease');

  it('takes over a lease someone else changed, adding the node as its owner', async () => {
    await leases().create(NODE_LEASE_NAMESPACE, {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1' },
      spec: { holderIdentity: 'someone', leaseDurationSeconds: 15, renewTime: formatMicroTime(clock.now() - 60_000) },
    });
    const lease = new NodeLease({ client, clock, logger: silentLogger, nodeName: 'n1', nodeUid: () => 'uid-1' });
    const got = await lease.renew();
    assert.equal(got.spec?.holderIdentity, 'n1');
    assert.equal(got.spec?.leaseDurationSeconds, 40);
    assert.equal(got.spec?.renewTime, formatMicroTime(clock.now()));
    assert.deepEqual(got.metadata?.ownerReferences?.map((o) => o.uid), ['uid-1']);

    // A write by another party: the next renewal reads the lease again instead of failing.
    const current = await leases().get(NODE_LEASE_NAMESPACE, 'n1');
    await leases().update(NODE_LEASE_NAMESPACE, { ...current, metadata: { ...current.metadata, labels: { x: 'y' } } });
    clock.advance(1000);
    const again = await lease.renew();
    assert.equal(again.spec?.renewTime, formatMicroTime(clock.now()));
    assert.equal(again.metadata?.labels?.x, 'y');
  });

  it('retries failed renewals after 200 ms doubling to 7 s, then renews every 10 s again', async () => {
    // The waits the lease asks its clock for, in order.
    const waits: number[] = [];
    const recording = { now: () => clock.now(), setTimeout: (fn: () => void, ms: number) => { waits.push(ms); return clock.setTimeout(fn, ms); } };
    const lease = new NodeLease({ client, clock: recording, logger: silentLogger, nodeName: 'n1', nodeUid: () => 'uid-1' });
    const stop = new AbortController();
    failing = true;
    lease.start(stop.signal);
    for (let i = 0; i < 500 && waits.length < 8; i++) {
      await tick();
      clock.advance(100);
    }
    assert.deepEqual(waits.slice(0, 8), [200, 400, 800, 1600, 3200, 6400, 7000, 7000]);

    failing = false;
    const failures = waits.length;
    for (let i = 0; i < 200 && waits.length === failures; i++) {
      await tick();
      clock.advance(100);
    }
    assert.equal(waits.at(-1), 10_000);
    assert.equal((await leases().get(NODE_LEASE_NAMESPACE, 'n1')).spec.holderIdentity, 'n1');
    stop.abort();
    await lease.settled();
  });
});
