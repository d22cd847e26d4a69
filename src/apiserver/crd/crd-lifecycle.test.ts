import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startTestServer, type TestServer } from '../testing/fixture.js';
import { widgetCRD } from './crd-testing.js';

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const MERGE = { 'Content-Type': 'application/merge-patch+json' };
const APPLY = { 'Content-Type': 'application/apply-patch+yaml' };

async function createEstablished(s: TestServer, crd: any): Promise<void> {
  const c = await s.request('POST', CRDS, crd);
  assert.equal(c.status, 201, c.body);
  await eventually(async () => {
    const got = (await s.request('GET', `${CRDS}/${crd.metadata.name}`)).json;
    return got?.status?.conditions?.some((x: any) => x.type === 'Established' && x.status === 'True');
  });
  const g = crd.spec.group;
  await eventually(async () => (await s.request('GET', `/apis/${g}/v1/namespaces/default/widgets`)).status === 200);
}

const widget = (group: string, name: string, rest: Record<string, unknown> = { spec: { replicas: 1 } }) => ({
  apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name }, ...rest,
});

describe('CustomResourceDefinition changes and custom resource storage', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.close(); });

  test('a default added to the schema later shows on existing objects in get, list and watch', async () => {
    const group = 'later.example.com';
    await createEstablished(s, widgetCRD({ group }));
    const base = `/apis/${group}/v1/namespaces/default/widgets`;
    assert.equal((await s.request('POST', base, widget(group, 'old'))).status, 201);
    const crd = (await s.request('GET', `${CRDS}/widgets.${group}`)).json;
    for (const v of crd.spec.versions) v.schema.openAPIV3Schema.properties.spec.properties.colour = { type: 'string', default: 'blue' };
    const put = await s.request('PUT', `${CRDS}/widgets.${group}`, crd);
    assert.equal(put.status, 200, put.body);
    await eventually(async () => (await s.request('GET', `${base}/old`)).json?.spec?.colour === 'blue');
    const list = await s.request('GET', base);
    assert.deepEqual(list.json.items.map((i: any) => [i.metadata.name, i.spec.colour, i.spec.size]), [['old', 'blue', 'small']]);
    const w = s.watch(`${base}?watch=1&resourceVersion=0`);
    await eventually(() => w.events.length > 0);
    assert.equal(w.events[0].object.spec.colour, 'blue');
    w.stop();
  });

  test('an update that moves the storage version records it in storedVersions at once', async () => {
    const group = 'moved.example.com';
    await createEstablished(s, widgetCRD({ group }));
    const crd = (await s.request('GET', `${CRDS}/widgets.${group}`)).json;
    assert.deepEqual(crd.status.storedVersions, ['v1']);
    for (const v of crd.spec.versions) v.storage = v.name === 'v1beta1';
    const put = await s.request('PUT', `${CRDS}/widgets.${group}`, crd);
    assert.equal(put.status, 200, put.body);
    assert.deepEqual(put.json.status.storedVersions, ['v1', 'v1beta1']);
    assert.equal(put.json.metadata.generation, 2);
  });

  test('without a status subresource, generation moves on any change but metadata', async () => {
    const group = 'nostatus.example.com';
    const crd: any = widgetCRD({ group });
    for (const v of crd.spec.versions) delete v.subresources;
    await createEstablished(s, crd);
    const base = `/apis/${group}/v1/namespaces/default/widgets`;
    assert.equal((await s.request('POST', base, widget(group, 'g'))).status, 201);
    const st = await s.request('PATCH', `${base}/g`, { status: { phase: 'Ready' } }, MERGE);
    assert.equal(st.status, 200, st.body);
    assert.equal(st.json.status.phase, 'Ready');
    assert.equal(st.json.metadata.generation, 2);
    const labels = await s.request('PATCH', `${base}/g`, { metadata: { labels: { a: 'b' } } }, MERGE);
    assert.equal(labels.json.metadata.generation, 2);
    const spec = await s.request('PATCH', `${base}/g`, { spec: { replicas: 4 } }, MERGE);
    assert.equal(spec.json.metadata.generation, 3);
    assert.equal((await s.request('GET', `${base}/g/status`)).status, 404);
  });

  test('deleting a CRD with other finalizers keeps them, removes the objects, and ends watches once it is gone', async () => {
    const group = 'kept.example.com';
    const crd: any = widgetCRD({ group });
    crd.metadata.finalizers = ['example.com/keep'];
    await createEstablished(s, crd);
    const base = `/apis/${group}/v1/namespaces/default/widgets`;
    for (const n of ['a', 'b']) assert.equal((await s.request('POST', base, widget(group, n))).status, 201);
    const w = s.watch(`${base}?watch=1`);
    let ended = false;
    void w.ended.then(() => { ended = true; });
    await eventually(() => w.events.length >= 2);
    const del = await s.request('DELETE', `${CRDS}/widgets.${group}`);
    assert.equal(del.status, 200, del.body);
    assert.deepEqual(del.json.metadata.finalizers, ['example.com/keep', 'customresourcecleanup.apiextensions.k8s.io']);
    await eventually(async () => {
      const got = (await s.request('GET', `${CRDS}/widgets.${group}`)).json;
      const t = got.status.conditions.find((c: any) => c.type === 'Terminating');
      return JSON.stringify(got.metadata.finalizers) === '["example.com/keep"]' && t?.reason === 'InstanceDeletionCompleted';
    });
    assert.equal((await s.backend.list(`/registry/widgets.${group}/`, {})).items.length, 0);
    const create = await s.request('POST', base, widget(group, 'c'));
    assert.equal(create.status, 405, create.body);
    assert.equal(create.json.message, 'create not allowed while custom resource definition is terminating');
    const release = await s.request('PATCH', `${CRDS}/widgets.${group}`, { metadata: { finalizers: null } }, MERGE);
    assert.equal(release.status, 200, release.body);
    await eventually(async () => (await s.request('GET', `${CRDS}/widgets.${group}`)).status === 404);
    await eventually(() => ended);
    assert.ok(w.events.some((e) => e.type === 'DELETED' && e.object.metadata.name === 'a'));
  });
});

describe('server-side apply of custom resources', () => {
  let s: TestServer;
  const group = 'apply.example.com';
  const base = `/apis/${group}/v1/namespaces/default/widgets`;
  before(async () => {
    s = await startTestServer();
    const crd: any = widgetCRD({ group });
    for (const v of crd.spec.versions) {
      Object.assign(v.schema.openAPIV3Schema.properties.spec.properties, {
        ports: {
          type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } },
        },
        tags: { type: 'array', items: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      });
    }
    await createEstablished(s, crd);
  });
  after(async () => { await s.close(); });

  const yaml = (spec: string) => `apiVersion: ${group}/v1\nkind: Widget\nmetadata:\n  name: sa\nspec:\n${spec}`;
  const managers = (obj: any) => obj.metadata.managedFields.map((m: any) => `${m.manager}/${m.operation}`).sort();

  test('creates, merges map lists by key, replaces atomic lists, conflicts and forces', async () => {
    const a = await s.request('PATCH', `${base}/sa?fieldManager=alice`, yaml('  ports:\n  - name: http\n    port: 80\n  tags: [x]\n  labels: {team: a}\n'), APPLY);
    assert.equal(a.status, 201, a.body);
    assert.deepEqual(managers(a.json), ['alice/Apply']);
    assert.ok(a.json.metadata.managedFields[0].fieldsV1['f:spec']['f:ports']['k:{"name":"http"}']);
    assert.equal(a.json.spec.size, 'small', 'defaulted');

    const b = await s.request('PATCH', `${base}/sa?fieldManager=bob`, yaml('  ports:\n  - name: https\n    port: 443\n  labels: {owner: b}\n'), APPLY);
    assert.equal(b.status, 200, b.body);
    assert.deepEqual(b.json.spec.ports, [{ name: 'http', port: 80 }, { name: 'https', port: 443 }]);
    assert.deepEqual(b.json.spec.labels, { team: 'a', owner: 'b' });
    assert.deepEqual(managers(b.json), ['alice/Apply', 'bob/Apply']);

    const clash = await s.request('PATCH', `${base}/sa?fieldManager=bob`, yaml('  ports:\n  - name: https\n    port: 443\n  tags: [y]\n'), APPLY);
    assert.equal(clash.status, 409, clash.body);
    assert.equal(clash.json.reason, 'Conflict');
    assert.match(clash.json.message, /conflict with "alice": \.spec\.tags/);

    const forced = await s.request('PATCH', `${base}/sa?fieldManager=bob&force=true`, yaml('  ports:\n  - name: https\n    port: 443\n  tags: [y]\n'), APPLY);
    assert.equal(forced.status, 200, forced.body);
    assert.deepEqual(forced.json.spec.tags, ['y']);
    assert.deepEqual(forced.json.spec.labels, { team: 'a' }, 'what bob no longer applies is removed');
    const alice = forced.json.metadata.managedFields.find((m: any) => m.manager === 'alice');
    assert.equal(alice.fieldsV1['f:spec']['f:tags'], undefined);

    // Alice applies without the port she owned: it goes, bob's stays.
    const dropped = await s.request('PATCH', `${base}/sa?fieldManager=alice`, yaml('  labels: {team: a}\n'), APPLY);
    assert.equal(dropped.status, 200, dropped.body);
    assert.deepEqual(dropped.json.spec.ports, [{ name: 'https', port: 443 }]);
  });

  test('records managedFields on every write and prunes unknown fields of the applied configuration', async () => {
    const u = await s.request('PATCH', `${base}/sa?fieldManager=editor`, { spec: { replicas: 3 } }, MERGE);
    assert.equal(u.status, 200, u.body);
    assert.ok(managers(u.json).includes('editor/Update'));
    const strict = await s.request('PATCH', `${base}/sa?fieldManager=alice&fieldValidation=Strict`, yaml('  colour: red\n'), APPLY);
    assert.equal(strict.status, 400, strict.body);
    assert.match(strict.json.message, /unknown field "spec\.colour"/);
  });
});
