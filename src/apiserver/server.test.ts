import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startTestServer, type TestServer } from './testing/fixture.js';

const cm = (name: string, data: Record<string, string> = { a: '1' }, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...extra }, data,
});

const deployment = (name: string) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { app: name } },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'busybox:1.36' }] } },
  },
});

describe('API server', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.close(); });

  test('rejects requests without a client certificate with 401', async () => {
    const r = await s.request('GET', '/api/v1/namespaces', undefined, {}, { anonymous: true });
    assert.equal(r.status, 401);
    assert.equal(r.json.kind, 'Status');
    assert.equal(r.json.reason, 'Unauthorized');
  });

  test('reports Kubernetes 1.32 in /version', async () => {
    const r = await s.request('GET', '/version');
    assert.equal(r.json.major, '1');
    assert.equal(r.json.minor, '32');
    assert.match(r.json.gitVersion, /^v1\.32\.\d+\+kite/);
  });

  test('is ready with the built-in namespaces', async () => {
    assert.equal((await s.request('GET', '/readyz')).status, 200);
    const r = await s.request('GET', '/api/v1/namespaces');
    const names = r.json.items.map((n: any) => n.metadata.name);
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(names.includes(n), n);
    assert.equal(r.json.kind, 'NamespaceList');
    assert.ok(Number(r.json.metadata.resourceVersion) > 0);
  });

  test('creates, reads, updates and deletes a configmap', async () => {
    const c = await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('crud'));
    assert.equal(c.status, 201, c.body);
    assert.ok(c.json.metadata.uid);
    assert.match(c.json.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const rv = c.json.metadata.resourceVersion;
    const g = await s.request('GET', '/api/v1/namespaces/default/configmaps/crud');
    assert.deepEqual(g.json.data, { a: '1' });
    assert.equal(g.json.metadata.resourceVersion, rv);

    const u = await s.request('PUT', '/api/v1/namespaces/default/configmaps/crud', { ...g.json, data: { a: '2' } });
    assert.equal(u.status, 200, u.body);
    assert.ok(Number(u.json.metadata.resourceVersion) > Number(rv));

    const stale = await s.request('PUT', '/api/v1/namespaces/default/configmaps/crud', { ...g.json, data: { a: '3' } });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.reason, 'Conflict');

    const d = await s.request('DELETE', '/api/v1/namespaces/default/configmaps/crud', { propagationPolicy: 'Background' });
    assert.equal(d.status, 200);
    assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps/crud')).status, 404);
  });

  test('answers a duplicate create with 409 AlreadyExists', async () => {
    await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('dup'));
    const r = await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('dup'));
    assert.equal(r.status, 409);
    assert.equal(r.json.reason, 'AlreadyExists');
    assert.equal(r.json.message, 'configmaps "dup" already exists');
  });

  test('answers malformed JSON with 400 and an oversized body with 413', async () => {
    const bad = await s.request('POST', '/api/v1/namespaces/default/configmaps', '{"metadata": {', {});
    assert.equal(bad.status, 400);
    assert.equal(bad.json.reason, 'BadRequest');
    const big = await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('big', { a: 'x'.repeat(4 * 1024 * 1024) }));
    assert.equal(big.status, 413);
    assert.equal((await s.request('GET', '/readyz')).status, 200);
  });

  test('rejects unknown fields under strict field validation and warns otherwise', async () => {
    const strict = await s.request('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', { ...cm('strict'), bogus: 1 });
    assert.equal(strict.status, 400);
    assert.match(strict.json.message, /unknown field "bogus"/);
    const warn = await s.request('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Warn', { ...cm('warned'), bogus: 1 });
    assert.equal(warn.status, 201);
    assert.match(String(warn.headers.warning), /unknown field/);
    assert.equal(warn.json.bogus, undefined);
  });

  test('generates names from generateName', async () => {
    const r = await s.request('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
    assert.equal(r.status, 201, r.body);
    assert.match(r.json.metadata.name, /^gen-[a-z0-9]{5}$/);
  });

  test('persists nothing for dryRun=All', async () => {
    const r = await s.request('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', cm('dry'));
    assert.equal(r.status, 201);
    assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps/dry')).status, 404);
  });

  test('refuses objects in a namespace that does not exist', async () => {
    const r = await s.request('POST', '/api/v1/namespaces/nope/configmaps', cm('x'));
    assert.equal(r.status, 404);
    assert.equal(r.json.message, 'namespaces "nope" not found');
  });

  test('validates deployments and defaults them', async () => {
    const bad = deployment('bad');
    (bad.spec.template.spec as any).containers = [];
    const r = await s.request('POST', '/apis/apps/v1/namespaces/default/deployments', bad);
    assert.equal(r.status, 422, r.body);
    assert.equal(r.json.reason, 'Invalid');
    const ok = await s.request('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('web'));
    assert.equal(ok.status, 201, ok.body);
    assert.equal(ok.json.spec.replicas, 1);
    assert.equal(ok.json.spec.strategy.type, 'RollingUpdate');
    assert.equal(ok.json.metadata.generation, 1);
  });

  test('bumps generation on spec changes only, and keeps status on main-resource writes', async () => {
    await s.request('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('gen'));
    const p = await s.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/gen', { metadata: { labels: { x: 'y' } } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(p.json.metadata.generation, 1);
    const st = await s.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/gen/status', { status: { replicas: 7 } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(st.status, 200, st.body);
    assert.equal(st.json.status.replicas, 7);
    assert.equal(st.json.metadata.generation, 1);
    const sp = await s.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/gen', { spec: { replicas: 3 }, status: { replicas: 0 } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(sp.json.metadata.generation, 2);
    assert.equal(sp.json.status.replicas, 7);
  });

  test('scales through the scale subresource', async () => {
    await s.request('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('scaled'));
    const g = await s.request('GET', '/apis/apps/v1/namespaces/default/deployments/scaled/scale');
    assert.equal(g.json.kind, 'Scale');
    assert.equal(g.json.apiVersion, 'autoscaling/v1');
    assert.equal(g.json.status.selector, 'app=scaled');
    const p = await s.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/scaled/scale', { spec: { replicas: 4 } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(p.status, 200, p.body);
    assert.equal(p.json.spec.replicas, 4);
    const d = await s.request('GET', '/apis/apps/v1/namespaces/default/deployments/scaled');
    assert.equal(d.json.spec.replicas, 4);
  });

  test('merges containers by name in a strategic merge patch', async () => {
    const dep = deployment('smp');
    dep.spec.template.spec.containers.push({ name: 'side', image: 'busybox:1' });
    await s.request('POST', '/apis/apps/v1/namespaces/default/deployments', dep);
    const p = await s.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/smp',
      { spec: { template: { spec: { containers: [{ name: 'web', image: 'busybox:2' }] } } } },
      { 'Content-Type': 'application/strategic-merge-patch+json' });
    assert.equal(p.status, 200, p.body);
    const cs = p.json.spec.template.spec.containers;
    assert.deepEqual(cs.map((c: any) => [c.name, c.image]), [['web', 'busybox:2'], ['side', 'busybox:1']]);
  });

  test('applies JSON patches and reports failed tests', async () => {
    await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('jp'));
    const ok = await s.request('PATCH', '/api/v1/namespaces/default/configmaps/jp', [{ op: 'add', path: '/data/b', value: '2' }], { 'Content-Type': 'application/json-patch+json' });
    assert.deepEqual(ok.json.data, { a: '1', b: '2' });
    const bad = await s.request('PATCH', '/api/v1/namespaces/default/configmaps/jp', [{ op: 'test', path: '/data/a', value: 'zzz' }], { 'Content-Type': 'application/json-patch+json' });
    assert.ok(bad.status >= 400 && bad.status < 500, bad.body);
  });

  test('lists with label and field selectors, limit and continue', async () => {
    await s.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'paging' } });
    for (let i = 0; i < 7; i++) {
      await s.request('POST', '/api/v1/namespaces/paging/configmaps', cm(`p${i}`, { i: String(i) }, { labels: { parity: i % 2 ? 'odd' : 'even' } }));
    }
    const odd = await s.request('GET', '/api/v1/namespaces/paging/configmaps?labelSelector=parity%3Dodd');
    assert.deepEqual(odd.json.items.map((i: any) => i.metadata.name), ['p1', 'p3', 'p5']);
    const named = await s.request('GET', '/api/v1/namespaces/paging/configmaps?fieldSelector=metadata.name%3Dp4');
    assert.deepEqual(named.json.items.map((i: any) => i.metadata.name), ['p4']);
    const seen: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const r = await s.request('GET', `/api/v1/namespaces/paging/configmaps?limit=3${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      seen.push(...r.json.items.map((i: any) => i.metadata.name));
      cont = r.json.metadata.continue ?? '';
      pages++;
    } while (cont && pages < 10);
    assert.deepEqual(seen, ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    assert.equal(pages, 3);
    const bad = await s.request('GET', '/api/v1/namespaces/paging/configmaps?fieldSelector=spec.nope%3D1');
    assert.equal(bad.status, 400);
  });

  test('serves Tables for kubectl get', async () => {
    const r = await s.request('GET', '/api/v1/namespaces', undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    assert.equal(r.json.kind, 'Table');
    assert.equal(r.json.columnDefinitions[0].name, 'Name');
    assert.equal(r.json.columnDefinitions[0].format, 'name');
    assert.ok(r.json.rows.length >= 4);
    assert.equal(r.json.rows[0].object.kind, 'PartialObjectMetadata');
    assert.ok(r.json.metadata.resourceVersion);
  });

  test('watches: synthetic ADDED for rv 0, then live changes in order', async () => {
    await s.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'watched' } });
    await s.request('POST', '/api/v1/namespaces/watched/configmaps', cm('w0'));
    const w = s.watch('/api/v1/namespaces/watched/configmaps?watch=true&resourceVersion=0');
    await eventually(() => w.events.length >= 1);
    await s.request('POST', '/api/v1/namespaces/watched/configmaps', cm('w1'));
    await s.request('PATCH', '/api/v1/namespaces/watched/configmaps/w1', { data: { a: '9' } }, { 'Content-Type': 'application/merge-patch+json' });
    await s.request('DELETE', '/api/v1/namespaces/watched/configmaps/w1');
    await eventually(() => w.events.length >= 4);
    w.stop();
    assert.deepEqual(w.events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'w0'], ['ADDED', 'w1'], ['MODIFIED', 'w1'], ['DELETED', 'w1']]);
    const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual([...rvs].sort((a, b) => a - b), rvs);
  });

  test('watches resume from a resourceVersion and end at timeoutSeconds', async () => {
    await s.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'resume' } });
    const first = await s.request('POST', '/api/v1/namespaces/resume/configmaps', cm('r0'));
    await s.request('POST', '/api/v1/namespaces/resume/configmaps', cm('r1'));
    await s.request('POST', '/api/v1/namespaces/resume/configmaps', cm('r2'));
    const w = s.watch(`/api/v1/namespaces/resume/configmaps?watch=1&resourceVersion=${first.json.metadata.resourceVersion}&timeoutSeconds=1`);
    await w.ended;
    assert.deepEqual(w.events.map((e) => e.object.metadata.name), ['r1', 'r2']);
  });

  test('sends the initial-events-end bookmark for sendInitialEvents', async () => {
    const w = s.watch('/api/v1/namespaces?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1');
    await w.ended;
    const bm = w.events.find((e) => e.type === 'BOOKMARK');
    assert.ok(bm, JSON.stringify(w.events));
    assert.equal(bm.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
    assert.ok(w.events.findIndex((e) => e.type === 'ADDED') < w.events.indexOf(bm));
  });

  test('serves legacy and aggregated discovery', async () => {
    const v1 = await s.request('GET', '/api/v1');
    const pods = v1.json.resources.find((r: any) => r.name === 'pods');
    assert.deepEqual(pods.shortNames, ['po']);
    assert.ok(v1.json.resources.some((r: any) => r.name === 'pods/status'));
    const apis = await s.request('GET', '/apis');
    assert.ok(apis.json.groups.some((g: any) => g.name === 'apps'));
    const agg = await s.request('GET', '/apis', undefined, { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    assert.match(String(agg.headers['content-type']), /as=APIGroupDiscoveryList/);
    const apps = agg.json.items.find((i: any) => i.metadata.name === 'apps');
    const deploy = apps.versions[0].resources.find((r: any) => r.resource === 'deployments');
    assert.deepEqual(deploy.responseKind, { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.ok(deploy.subresources.some((x: any) => x.subresource === 'scale' && x.responseKind.kind === 'Scale'));
  });

  test('keeps a deleting object while finalizers remain, then removes it', async () => {
    await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('fin', {}, { finalizers: ['example.com/hold'] }));
    const d = await s.request('DELETE', '/api/v1/namespaces/default/configmaps/fin');
    assert.equal(d.status, 200);
    const g = await s.request('GET', '/api/v1/namespaces/default/configmaps/fin');
    assert.ok(g.json.metadata.deletionTimestamp);
    await s.request('PATCH', '/api/v1/namespaces/default/configmaps/fin', [{ op: 'remove', path: '/metadata/finalizers' }], { 'Content-Type': 'application/json-patch+json' });
    assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps/fin')).status, 404);
  });

  test('deleting a namespace leaves it Terminating and refuses new content', async () => {
    await s.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    const d = await s.request('DELETE', '/api/v1/namespaces/doomed');
    assert.equal(d.status, 200, d.body);
    const ns = await s.request('GET', '/api/v1/namespaces/doomed');
    assert.equal(ns.json.status.phase, 'Terminating');
    const c = await s.request('POST', '/api/v1/namespaces/doomed/configmaps', cm('late'));
    assert.equal(c.status, 403);
    const f = await s.request('PUT', '/api/v1/namespaces/doomed/finalize', { ...ns.json, spec: { finalizers: [] } });
    assert.equal(f.status, 200, f.body);
    assert.equal((await s.request('GET', '/api/v1/namespaces/doomed')).status, 404);
    assert.equal((await s.request('DELETE', '/api/v1/namespaces/default')).status, 403);
  });

  test('binds a pod to a node once', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bindme' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    const c = await s.request('POST', '/api/v1/namespaces/default/pods', pod);
    assert.equal(c.status, 201, c.body);
    assert.equal(c.json.status.phase, 'Pending');
    const b = await s.request('POST', '/api/v1/namespaces/default/pods/bindme/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bindme' }, target: { kind: 'Node', name: 'n1' } });
    assert.equal(b.status, 201, b.body);
    const again = await s.request('POST', '/api/v1/namespaces/default/pods/bindme/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bindme' }, target: { kind: 'Node', name: 'n2' } });
    assert.equal(again.status, 409);
    const g = await s.request('GET', '/api/v1/namespaces/default/pods/bindme');
    assert.equal(g.json.spec.nodeName, 'n1');
  });

  test('allocates distinct cluster IPs and keeps them across a replace', async () => {
    const svc = (name: string, extra: Record<string, unknown> = {}) => ({
      apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...extra },
    });
    const a = await s.request('POST', '/api/v1/namespaces/default/services', svc('a'));
    const b = await s.request('POST', '/api/v1/namespaces/default/services', svc('b'));
    assert.equal(a.status, 201, a.body);
    assert.match(a.json.spec.clusterIP, /^10\.43\.\d+\.\d+$/);
    assert.deepEqual(a.json.spec.clusterIPs, [a.json.spec.clusterIP]);
    assert.notEqual(a.json.spec.clusterIP, b.json.spec.clusterIP);
    const taken = await s.request('POST', '/api/v1/namespaces/default/services', svc('c', { clusterIP: a.json.spec.clusterIP }));
    assert.equal(taken.status, 422);
    assert.match(taken.json.message, /already allocated/);
    const np = await s.request('POST', '/api/v1/namespaces/default/services', svc('np', { type: 'NodePort' }));
    const port = np.json.spec.ports[0].nodePort;
    assert.ok(port >= 30000 && port <= 32767, String(port));
    const replaced = await s.request('PUT', '/api/v1/namespaces/default/services/np', { ...svc('np', { type: 'NodePort' }) });
    assert.equal(replaced.status, 200, replaced.body);
    assert.equal(replaced.json.spec.clusterIP, np.json.spec.clusterIP);
    assert.equal(replaced.json.spec.ports[0].nodePort, port);
    const k = await s.request('GET', '/api/v1/namespaces/default/services/kubernetes');
    assert.equal(k.json.spec.clusterIP, '10.43.0.1');
  });

  test('answers a watch from a compacted resourceVersion with 410 Expired', async () => {
    const first = await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('old'));
    await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('newer'));
    await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('newest'));
    await s.backend.compact(await s.backend.currentRevision());
    const w = s.watch(`/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=5&resourceVersion=${first.json.metadata.resourceVersion}`);
    await w.ended;
    assert.equal(w.events.length, 1);
    assert.equal(w.events[0].type, 'ERROR');
    assert.equal(w.events[0].object.code, 410);
    assert.equal(w.events[0].object.reason, 'Expired');
  });

  test('answers every kind of malformed request with a 4xx Status and stays healthy', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const cases: [string, string, unknown, Record<string, string>][] = [
      ['POST', '/api/v1/namespaces/default/configmaps', Buffer.from([0xff, 0xfe, 0x00, 0x01]), {}],
      ['POST', '/api/v1/namespaces/default/configmaps', '[]', {}],
      ['POST', '/api/v1/namespaces/default/configmaps', 'null', {}],
      ['POST', '/api/v1/namespaces/default/configmaps', deep, {}],
      ['POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { name: 'x' }, data: { a: 1 } }), {}],
      ['POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: 'x' }), {}],
      ['POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 'x' } }), {}],
      ['POST', '/api/v1/namespaces/default/configmaps', 'a: &a [*a]', { 'Content-Type': 'application/yaml' }],
      ['POST', '/api/v1/namespaces/default/configmaps', '{}', { 'Content-Type': 'application/vnd.kubernetes.protobuf' }],
      ['PATCH', '/api/v1/namespaces/default/configmaps/none', '{}', { 'Content-Type': 'application/strategic-merge-patch+json' }],
      ['PATCH', '/api/v1/namespaces/default/services/kubernetes', '{"spec":{"ports":"nope"}}', { 'Content-Type': 'application/strategic-merge-patch+json' }],
      ['PATCH', '/api/v1/namespaces/default/services/kubernetes', '{"spec":{"$patch":"explode"}}', { 'Content-Type': 'application/strategic-merge-patch+json' }],
      ['PATCH', '/api/v1/namespaces/default/services/kubernetes', '[{"op":"move","from":"/nope","path":"/x"}]', { 'Content-Type': 'application/json-patch+json' }],
      ['GET', '/api/v1/namespaces/default/configmaps?labelSelector=%3D%3D%3D', undefined, {}],
      ['GET', '/api/v1/namespaces/default/configmaps?limit=-3', undefined, {}],
      ['GET', '/api/v1/namespaces/default/configmaps?continue=garbage', undefined, {}],
      ['GET', '/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=abc', undefined, {}],
      ['GET', '/api/v1/namespaces/%ZZ/configmaps', undefined, {}],
      ['DELETE', '/api/v1/namespaces/default/configmaps/x', '{"propagationPolicy":"Sideways"}', {}],
      ['PUT', '/api/v1/namespaces/default/configmaps', '{}', {}],
      ['GET', '/apis/nope.example.com/v1/things', undefined, {}],
    ];
    for (const [method, path, body, headers] of cases) {
      const r = await s.request(method, path, body, headers);
      assert.ok(r.status >= 400 && r.status < 500, `${method} ${path}: ${r.status} ${r.body.slice(0, 200)}`);
      assert.equal(r.json?.kind, 'Status', `${method} ${path}: ${r.body.slice(0, 200)}`);
    }
    assert.equal((await s.request('GET', '/readyz')).status, 200);
    const k = await s.request('GET', '/api/v1/namespaces/default/services/kubernetes');
    assert.deepEqual(k.json.spec.ports.map((p: any) => p.port), [443]);
  });

  test('watches from now on for sendInitialEvents=false without a resourceVersion', async () => {
    await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('before-watch'));
    const w = s.watch('/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=false&resourceVersionMatch=NotOlderThan&timeoutSeconds=1');
    await new Promise((r) => setTimeout(r, 100));
    await s.request('POST', '/api/v1/namespaces/default/configmaps', cm('after-watch'));
    await w.ended;
    assert.deepEqual(w.events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'after-watch']]);
  });

  test('answers an exact list at a future revision with 504', async () => {
    const r = await s.request('GET', '/api/v1/namespaces/default/configmaps?resourceVersion=999999999&resourceVersionMatch=Exact');
    assert.equal(r.status, 504);
    assert.equal(r.json.details.causes[0].reason, 'ResourceVersionTooLarge');
  });

  test('evicts a pod, and advertises only the subresources it serves', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'evictme' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    await s.request('POST', '/api/v1/namespaces/default/pods', pod);
    const e = await s.request('POST', '/api/v1/namespaces/default/pods/evictme/eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evictme' } });
    assert.equal(e.status, 201, e.body);
    assert.equal((await s.request('GET', '/api/v1/namespaces/default/pods/evictme')).status, 404);
    const v1 = await s.request('GET', '/api/v1');
    const names = v1.json.resources.map((r: any) => r.name);
    assert.ok(names.includes('pods/eviction'));
    assert.ok(names.includes('serviceaccounts/token'), 'serviceaccounts/token is advertised');
    assert.equal((await s.request('POST', '/api/v1/namespaces/default/serviceaccounts/nobody/token', {})).status, 404);
    assert.equal((await s.request('POST', '/api/v1/namespaces/default/pods/evictme/token', {})).status, 404);
  });

  test('publishes OpenAPI v3 with fieldValidation on patch operations', async () => {
    const idx = await s.request('GET', '/openapi/v3');
    const url = idx.json.paths['apis/apps/v1'].serverRelativeURL;
    assert.match(url, /^\/openapi\/v3\/apis\/apps\/v1\?hash=/);
    const doc = await s.request('GET', url);
    const patch = doc.json.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.ok(patch.parameters.some((p: any) => p.name === 'fieldValidation'));
  });
});
