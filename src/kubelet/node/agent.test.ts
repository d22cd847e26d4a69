import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { startTestServer, type TestServer } from '../../apiserver/testing/fixture.js';
import { FakeClock } from '../../apimachinery/clock.js';
import { formatMicroTime } from '../../apimachinery/duration.js';
import { silentLogger } from '../../apimachinery/log.js';
import { ApiClient } from '../../client/rest.js';
import { inProcessTransport } from '../../client/transport.js';
import { nodeLifecycleController, TAINT_UNREACHABLE } from '../../controllers/nodelifecycle/index.js';
import { startControllerHarness } from '../../../test/support/controller-harness.js';
import { advanceUntil, tick } from '../../../test/support/fake-clock.js';
import type { RuntimeStatus } from './conditions.js';
import type { HostReader } from './host.js';
import { NodeStatusAgent, type NodeStatusAgentOptions } from './agent.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = any;

const host: HostReader = {
  readFile: async (p) => ({
    '/proc/meminfo': 'MemTotal:       16318712 kB\n',
    '/etc/machine-id': 'a1b2c3d4e5f60718293a4b5c6d7e8f90\n',
    '/proc/sys/kernel/random/boot_id': '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\n',
    '/etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
  } as Record<string, string>)[p],
  statfs: async () => ({ bsize: 4096, blocks: 25_000_000 }),
  cpuCount: () => 4,
  kernelRelease: () => '6.1.0-18-amd64',
  hostname: () => 'machine',
  arch: () => 'x64',
  networkInterfaces: () => ({ eth0: [{ address: '192.168.7.7', family: 'IPv4', internal: false } as NetworkInterfaceInfo] }),
};

/** Runs agents on one fake clock and stops them all at the end. */
function agents(client: () => ApiClient, clock: FakeClock) {
  const running: { stop: AbortController; done: Promise<void> }[] = [];
  return {
    start(over: Partial<NodeStatusAgentOptions> & { runtime?: () => RuntimeStatus } = {}) {
      const runtime = over.runtime ?? (() => ({ runtimeReady: true, networkReady: true, version: 'containerd://1.6.20' }));
      const agent = new NodeStatusAgent({
        client: client(), clock, logger: silentLogger, nodeName: 'node-a', dataDir: '/var/lib/kite', host,
        runtimeStatus: async () => runtime(),
        ...over,
      });
      const stop = new AbortController();
      const done = agent.start(stop.signal);
      const handle = { stop, done };
      running.push(handle);
      return { agent, stop: async () => { stop.abort(); await done; } };
    },
    async stopAll() {
      for (const r of running) r.stop.abort();
      await Promise.all(running.map((r) => r.done));
    },
  };
}

describe('node status agent', () => {
  let s: TestServer;
  let client: ApiClient;
  const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));
  const run = agents(() => client, clock);

  before(async () => {
    s = await startTestServer();
    client = new ApiClient(inProcessTransport(() => s.server.connectInProcess({ name: 'system:node:node-a', groups: ['system:masters'] })));
  });

  after(async () => {
    await run.stopAll();
    client.close();
    await s.close();
  });

  const nodes = () => client.kind<Obj>('v1', 'Node');
  const leases = () => client.kind<Obj>('coordination.k8s.io/v1', 'Lease');
  const readyOf = (n: Obj) => n.status.conditions.find((c: Obj) => c.type === 'Ready');

  /** Moves the fake clock `stepMs` at a time, letting writes land, until `check` holds. */
  const until = <T>(check: () => Promise<T | undefined | false>, stepMs = 1000, rounds?: number) => advanceUntil(clock, check, stepMs, rounds);

  const events: string[] = [];
  const recorder = { event: (obj: Obj, type: string, reason: string, message: string) => { events.push(`${obj.metadata.name} ${type} ${reason}: ${message}`); } };
  let runtime: RuntimeStatus = { runtimeReady: true, networkReady: true, version: 'containerd://1.6.20' };
  let agentA: NodeStatusAgent;
  let stopA: () => Promise<void>;

  it('registers the node with capacity, identity, labels, taints, conditions and a lease', async () => {
    ({ agent: agentA, stop: stopA } = run.start({
      runtime: () => runtime,
      recorder,
      labels: { 'node-role.kubernetes.io/control-plane': 'true' },
      taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }],
      kubeletVersion: 'v1.32.0+kite0.1.0',
      images: async () => [{ names: ['kite/pause:3.10'], sizeBytes: 700_000 }, { names: ['kite/httpd:1'], sizeBytes: 5_000_000 }],
    }));
    await agentA.ready;
    const n = await nodes().get(undefined, 'node-a');
    assert.equal(agentA.node()?.metadata?.uid, n.metadata.uid);
    assert.deepEqual(n.status.capacity, {
      cpu: '4', 'ephemeral-storage': '100000000Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16318712Ki', pods: '110',
    });
    assert.equal(n.status.allocatable.memory, '16216312Ki');
    assert.equal(n.status.allocatable['ephemeral-storage'], '90000000Ki');
    assert.deepEqual(n.status.nodeInfo, {
      machineID: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', systemUUID: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      bootID: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', kernelVersion: '6.1.0-18-amd64', osImage: 'Debian GNU/Linux 12 (bookworm)',
      containerRuntimeVersion: 'containerd://1.6.20', kubeletVersion: 'v1.32.0+kite0.1.0', kubeProxyVersion: 'v1.32.0+kite0.1.0',
      operatingSystem: 'linux', architecture: 'amd64',
    });
    assert.deepEqual(n.status.addresses, [{ type: 'InternalIP', address: '192.168.7.7' }, { type: 'Hostname', address: 'node-a' }]);
    assert.deepEqual(n.status.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
    assert.deepEqual(n.status.images.map((i: Obj) => i.names[0]), ['kite/httpd:1', 'kite/pause:3.10']);
    assert.deepEqual(n.status.conditions.map((c: Obj) => `${c.type}=${c.status}`), ['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
    assert.equal(readyOf(n).reason, 'KubeletReady');
    for (const [k, v] of Object.entries({
      'kubernetes.io/hostname': 'node-a', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64', 'node-role.kubernetes.io/control-plane': 'true',
    })) assert.equal(n.metadata.labels[k], v, k);
    assert.deepEqual(n.spec.taints, [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }]);
    assert.equal(n.spec.podCIDR, undefined);
    assert.equal(n.spec.providerID, undefined);

    const lease = await until(async () => leases().get('kube-node-lease', 'node-a').catch(() => undefined), 10);
    assert.equal(lease.spec.holderIdentity, 'node-a');
    assert.equal(lease.spec.leaseDurationSeconds, 40);
    assert.deepEqual(lease.metadata.ownerReferences.map((o: Obj) => [o.apiVersion, o.kind, o.name, o.uid]), [['v1', 'Node', 'node-a', n.metadata.uid]]);
  });

  it('renews the lease every 10 s on the clock', async () => {
    const renewTime = async () => (await leases().get('kube-node-lease', 'node-a')).spec.renewTime as string;
    const first = await renewTime();
    const second = await until(async () => { const t = await renewTime(); return t !== first && t; }, 1000, 15);
    const third = await until(async () => { const t = await renewTime(); return t !== second && t; }, 1000, 15);
    assert.equal(Date.parse(third) - Date.parse(second), 10_000);
  });

  it('posts nothing within the report period while nothing changed, and a heartbeat when it is up', async () => {
    const rv = (await nodes().get(undefined, 'node-a')).metadata.resourceVersion;
    const { lastHeartbeatTime: heartbeat, lastTransitionTime: transition } = readyOf(await nodes().get(undefined, 'node-a'));
    for (let i = 0; i < 6; i++) {
      clock.advance(10_000);
      await tick();
    }
    assert.equal((await nodes().get(undefined, 'node-a')).metadata.resourceVersion, rv);
    const n = await until(async () => {
      const n = await nodes().get(undefined, 'node-a');
      return readyOf(n).lastHeartbeatTime !== heartbeat && n;
    }, 10_000, 40);
    assert.equal(readyOf(n).status, 'True');
    assert.equal(readyOf(n).lastTransitionTime, transition);
  });

  it('turns Ready False with the runtime\'s problem, and True again', async () => {
    const transition = readyOf(await nodes().get(undefined, 'node-a')).lastTransitionTime;
    runtime = { runtimeReady: true, networkReady: false, reason: 'NetworkPluginNotReady', message: 'Network plugin returns error: cni plugin not initialized' };
    const down = await until(async () => {
      const n = await nodes().get(undefined, 'node-a');
      return readyOf(n).status === 'False' && readyOf(n);
    });
    assert.equal(down.reason, 'KubeletNotReady');
    assert.equal(down.message, 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized');
    assert.notEqual(down.lastTransitionTime, transition);

    runtime = { runtimeReady: true, networkReady: true, version: 'containerd://1.6.20' };
    agentA.requestStatusUpdate();
    const up = await until(async () => {
      const n = await nodes().get(undefined, 'node-a');
      return readyOf(n).status === 'True' && readyOf(n);
    }, 0, 200);
    assert.equal(up.reason, 'KubeletReady');
    assert.deepEqual(events.filter((e) => /NodeReady|NodeNotReady/.test(e)), [
      'node-a Normal NodeReady: Node node-a status is now: NodeReady',
      'node-a Normal NodeNotReady: Node node-a status is now: NodeNotReady',
      'node-a Normal NodeReady: Node node-a status is now: NodeReady',
    ]);
  });

  it('keeps conditions others set', async () => {
    await nodes().patch(undefined, 'node-a', {
      status: { conditions: [{ type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated', message: 'routes are in place' }] },
    }, 'strategic', { subresource: 'status' });
    runtime = { runtimeReady: false, networkReady: true };
    const n = await until(async () => {
      const n = await nodes().get(undefined, 'node-a');
      return readyOf(n).status === 'False' && n;
    });
    assert.equal(readyOf(n).message, 'container runtime is down');
    assert.ok(n.status.conditions.some((c: Obj) => c.type === 'NetworkUnavailable' && c.reason === 'RouteCreated'));
    runtime = { runtimeReady: true, networkReady: true, version: 'containerd://1.6.20' };
  });

  it('puts right a Ready condition someone else changed on the next round', async () => {
    const n = await nodes().get(undefined, 'node-a');
    n.status.conditions = n.status.conditions.map((c: Obj) => (c.type === 'Ready'
      ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' } : c));
    await nodes().updateStatus(undefined, n);
    const fixed = await until(async () => {
      const r = readyOf(await nodes().get(undefined, 'node-a'));
      return r.status === 'True' && r;
    }, 1000, 15);
    assert.equal(fixed.reason, 'KubeletReady');
  });

  it('takes over an existing node, keeping user labels and taints and restoring its own labels', async () => {
    await stopA();
    await nodes().patch(undefined, 'node-a', {
      metadata: { labels: { team: 'storage', 'kubernetes.io/arch': 'arm64' } },
      spec: { taints: [{ key: 'maintenance', effect: 'NoSchedule' }] },
    }, 'merge');
    const uid = (await nodes().get(undefined, 'node-a')).metadata.uid;
    const { agent } = run.start({ labels: { 'node-role.kubernetes.io/control-plane': 'true' }, taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] });
    await agent.ready;
    const n = await nodes().get(undefined, 'node-a');
    assert.equal(n.metadata.uid, uid);
    assert.equal(n.metadata.labels.team, 'storage');
    assert.equal(n.metadata.labels['kubernetes.io/arch'], 'amd64');
    assert.equal(n.metadata.labels['node-role.kubernetes.io/control-plane'], 'true');
    assert.deepEqual(n.spec.taints, [{ key: 'maintenance', effect: 'NoSchedule' }]);
    assert.equal(readyOf(n).status, 'True');
  });

  it('registers the node again when it is deleted', async () => {
    const uid = (await nodes().get(undefined, 'node-a')).metadata.uid;
    await nodes().delete(undefined, 'node-a');
    const n = await until(async () => nodes().get(undefined, 'node-a').catch(() => undefined), 10_000, 40);
    assert.notEqual(n.metadata.uid, uid);
    assert.equal(n.metadata.labels['kubernetes.io/hostname'], 'node-a');
  });

  it('lists the host\'s interfaces for its address at most once a minute, and reports a new address after that', async () => {
    let address = '192.168.7.8';
    let listed = 0;
    const counting: HostReader = {
      ...host,
      networkInterfaces: () => {
        listed++;
        return { eth0: [{ address, family: 'IPv4', internal: false } as NetworkInterfaceInfo] };
      },
    };
    const { agent, stop } = run.start({ nodeName: 'node-c', hostname: 'node-c', host: counting });
    try {
      await agent.ready;
      const internalIP = async () => (await nodes().get(undefined, 'node-c')).status.addresses.find((a: Obj) => a.type === 'InternalIP')?.address;
      assert.equal(await internalIP(), '192.168.7.8');
      const before = listed;
      // Status rounds asked for often (as the runtime relist does while pods start) reuse the address.
      for (let i = 0; i < 20; i++) {
        agent.requestStatusUpdate();
        clock.advance(1000);
        await tick();
      }
      assert.ok(listed - before <= 1, `interfaces listed ${listed - before} times in 20 s`);
      address = '192.168.7.9';
      assert.equal(await until(async () => (await internalIP()) === '192.168.7.9', 10_000, 12), true);
    } finally {
      await stop();
    }
  });
});

describe('node status agent with the node lifecycle controller', () => {
  it('keeps the node Ready while it runs; the node goes Unknown once it stops', async () => {
    const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));
    const h = await startControllerHarness({
      controllers: [nodeLifecycleController], clock, namespaces: ['kube-node-lease'],
      options: { nodeMonitorGracePeriodSeconds: 40 },
    });
    const run = agents(() => h.client, clock);
    try {
      const { agent, stop } = run.start({ nodeName: 'node-b', hostname: 'node-b' });
      await agent.ready;
      const nodes = h.client.kind<Obj>('v1', 'Node');
      const ready = async () => (await nodes.get(undefined, 'node-b')).status.conditions.find((c: Obj) => c.type === 'Ready');
      // Three minutes, a second at a time: well past the 40 s grace period, the node stays Ready.
      for (let i = 0; i < 180; i++) {
        clock.advance(1000);
        await tick();
      }
      assert.equal((await ready()).status, 'True');
      const n = await nodes.get(undefined, 'node-b');
      assert.ok(!(n.spec.taints ?? []).some((t: Obj) => t.key === TAINT_UNREACHABLE));

      await stop();
      for (let i = 0; i < 400 && (await ready()).status !== 'Unknown'; i++) {
        clock.advance(1000);
        await tick();
      }
      assert.equal((await ready()).status, 'Unknown');
    } finally {
      await run.stopAll();
      await h.close();
    }
  });
});
