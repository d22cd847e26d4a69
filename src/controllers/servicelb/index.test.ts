import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../apimachinery/object.js';
import { eventually } from '../../apiserver/testing/fixture.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.js';
import { ENABLE_LB_LABEL, REASON_DELETED, REASON_ENSURED, REASON_UPDATED, serviceLBController } from './index.js';

type Obj = KubeObject & Record<string, any>;

const NS = 'lb';

async function harness(t: TestContext): Promise<ControllerHarness> {
  const h = await startControllerHarness({ controllers: [serviceLBController], namespaces: [NS], options: { workers: 1 } });
  t.after(() => h.close());
  return h;
}

async function addNode(h: ControllerHarness, name: string, ip: string, opts: { ready?: boolean; unschedulable?: boolean; labels?: Record<string, string> } = {}): Promise<void> {
  const nodes = h.client.kind<Obj>('v1', 'Node');
  await nodes.create(undefined, {
    apiVersion: 'v1', kind: 'Node', metadata: { name, labels: opts.labels ?? {} }, spec: opts.unschedulable ? { unschedulable: true } : {},
  });
  await setNodeStatus(h, name, ip, opts.ready ?? true);
}

async function setNodeStatus(h: ControllerHarness, name: string, ip: string, ready: boolean): Promise<void> {
  await h.client.kind<Obj>('v1', 'Node').patch(undefined, name, {
    status: {
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }],
    },
  }, 'merge', { subresource: 'status' });
}

const services = (h: ControllerHarness) => h.client.kind<Obj>('v1', 'Service');

async function createService(h: ControllerHarness, name: string, spec: Record<string, unknown> = {}): Promise<void> {
  await services(h).create(NS, {
    apiVersion: 'v1', kind: 'Service', metadata: { name },
    spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ name: 'http', port: 80 }], ...spec },
  });
}

const ingressIPs = async (h: ControllerHarness, name: string): Promise<string> =>
  ((await services(h).get(NS, name)).status?.loadBalancer?.ingress ?? []).map((i: { ip: string }) => i.ip).join(',');

describe('service load balancer controller', () => {
  it('gives a LoadBalancer service the address of every ready, schedulable node', async (t) => {
    const h = await harness(t);
    await addNode(h, 'b', '10.0.0.2');
    await addNode(h, 'a', '10.0.0.1');
    await addNode(h, 'down', '10.0.0.3', { ready: false });
    await addNode(h, 'cordoned', '10.0.0.4', { unschedulable: true });
    await createService(h, 'web');

    await eventually(async () => (await ingressIPs(h, 'web')) === '10.0.0.1,10.0.0.2');
    const svc = await services(h).get(NS, 'web');
    assert.deepEqual(svc.status.loadBalancer.ingress[0], { ip: '10.0.0.1', ipMode: 'VIP', ports: [{ port: 80, protocol: 'TCP' }] });
    assert.ok(h.events.some((e) => e.name === 'web' && e.reason === REASON_ENSURED));

    // A node turning ready joins; one going NotReady leaves.
    await setNodeStatus(h, 'down', '10.0.0.3', true);
    await eventually(async () => (await ingressIPs(h, 'web')) === '10.0.0.1,10.0.0.2,10.0.0.3');
    await setNodeStatus(h, 'a', '10.0.0.1', false);
    await eventually(async () => (await ingressIPs(h, 'web')) === '10.0.0.2,10.0.0.3');
    assert.ok(h.events.some((e) => e.name === 'web' && e.reason === REASON_UPDATED && e.message.includes('[10.0.0.1 10.0.0.2 10.0.0.3] -> [10.0.0.2 10.0.0.3]')));
  });

  it('uses only nodes labelled enablelb=true once any node carries the label', async (t) => {
    const h = await harness(t);
    await addNode(h, 'a', '10.0.0.1');
    await addNode(h, 'b', '10.0.0.2');
    await createService(h, 'web');
    await eventually(async () => (await ingressIPs(h, 'web')) === '10.0.0.1,10.0.0.2');

    await h.client.kind<Obj>('v1', 'Node').patch(undefined, 'b', { metadata: { labels: { [ENABLE_LB_LABEL]: 'true' } } }, 'merge');
    await eventually(async () => (await ingressIPs(h, 'web')) === '10.0.0.2');
  });

  it('leaves a service with a loadBalancerClass alone', async (t) => {
    const h = await harness(t);
    await addNode(h, 'a', '10.0.0.1');
    await createService(h, 'other', { loadBalancerClass: 'example.com/lb' });
    await createService(h, 'web');
    // Reconciles run one at a time in queue order: once the later service is done, so is the first.
    await eventually(async () => (await ingressIPs(h, 'web')) === '10.0.0.1');
    assert.equal(await ingressIPs(h, 'other'), '');
    assert.ok(!h.events.some((e) => e.name === 'other'));
  });

  it('clears the ingress of a service changed back to ClusterIP', async (t) => {
    const h = await harness(t);
    await addNode(h, 'a', '10.0.0.1');
    await createService(h, 'web');
    await eventually(async () => (await ingressIPs(h, 'web')) === '10.0.0.1');

    const svc = await services(h).get(NS, 'web');
    svc.spec.type = 'ClusterIP';
    for (const p of svc.spec.ports) delete p.nodePort;
    delete svc.spec.externalTrafficPolicy;
    delete svc.spec.allocateLoadBalancerNodePorts;
    await services(h).update(NS, svc);
    await eventually(async () => (await ingressIPs(h, 'web')) === '');
    assert.ok(h.events.some((e) => e.name === 'web' && e.reason === REASON_DELETED));
  });

  it('writes nothing when the ingress is already right', async (t) => {
    const h = await harness(t);
    await addNode(h, 'a', '10.0.0.1');
    await createService(h, 'web');
    await eventually(async () => (await ingressIPs(h, 'web')) === '10.0.0.1');
    const events = h.events.length;

    // A service change and a node heartbeat both get the service looked at again.
    const labelled = await services(h).patch(NS, 'web', { metadata: { labels: { tier: 'front' } } }, 'merge');
    await h.client.kind<Obj>('v1', 'Node').patch(undefined, 'a', { metadata: { annotations: { beat: '1' } } }, 'merge');
    await createService(h, 'marker');
    await eventually(async () => (await ingressIPs(h, 'marker')) === '10.0.0.1');

    assert.equal((await services(h).get(NS, 'web')).metadata?.resourceVersion, labelled.metadata?.resourceVersion);
    assert.deepEqual(h.events.slice(events).map((e) => e.name), ['marker']);
  });
});
