import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { advanceUntil, tick } from '../../../test/support/fake-clock.js';
import { startTestServer, type TestServer } from '../../apiserver/testing/fixture.js';
import { FakeClock, realClock } from '../../apimachinery/clock.js';
import { formatMicroTime } from '../../apimachinery/duration.js';
import { isNotFound } from '../../client/errors.js';
import { ApiClient } from '../../client/rest.js';
import { inProcessTransport } from '../../client/transport.js';
import { CONTAINER_RUNTIME_VERSION, KUBELET_VERSION, RUN_MS_ANNOTATION, SimulatedNodes, ZONE_LABEL } from './index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = any;

describe('simulated nodes', () => {
  let s: TestServer;
  let client: ApiClient;
  const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));
  let sim: SimulatedNodes;
  const stop = new AbortController();
  let running: Promise<void>;

  before(async () => {
    s = await startTestServer();
    client = new ApiClient(inProcessTransport(() => s.server.connectInProcess({ name: 'system:node-simulator', groups: ['system:masters'] })));
    sim = new SimulatedNodes({ client, clock, nodes: { count: 5, namePrefix: 'sim-', zones: ['a', 'b'] } });
    running = sim.start(stop.signal);
    await sim.ready;
  });

  after(async () => {
    stop.abort();
    await running;
    client.close();
    await s.close();
  });

  const nodes = () => client.kind<Obj>('v1', 'Node');
  const pods = () => client.kind<Obj>('v1', 'Pod');
  const leases = () => client.kind<Obj>('coordination.k8s.io/v1', 'Lease');

  /** Moves the fake clock `stepMs` at a time, letting the writes land, until `check` holds. */
  const until = <T>(check: () => Promise<T | undefined | false>, stepMs = 50, rounds?: number) => advanceUntil(clock, check, stepMs, rounds);

  it('registers every node Ready, with node info, labels and a lease', async () => {
    const list = await nodes().list(undefined, { labelSelector: 'type=kite-sim' });
    assert.deepEqual(list.items.map((n: Obj) => n.metadata.name).sort(), ['sim-0', 'sim-1', 'sim-2', 'sim-3', 'sim-4']);
    for (const n of list.items) {
      const ready = n.status.conditions.find((c: Obj) => c.type === 'Ready');
      assert.equal(ready.status, 'True');
      assert.ok(ready.lastHeartbeatTime);
      const info = n.status.nodeInfo;
      for (const f of ['machineID', 'systemUUID', 'bootID', 'kernelVersion', 'osImage', 'containerRuntimeVersion',
        'kubeletVersion', 'kubeProxyVersion', 'operatingSystem', 'architecture']) assert.ok(info[f], `nodeInfo.${f}`);
      assert.equal(info.kubeletVersion, KUBELET_VERSION);
      assert.equal(info.containerRuntimeVersion, CONTAINER_RUNTIME_VERSION);
      assert.equal(n.metadata.labels['kubernetes.io/hostname'], n.metadata.name);
      assert.equal(n.metadata.labels['kubernetes.io/os'], 'linux');
      assert.ok(n.metadata.labels['node.kubernetes.io/instance-type']);
      assert.ok(n.status.addresses.some((a: Obj) => a.type === 'InternalIP'));
      assert.equal(n.status.capacity.pods, '110');
    }
    const zones = list.items.map((n: Obj) => n.metadata.labels[ZONE_LABEL]).sort();
    assert.deepEqual(zones, ['a', 'a', 'a', 'b', 'b']);
    const ls = await leases().list('kube-node-lease');
    assert.equal(ls.items.length, 5);
  });

  it('renews every lease each period on the clock', async () => {
    const before = await leases().get('kube-node-lease', 'sim-0');
    const next = formatMicroTime(clock.now() + 10_000);
    assert.notEqual(before.spec.renewTime, next);
    clock.advance(10_000);
    await until(async () => {
      const ls = await leases().list('kube-node-lease');
      return ls.items.every((l: Obj) => l.spec.renewTime === next);
    }, 0);
  });

  it('starts a pod bound to one of its nodes: Running, with a pod IP from the node range', async () => {
    await pods().create('default', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' },
      spec: { nodeName: 'sim-1', containers: [{ name: 'c', image: 'nginx' }] },
    });
    const pod = await until(async () => {
      const p = await pods().get('default', 'web');
      return p.status?.phase === 'Running' ? p : undefined;
    });
    assert.match(pod.status.podIP, /^10\.42\.1\.\d+$/);
    assert.ok(pod.status.hostIP);
    assert.ok(pod.status.startTime);
    for (const t of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']) {
      assert.equal(pod.status.conditions.find((c: Obj) => c.type === t)?.status, 'True', t);
    }
    const cs = pod.status.containerStatuses[0];
    assert.equal(cs.name, 'c');
    assert.equal(cs.ready, true);
    assert.equal(cs.started, true);
    assert.equal(cs.restartCount, 0);
    assert.equal(cs.image, 'nginx');
    assert.ok(cs.imageID);
    assert.ok(cs.state.running.startedAt);
  });

  it('leaves pods on other nodes alone', async () => {
    await pods().create('default', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'elsewhere' },
      spec: { nodeName: 'real-node', containers: [{ name: 'c', image: 'nginx' }] },
    });
    await until(async () => (await pods().get('default', 'web')).status.phase === 'Running');
    for (let i = 0; i < 10; i++) {
      clock.advance(100);
      await tick();
    }
    assert.equal((await pods().get('default', 'elsewhere')).status.phase, 'Pending');
  });

  it('finishes a graceful deletion: the pod is removed', async () => {
    await pods().delete('default', 'web');
    await until(async () => {
      try {
        await pods().get('default', 'web');
        return false;
      } catch (err) {
        return isNotFound(err);
      }
    });
  });

  it('ends a finite pod Succeeded after its run time', async () => {
    await pods().create('default', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'task', annotations: { [RUN_MS_ANNOTATION]: '3000' } },
      spec: { nodeName: 'sim-2', restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
    });
    await until(async () => (await pods().get('default', 'task')).status?.phase === 'Running');
    const pod = await until(async () => {
      const p = await pods().get('default', 'task');
      return p.status?.phase === 'Succeeded' ? p : undefined;
    }, 500);
    const term = pod.status.containerStatuses[0].state.terminated;
    assert.equal(term.exitCode, 0);
    assert.equal(term.reason, 'Completed');
    assert.equal(pod.status.conditions.find((c: Obj) => c.type === 'Ready')?.status, 'False');
  });

  it('registers 1,000 nodes', { timeout: 120_000 }, async () => {
    const bulkStop = new AbortController();
    const bulk = new SimulatedNodes({ client, clock: realClock, nodes: { count: 1000, namePrefix: 'bulk-' }, concurrency: 64 });
    const run = bulk.start(bulkStop.signal);
    try {
      await bulk.ready;
      const names = new Set<string>();
      let cont: string | undefined;
      do {
        const page = await nodes().list(undefined, { labelSelector: 'type=kite-sim', limit: 500, continue: cont });
        for (const n of page.items) names.add(n.metadata.name);
        cont = page.metadata.continue || undefined;
      } while (cont);
      for (let i = 0; i < 1000; i++) assert.ok(names.has(`bulk-${i}`), `bulk-${i}`);
    } finally {
      bulkStop.abort();
      await run;
    }
  });
});
