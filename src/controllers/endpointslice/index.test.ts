import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../../apiserver/testing/fixture.js';
import { desiredGroups } from './desired.js';
import { createEndpointSliceController, endpointSliceController, MANAGED_BY, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './index.js';
import { planSlices } from './plan.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = any;

function pod(name: string, labels: Record<string, string> = { app: 'web' }): Obj {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, labels },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'web', containerPort: 8080 }] }] },
  };
}

function api(h: ControllerHarness) {
  const client = h.client;
  const pods = client.kind<Obj>('v1', 'Pod');
  const slicesOf = async (ns: string, svc: string): Promise<Obj[]> =>
    (await client.kind<Obj>('discovery.k8s.io/v1', 'EndpointSlice').list(ns, { labelSelector: `${SERVICE_NAME_LABEL}=${svc}` })).items;
  return {
    pods,
    services: client.kind<Obj>('v1', 'Service'),
    slicesOf,
    namespace: h.namespace,
    async setStatus(ns: string, name: string, ip: string, ready: boolean) {
      const cur = await pods.get(ns, name);
      cur.status = { ...cur.status, phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
      await pods.updateStatus(ns, cur);
    },
    /** Endpoints of all the service's slices, by address. */
    async endpoints(ns: string, svc: string): Promise<Map<string, Obj>> {
      const out = new Map<string, Obj>();
      for (const s of await slicesOf(ns, svc)) for (const ep of s.endpoints ?? []) out.set(ep.addresses[0], ep);
      return out;
    },
  };
}

describe('endpointslice controller', () => {
  let h: ControllerHarness;
  let a: ReturnType<typeof api>;
  before(async () => {
    h = await startControllerHarness({ controllers: [endpointSliceController] });
    a = api(h);
  });
  after(() => h.close());

  it('writes an owned slice with ready, serving and terminating conditions and named target ports', async () => {
    const ns = 'slices';
    await a.namespace(ns);
    const svc = await a.services.create(ns, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', labels: { tier: 'front' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }] },
    });
    for (const n of ['a', 'b']) await a.pods.create(ns, pod(n));
    await a.pods.create(ns, pod('other', { app: 'db' }));
    await a.setStatus(ns, 'a', '10.0.0.1', true);
    await a.setStatus(ns, 'b', '10.0.0.2', false);
    await a.setStatus(ns, 'other', '10.0.0.9', true);

    await eventually(async () => (await a.endpoints(ns, 'web')).size === 2);
    const [slice] = await a.slicesOf(ns, 'web');
    assert.equal((await a.slicesOf(ns, 'web')).length, 1);
    assert.ok(slice.metadata.name.startsWith('web-'));
    assert.equal(slice.metadata.labels[MANAGED_BY_LABEL], MANAGED_BY);
    assert.equal(slice.metadata.labels.tier, 'front');
    assert.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const eps = await a.endpoints(ns, 'web');
    assert.deepEqual(eps.get('10.0.0.1').conditions, { ready: true, serving: true, terminating: false });
    assert.deepEqual(eps.get('10.0.0.2').conditions, { ready: false, serving: false, terminating: false });
    assert.equal(eps.get('10.0.0.1').nodeName, 'node-1');
    assert.equal(eps.get('10.0.0.1').targetRef.name, 'a');

    // b becomes ready: the same slice is updated.
    await a.setStatus(ns, 'b', '10.0.0.2', true);
    await eventually(async () => (await a.endpoints(ns, 'web')).get('10.0.0.2')?.conditions.ready === true);
    assert.deepEqual((await a.slicesOf(ns, 'web')).map((s) => s.metadata.name), [slice.metadata.name]);

    // a terminates (a graceful delete of a bound pod): still listed, not ready, serving, terminating.
    await a.pods.delete(ns, 'a');
    await eventually(async () => (await a.endpoints(ns, 'web')).get('10.0.0.1')?.conditions.terminating === true);
    assert.deepEqual((await a.endpoints(ns, 'web')).get('10.0.0.1').conditions, { ready: false, serving: true, terminating: true });

    // a is gone for good.
    await a.pods.delete(ns, 'a', { gracePeriodSeconds: 0 });
    await eventually(async () => [...(await a.endpoints(ns, 'web')).keys()].join() === '10.0.0.2');
    assert.deepEqual((await a.slicesOf(ns, 'web')).map((s) => s.metadata.name), [slice.metadata.name]);
  });

  it('keeps one empty slice for a service without pods, and removes slices with the service', async () => {
    const ns = 'empty';
    await a.namespace(ns);
    await a.services.create(ns, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'lonely' },
      spec: { selector: { app: 'nothing' }, ports: [{ port: 80 }] },
    });
    await a.services.create(ns, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual' }, spec: { ports: [{ port: 80 }] } });
    await eventually(async () => (await a.slicesOf(ns, 'lonely')).length === 1);
    await new Promise((r) => setTimeout(r, 200));
    const slices = await a.slicesOf(ns, 'lonely');
    assert.equal(slices.length, 1);
    assert.equal((slices[0].endpoints ?? []).length, 0);
    assert.equal((await a.slicesOf(ns, 'manual')).length, 0);

    await a.services.delete(ns, 'lonely');
    await eventually(async () => (await a.slicesOf(ns, 'lonely')).length === 0);
  });
});

describe('endpointslice controller with small slices', () => {
  let h: ControllerHarness;
  let a: ReturnType<typeof api>;
  before(async () => {
    h = await startControllerHarness({ controllers: [createEndpointSliceController({ maxEndpointsPerSlice: 3 })] });
    a = api(h);
  });
  after(() => h.close());

  it('spreads endpoints over slices of at most the limit and refills them as pods come and go', async () => {
    const ns = 'many';
    await a.namespace(ns);
    await a.services.create(ns, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    for (let i = 1; i <= 7; i++) {
      await a.pods.create(ns, pod(`p${i}`));
      await a.setStatus(ns, `p${i}`, `10.0.1.${i}`, true);
    }
    await eventually(async () => (await a.endpoints(ns, 'web')).size === 7);
    await new Promise((r) => setTimeout(r, 200));
    let slices = await a.slicesOf(ns, 'web');
    assert.ok(slices.every((s) => s.endpoints.length <= 3), 'no slice over the limit');
    assert.equal(slices.length, 3);
    assert.equal((await a.endpoints(ns, 'web')).size, 7);

    for (const i of [1, 2, 3, 4]) await a.pods.delete(ns, `p${i}`, { gracePeriodSeconds: 0 });
    await eventually(async () => (await a.endpoints(ns, 'web')).size === 3);
    slices = await a.slicesOf(ns, 'web');
    assert.ok(slices.every((s) => s.endpoints?.length > 0 && s.endpoints.length <= 3));
  });
});

describe('planSlices', () => {
  const svc = { metadata: { name: 's' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } };
  const pods = (n: number) => Array.from({ length: n }, (_, i) => ({
    ...pod(`p${i}`), status: { podIP: `10.0.0.${i + 1}`, conditions: [{ type: 'Ready', status: 'True' }] },
  }));

  it('reuses a slice with the wrong ports as the slice to create', () => {
    const groups = desiredGroups(svc as never, pods(2) as never, 'IPv4');
    const stale = { metadata: { name: 's-old' }, addressType: 'IPv4', ports: [{ name: 'http', port: 9999, protocol: 'TCP' }], endpoints: [{ addresses: ['10.0.0.1'] }] };
    const plan = planSlices([stale as never], groups, 100);
    assert.equal(plan.create.length, 0);
    assert.equal(plan.delete.length, 0);
    assert.equal(plan.update.length, 1);
    assert.equal(plan.update[0]!.content.endpoints.length, 2);
  });

  it('leaves an up-to-date slice alone', () => {
    const groups = desiredGroups(svc as never, pods(2) as never, 'IPv4');
    const [g] = [...groups.values()];
    const current = { metadata: { name: 's-1' }, addressType: 'IPv4', ports: g!.ports, endpoints: [...g!.endpoints.values()] };
    const plan = planSlices([current as never], groups, 100);
    assert.deepEqual([plan.create.length, plan.update.length, plan.delete.length, plan.keep.length], [0, 0, 0, 1]);
  });
});
