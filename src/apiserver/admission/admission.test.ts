import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../testing/fixture.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Res = Record<string, string>;

const pod = (name: string, containers: { name: string; requests?: Res; limits?: Res }[] = [{ name: 'c' }], extra: any = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: {
    containers: containers.map((c) => ({
      name: c.name, image: 'busybox',
      ...(c.requests || c.limits ? { resources: { ...(c.requests ? { requests: c.requests } : {}), ...(c.limits ? { limits: c.limits } : {}) } } : {}),
    })),
    ...extra,
  },
});

const quota = (name: string, hard: Res, extra: any = {}) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard, ...extra } });
const limitRange = (name: string, item: any) => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name }, spec: { limits: [item] } });

describe('admission of new objects', () => {
  let s: TestServer;
  let n = 0;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.close(); });

  async function namespace(): Promise<string> {
    const name = `adm-${++n}`;
    const r = await s.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    assert.equal(r.status, 201, r.body);
    return name;
  }

  async function create(ns: string, plural: string, obj: unknown, query = ''): Promise<any> {
    return s.request('POST', `/api/v1/namespaces/${ns}/${plural}${query}`, obj);
  }

  describe('LimitRanger', () => {
    test('fills missing container requests and limits from the namespace LimitRange', async () => {
      const ns = await namespace();
      assert.equal((await create(ns, 'limitranges', limitRange('lr', {
        type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' },
      }))).status, 201);
      const r = await create(ns, 'pods', pod('web', [{ name: 'app' }, { name: 'side', requests: { cpu: '200m' } }]));
      assert.equal(r.status, 201, r.body);
      const [app, side] = r.json.spec.containers;
      assert.deepEqual(app.resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
      assert.deepEqual(side.resources, { requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
      assert.equal(r.json.metadata.annotations['kubernetes.io/limit-ranger'],
        'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app; memory request for container side; cpu, memory limit for container side');
      // The QoS class is decided on the defaulted pod.
      assert.equal(r.json.status.qosClass, 'Burstable');
    });

    test('takes defaults derived from max when only max is given', async () => {
      const ns = await namespace();
      await create(ns, 'limitranges', limitRange('lr', { type: 'Container', max: { cpu: '1' } }));
      const r = await create(ns, 'pods', pod('p'));
      assert.equal(r.status, 201, r.body);
      assert.deepEqual(r.json.spec.containers[0].resources, { requests: { cpu: '1' }, limits: { cpu: '1' } });
    });

    test('refuses a request under the minimum with 403 in Kubernetes words', async () => {
      const ns = await namespace();
      await create(ns, 'limitranges', limitRange('lr', { type: 'Container', min: { cpu: '100m' }, max: { cpu: '1' } }));
      const r = await create(ns, 'pods', pod('x', [{ name: 'c', requests: { cpu: '50m' }, limits: { cpu: '2' } }]));
      assert.equal(r.status, 403, r.body);
      assert.equal(r.json.reason, 'Forbidden');
      assert.equal(r.json.message,
        'pods "x" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, maximum cpu usage per Container is 1, but limit is 2]');
      assert.deepEqual(r.json.details, { name: 'x', kind: 'pods' });
      assert.equal((await s.request('GET', `/api/v1/namespaces/${ns}/pods/x`)).status, 404);
    });

    test('refuses a single violation without brackets, and a limit/request ratio above the maximum', async () => {
      const ns = await namespace();
      await create(ns, 'limitranges', limitRange('lr', { type: 'Container', maxLimitRequestRatio: { memory: '2' } }));
      const r = await create(ns, 'pods', pod('y', [{ name: 'c', requests: { memory: '100Mi' }, limits: { memory: '300Mi' } }]));
      assert.equal(r.status, 403);
      assert.equal(r.json.message, 'pods "y" is forbidden: memory max limit to request ratio per Container is 2, but provided ratio is 3.000000');
    });

    test('checks the pod total against a Pod range', async () => {
      const ns = await namespace();
      await create(ns, 'limitranges', limitRange('lr', { type: 'Pod', max: { cpu: '1' } }));
      const r = await create(ns, 'pods', pod('z', [
        { name: 'a', requests: { cpu: '600m' }, limits: { cpu: '600m' } },
        { name: 'b', requests: { cpu: '600m' }, limits: { cpu: '600m' } },
      ]));
      assert.equal(r.status, 403);
      assert.equal(r.json.message, 'pods "z" is forbidden: maximum cpu usage per Pod is 1, but limit is 1200m');
    });

    test('holds claims to the PersistentVolumeClaim range', async () => {
      const ns = await namespace();
      await create(ns, 'limitranges', limitRange('lr', { type: 'PersistentVolumeClaim', min: { storage: '1Gi' } }));
      const r = await create(ns, 'persistentvolumeclaims', {
        apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'small' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '500Mi' } } },
      });
      assert.equal(r.status, 403, r.body);
      assert.equal(r.json.message, 'persistentvolumeclaims "small" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi');
    });
  });

  describe('ResourceQuota', () => {
    test('refuses the third pod under pods: 2 with the exceeded-quota message', async () => {
      const ns = await namespace();
      assert.equal((await create(ns, 'resourcequotas', quota('q', { pods: '2' }))).status, 201);
      assert.equal((await create(ns, 'pods', pod('p1'))).status, 201);
      assert.equal((await create(ns, 'pods', pod('p2'))).status, 201);
      const r = await create(ns, 'pods', pod('p3'));
      assert.equal(r.status, 403, r.body);
      assert.equal(r.json.reason, 'Forbidden');
      assert.equal(r.json.message, 'pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
    });

    test('counts from storage, so a deleted pod frees its room at once', async () => {
      const ns = await namespace();
      await create(ns, 'resourcequotas', quota('q', { pods: '1' }));
      assert.equal((await create(ns, 'pods', pod('a'))).status, 201);
      assert.equal((await create(ns, 'pods', pod('b'))).status, 403);
      assert.equal((await s.request('DELETE', `/api/v1/namespaces/${ns}/pods/a`)).status, 200);
      assert.equal((await create(ns, 'pods', pod('b'))).status, 201);
    });

    test('does not count finished pods against pods, but does against count/pods', async () => {
      const ns = await namespace();
      await create(ns, 'resourcequotas', quota('q', { pods: '1' }));
      const a = await create(ns, 'pods', pod('a'));
      a.json.status.phase = 'Succeeded';
      assert.equal((await s.request('PUT', `/api/v1/namespaces/${ns}/pods/a/status`, a.json)).status, 200);
      assert.equal((await create(ns, 'pods', pod('b'))).status, 201);
      await create(ns, 'resourcequotas', quota('counts', { 'count/pods': '2' }));
      const r = await create(ns, 'pods', pod('c'));
      assert.equal(r.json.message, 'pods "c" is forbidden: exceeded quota: counts, requested: count/pods=1, used: count/pods=2, limited: count/pods=2');
    });

    test('limits configmaps through count/configmaps', async () => {
      const ns = await namespace();
      await create(ns, 'resourcequotas', quota('cm', { 'count/configmaps': '1' }));
      const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });
      assert.equal((await create(ns, 'configmaps', cm('one'))).status, 201);
      const r = await create(ns, 'configmaps', cm('two'));
      assert.equal(r.status, 403);
      assert.equal(r.json.message, 'configmaps "two" is forbidden: exceeded quota: cm, requested: count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1');
    });

    test('limits objects of other groups through count/<resource>.<group>', async () => {
      const ns = await namespace();
      await create(ns, 'resourcequotas', quota('d', { 'count/deployments.apps': '0' }));
      const r = await s.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
        spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
      });
      assert.equal(r.status, 403, r.body);
      assert.equal(r.json.message, 'deployments.apps "web" is forbidden: exceeded quota: d, requested: count/deployments.apps=1, used: count/deployments.apps=0, limited: count/deployments.apps=0');
      assert.deepEqual(r.json.details, { name: 'web', group: 'apps', kind: 'deployments' });
    });

    test('requires cpu requests when a quota constrains requests.cpu', async () => {
      const ns = await namespace();
      await create(ns, 'resourcequotas', quota('compute', { 'requests.cpu': '1', 'limits.memory': '1Gi' }));
      const r = await create(ns, 'pods', pod('bare', [{ name: 'b' }, { name: 'a', requests: { cpu: '100m' } }]));
      assert.equal(r.status, 403);
      assert.equal(r.json.message, 'pods "bare" is forbidden: failed quota: compute: must specify limits.memory for: a,b; requests.cpu for: b');
    });

    test('sums cpu and memory over the namespace pods', async () => {
      const ns = await namespace();
      await create(ns, 'resourcequotas', quota('compute', { 'requests.cpu': '1', 'requests.memory': '1Gi' }));
      const sized = (name: string, cpu: string) => pod(name, [{ name: 'c', requests: { cpu, memory: '256Mi' } }]);
      assert.equal((await create(ns, 'pods', sized('a', '400m'))).status, 201);
      assert.equal((await create(ns, 'pods', sized('b', '500m'))).status, 201);
      const r = await create(ns, 'pods', sized('c', '200m'));
      assert.equal(r.status, 403);
      assert.equal(r.json.message, 'pods "c" is forbidden: exceeded quota: compute, requested: requests.cpu=200m, used: requests.cpu=900m, limited: requests.cpu=1');
      assert.equal((await create(ns, 'pods', sized('d', '100m'))).status, 201);
    });

    test('applies LimitRange defaults before quota, so defaulted pods pass a cpu quota', async () => {
      const ns = await namespace();
      await create(ns, 'limitranges', limitRange('lr', { type: 'Container', defaultRequest: { cpu: '300m' }, default: { cpu: '300m' } }));
      await create(ns, 'resourcequotas', quota('compute', { 'requests.cpu': '500m' }));
      assert.equal((await create(ns, 'pods', pod('a'))).status, 201);
      const r = await create(ns, 'pods', pod('b'));
      assert.equal(r.json.message, 'pods "b" is forbidden: exceeded quota: compute, requested: requests.cpu=300m, used: requests.cpu=300m, limited: requests.cpu=500m');
    });

    test('honours scopes: a BestEffort quota ignores pods with requests', async () => {
      const ns = await namespace();
      await create(ns, 'resourcequotas', quota('be', { pods: '1' }, { scopes: ['BestEffort'] }));
      assert.equal((await create(ns, 'pods', pod('be1'))).status, 201);
      assert.equal((await create(ns, 'pods', pod('sized', [{ name: 'c', requests: { cpu: '1' } }]))).status, 201);
      assert.equal((await create(ns, 'pods', pod('be2'))).status, 403);
    });

    test('counts services, node ports and load balancers', async () => {
      const ns = await namespace();
      await create(ns, 'resourcequotas', quota('svc', { 'services.loadbalancers': '0', 'services.nodeports': '1' }));
      const svc = (name: string, type: string, ports: number) => ({
        apiVersion: 'v1', kind: 'Service', metadata: { name },
        spec: { type, selector: { a: 'b' }, ports: Array.from({ length: ports }, (_, i) => ({ name: `p${i}`, port: 80 + i })) },
      });
      assert.equal((await create(ns, 'services', svc('plain', 'ClusterIP', 2))).status, 201);
      const lb = await create(ns, 'services', svc('lb', 'LoadBalancer', 1));
      assert.equal(lb.status, 403);
      assert.equal(lb.json.message, 'services "lb" is forbidden: exceeded quota: svc, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0');
      const np = await create(ns, 'services', svc('np', 'NodePort', 2));
      assert.equal(np.json.message, 'services "np" is forbidden: exceeded quota: svc, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1');
    });

    test('counts quotas themselves and claims storage', async () => {
      const ns = await namespace();
      await create(ns, 'resourcequotas', quota('q', { resourcequotas: '1', 'requests.storage': '1Gi', persistentvolumeclaims: '5' }));
      assert.equal((await create(ns, 'resourcequotas', quota('q2', { pods: '1' }))).status, 403);
      const pvc = (name: string, storage: string) => ({
        apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
      });
      assert.equal((await create(ns, 'persistentvolumeclaims', pvc('a', '600Mi'))).status, 201);
      const r = await create(ns, 'persistentvolumeclaims', pvc('b', '600Mi'));
      assert.equal(r.json.message, 'persistentvolumeclaims "b" is forbidden: exceeded quota: q, requested: requests.storage=600Mi, used: requests.storage=600Mi, limited: requests.storage=1Gi');
    });

    test('runs for dry-run creates without storing anything', async () => {
      const ns = await namespace();
      await create(ns, 'resourcequotas', quota('q', { pods: '1' }));
      assert.equal((await create(ns, 'pods', pod('a'))).status, 201);
      assert.equal((await create(ns, 'pods', pod('b'), '?dryRun=All')).status, 403);
      await s.request('DELETE', `/api/v1/namespaces/${ns}/pods/a`);
      assert.equal((await create(ns, 'pods', pod('b'), '?dryRun=All')).status, 201);
      assert.equal((await s.request('GET', `/api/v1/namespaces/${ns}/pods/b`)).status, 404);
    });

    test('lets only as many concurrent creates through as the quota allows', async () => {
      const ns = await namespace();
      await create(ns, 'resourcequotas', quota('q', { 'count/configmaps': '3' }));
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) =>
        create(ns, 'configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` } })));
      assert.equal(results.filter((r) => r.status === 201).length, 3);
      assert.equal(results.filter((r) => r.status === 403).length, 5);
    });

    test('leaves namespaces without quotas alone', async () => {
      const ns = await namespace();
      for (let i = 0; i < 3; i++) assert.equal((await create(ns, 'pods', pod(`p${i}`))).status, 201);
    });
  });
});
