import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../apimachinery/object.js';
import { eventually } from '../../apiserver/testing/fixture.js';
import { isNotFound } from '../../client/errors.js';
import type { ApiClient } from '../../client/rest.js';
import { desiredSubsets, endpointsController } from './index.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.js';

type Obj = KubeObject & Record<string, any>;

function pod(name: string, opts: { labels?: Record<string, string>; ip?: string; ready?: boolean; node?: string; ports?: { name: string; containerPort: number }[] } = {}): Obj {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, labels: opts.labels ?? { app: 'web' } },
    spec: { nodeName: opts.node ?? 'node-1', containers: [{ name: 'c', image: 'nginx', ports: opts.ports ?? [{ name: 'web', containerPort: 8080 }] }] },
  };
}

describe('endpoints controller', () => {
  let h: ControllerHarness;
  let client: ApiClient;

  before(async () => {
    h = await startControllerHarness({ controllers: [endpointsController] });
    client = h.client;
  });

  after(() => h.close());

  const pods = () => client.kind<Obj>('v1', 'Pod');
  const services = () => client.kind<Obj>('v1', 'Service');
  const endpoints = () => client.kind<Obj>('v1', 'Endpoints');

  async function createPod(ns: string, p: Obj, status?: { ip?: string; ready?: boolean; phase?: string }): Promise<void> {
    const created = await pods().create(ns, p);
    if (status) await setStatus(ns, created.metadata!.name!, status);
  }

  async function setStatus(ns: string, name: string, st: { ip?: string; ready?: boolean; phase?: string }): Promise<void> {
    const cur: Obj = await pods().get(ns, name);
    cur.status = {
      ...cur.status,
      phase: st.phase ?? 'Running',
      ...(st.ip ? { podIP: st.ip, podIPs: [{ ip: st.ip }] } : {}),
      conditions: [{ type: 'Ready', status: st.ready ? 'True' : 'False' }],
    };
    await pods().updateStatus(ns, cur);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async function getEndpoints(ns: string, name: string): Promise<any> {
    try {
      return await endpoints().get(ns, name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  const ips = (list: any[] | undefined) => (list ?? []).map((a) => a.ip).sort();

  it('lists ready pods in addresses and the others in notReadyAddresses, resolving named target ports', async () => {
    const ns = 'ep-basic';
    await h.namespace(ns);
    await services().create(ns, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', labels: { tier: 'front' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }] },
    });
    await createPod(ns, pod('a'), { ip: '10.0.0.1', ready: true });
    await createPod(ns, pod('b'), { ip: '10.0.0.2', ready: false });
    await createPod(ns, pod('no-ip'));
    await createPod(ns, pod('other', { labels: { app: 'db' } }), { ip: '10.0.0.9', ready: true });

    await eventually(async () => {
      const ep = await getEndpoints(ns, 'web');
      const sub = ep?.subsets?.[0];
      return ep?.subsets?.length === 1 && ips(sub.addresses).join() === '10.0.0.1' && ips(sub.notReadyAddresses).join() === '10.0.0.2';
    });
    const ep = (await getEndpoints(ns, 'web'))!;
    assert.deepEqual(ep.subsets[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.equal(ep.metadata.labels.tier, 'front');
    const a = ep.subsets[0].addresses[0];
    assert.equal(a.nodeName, 'node-1');
    assert.equal(a.targetRef.kind, 'Pod');
    assert.equal(a.targetRef.name, 'a');

    // b becomes ready: both are ready addresses.
    await setStatus(ns, 'b', { ip: '10.0.0.2', ready: true });
    await eventually(async () => ips((await getEndpoints(ns, 'web'))?.subsets?.[0]?.addresses).join() === '10.0.0.1,10.0.0.2');

    // a goes not ready, then b starts terminating (graceful delete of a pod bound to a node).
    await setStatus(ns, 'a', { ip: '10.0.0.1', ready: false });
    await pods().delete(ns, 'b');
    await eventually(async () => {
      const sub = (await getEndpoints(ns, 'web'))?.subsets?.[0];
      return ips(sub?.addresses).length === 0 && ips(sub?.notReadyAddresses).join() === '10.0.0.1';
    });

    // Nothing changes: no write happens.
    const before_ = (await getEndpoints(ns, 'web'))!.metadata.resourceVersion;
    await pods().patch(ns, 'other', { metadata: { annotations: { touched: 'yes' } } }, 'merge');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await getEndpoints(ns, 'web'))!.metadata.resourceVersion, before_);
  });

  it('publishes not-ready pods as ready addresses when the service asks for it', async () => {
    const ns = 'ep-publish';
    await h.namespace(ns);
    await services().create(ns, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'peers' },
      spec: { selector: { app: 'web' }, publishNotReadyAddresses: true, ports: [{ port: 7000, targetPort: 7000 }] },
    });
    await createPod(ns, pod('a'), { ip: '10.1.0.1', ready: false });
    await createPod(ns, pod('b'), { ip: '10.1.0.2', ready: true });
    await eventually(async () => ips((await getEndpoints(ns, 'peers'))?.subsets?.[0]?.addresses).join() === '10.1.0.1,10.1.0.2');
    const ep = (await getEndpoints(ns, 'peers'))!;
    assert.equal(ep.subsets[0].notReadyAddresses, undefined);
    assert.deepEqual(ep.subsets[0].ports, [{ port: 7000, protocol: 'TCP' }]);
  });

  it('includes headless services without ports and leaves selector-less services alone', async () => {
    const ns = 'ep-headless';
    await h.namespace(ns);
    await services().create(ns, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' },
      spec: { clusterIP: 'None', selector: { app: 'db' } },
    });
    const p = pod('db-0', { labels: { app: 'db' } });
    p.spec.hostname = 'db-0';
    p.spec.subdomain = 'db';
    await createPod(ns, p, { ip: '10.2.0.1', ready: true });

    await services().create(ns, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'external' }, spec: { ports: [{ port: 443 }] },
    });
    await endpoints().create(ns, {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'external' },
      subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 443 }] }],
    });

    await eventually(async () => ips((await getEndpoints(ns, 'db'))?.subsets?.[0]?.addresses).join() === '10.2.0.1');
    const db = (await getEndpoints(ns, 'db'))!;
    assert.equal(db.subsets[0].addresses[0].hostname, 'db-0');
    assert.equal(db.subsets[0].ports, undefined);
    assert.equal(db.metadata.labels['service.kubernetes.io/headless'], '');
    const ext = (await getEndpoints(ns, 'external'))!;
    assert.deepEqual(ips(ext.subsets[0].addresses), ['192.0.2.10']);
  });

  it('deletes the Endpoints when the service goes, and puts back Endpoints deleted under it', async () => {
    const ns = 'ep-delete';
    await h.namespace(ns);
    await services().create(ns, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    await createPod(ns, pod('a'), { ip: '10.3.0.1', ready: true });
    await eventually(async () => ips((await getEndpoints(ns, 'web'))?.subsets?.[0]?.addresses).join() === '10.3.0.1');
    await endpoints().delete(ns, 'web');
    await eventually(async () => ips((await getEndpoints(ns, 'web'))?.subsets?.[0]?.addresses).join() === '10.3.0.1');
    await services().delete(ns, 'web');
    await eventually(async () => (await getEndpoints(ns, 'web')) === undefined);
  });
});

describe('desiredSubsets', () => {
  it('skips ports a pod does not name and groups addresses by the ports they serve', () => {
    const svc = { metadata: { name: 's' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }, { name: 'metrics', port: 9090, targetPort: 'metrics' }] } };
    const a = { ...pod('a', { ports: [{ name: 'web', containerPort: 8080 }, { name: 'metrics', containerPort: 9100 }] }), status: { podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] } };
    const b = { ...pod('b', { ports: [{ name: 'web', containerPort: 8080 }] }), status: { podIP: '10.0.0.2', conditions: [{ type: 'Ready', status: 'True' }] } };
    const c = { ...pod('c'), status: { podIP: '10.0.0.3', phase: 'Succeeded' } };
    const { subsets, truncated } = desiredSubsets(svc as never, [a, b, c] as never);
    assert.equal(truncated, false);
    assert.equal(subsets.length, 2);
    const both = subsets.find((x) => x.ports?.length === 2)!;
    const webOnly = subsets.find((x) => x.ports?.length === 1)!;
    assert.deepEqual(both.addresses!.map((x) => x.ip), ['10.0.0.1']);
    assert.deepEqual(webOnly.addresses!.map((x) => x.ip), ['10.0.0.2']);
    assert.deepEqual(both.ports!.map((p) => p.port).sort(), [8080, 9100]);
  });
});
