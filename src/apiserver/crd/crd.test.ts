import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startTestServer, type TestServer } from '../testing/fixture.js';
import { printerColumns } from '../../api/apiextensions/index.js';
import { widgetCRD } from './crd-testing.js';

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const W1 = '/apis/example.com/v1/namespaces/default/widgets';
const WB = '/apis/example.com/v1beta1/namespaces/default/widgets';

const widget = (name: string, spec: Record<string, unknown> = { replicas: 1 }, version = 'v1') => ({
  apiVersion: `example.com/${version}`, kind: 'Widget', metadata: { name }, spec,
});

async function established(s: TestServer, name: string): Promise<any> {
  let crd: any;
  await eventually(async () => {
    crd = (await s.request('GET', `${CRDS}/${name}`)).json;
    return crd?.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True');
  });
  return crd;
}

describe('CustomResourceDefinitions', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    const c = await s.request('POST', CRDS, widgetCRD());
    assert.equal(c.status, 201, c.body);
    await established(s, 'widgets.example.com');
  });
  after(async () => { await s.close(); });

  test('accept the names, establish the CRD and record the storage version', async () => {
    const crd = (await s.request('GET', `${CRDS}/widgets.example.com`)).json;
    const names = crd.status.conditions.find((c: any) => c.type === 'NamesAccepted');
    assert.deepEqual([names.status, names.reason, names.message], ['True', 'NoConflicts', 'no conflicts found']);
    const est = crd.status.conditions.find((c: any) => c.type === 'Established');
    assert.deepEqual([est.status, est.reason], ['True', 'InitialNamesAccepted']);
    assert.equal(crd.status.acceptedNames.kind, 'Widget');
    assert.deepEqual(crd.status.acceptedNames.shortNames, ['wd']);
    assert.deepEqual(crd.status.storedVersions, ['v1']);
  });

  test('refuse names another CRD of the group has accepted', async () => {
    const dup = widgetCRD({ plural: 'gadgets', kind: 'Widget', shortNames: ['gd'] });
    assert.equal((await s.request('POST', CRDS, dup)).status, 201);
    await eventually(async () => {
      const crd = (await s.request('GET', `${CRDS}/gadgets.example.com`)).json;
      const c = crd?.status?.conditions?.find((x: any) => x.type === 'NamesAccepted');
      return c?.status === 'False' && c.reason === 'ListKindConflict' && c.message === '"WidgetList" is already in use';
    });
    const crd = (await s.request('GET', `${CRDS}/gadgets.example.com`)).json;
    const est = crd.status.conditions.find((x: any) => x.type === 'Established');
    assert.equal(est.status, 'False');
    assert.equal((await s.request('GET', '/apis/example.com/v1/gadgets')).status, 404);
    await s.request('DELETE', `${CRDS}/gadgets.example.com`);
  });

  test('serve objects in every served version from one stored copy', async () => {
    const c = await s.request('POST', W1, widget('one'));
    assert.equal(c.status, 201, c.body);
    assert.equal(c.json.apiVersion, 'example.com/v1');
    assert.equal(c.json.metadata.generation, 1);
    const b = await s.request('GET', `${WB}/one`);
    assert.equal(b.status, 200, b.body);
    assert.equal(b.json.apiVersion, 'example.com/v1beta1');
    assert.equal(b.json.metadata.uid, c.json.metadata.uid);
    const c2 = await s.request('POST', WB, widget('two', { replicas: 2 }, 'v1beta1'));
    assert.equal(c2.status, 201, c2.body);
    const list = await s.request('GET', W1);
    assert.equal(list.json.kind, 'WidgetList');
    assert.equal(list.json.apiVersion, 'example.com/v1');
    assert.deepEqual(list.json.items.map((i: any) => i.metadata.name).sort(), ['one', 'two']);
    const byField = await s.request('GET', `${W1}?fieldSelector=metadata.name%3Dtwo`);
    assert.deepEqual(byField.json.items.map((i: any) => i.metadata.name), ['two']);
    const wrong = await s.request('POST', W1, widget('three', {}, 'v1beta1'));
    assert.equal(wrong.status, 400);
  });

  test('patch with JSON and merge patches, refuse strategic merge patch with 415', async () => {
    await s.request('POST', W1, widget('patched'));
    const m = await s.request('PATCH', `${W1}/patched`, { spec: { replicas: 3 } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(m.status, 200, m.body);
    assert.equal(m.json.spec.replicas, 3);
    assert.equal(m.json.metadata.generation, 2);
    const j = await s.request('PATCH', `${W1}/patched`, [{ op: 'replace', path: '/spec/replicas', value: 4 }], { 'Content-Type': 'application/json-patch+json' });
    assert.equal(j.json.spec.replicas, 4);
    const smp = await s.request('PATCH', `${W1}/patched`, { spec: { replicas: 5 } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    assert.equal(smp.status, 415);
    assert.equal(smp.json.reason, 'UnsupportedMediaType');
    assert.equal(smp.json.message, 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
    const pb = await s.request('POST', W1, 'x', { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
    assert.equal(pb.status, 415);
    const apply = await s.request('PATCH', `${W1}/applied?fieldManager=test`, 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: applied\nspec:\n  replicas: 2\n', { 'Content-Type': 'application/apply-patch+yaml' });
    assert.equal(apply.status, 201, apply.body);
  });

  test('keep status out of main-resource writes and everything but status out of /status writes', async () => {
    await s.request('POST', W1, widget('st'));
    const st = await s.request('PUT', `${W1}/st/status`, { ...widget('st', { replicas: 9 }), status: { replicas: 1, phase: 'Ready' } });
    assert.equal(st.status, 200, st.body);
    assert.deepEqual(st.json.status, { replicas: 1, phase: 'Ready' });
    assert.equal(st.json.spec.replicas, 1);
    assert.equal(st.json.metadata.generation, 1);
    const main = await s.request('PATCH', `${W1}/st`, { spec: { replicas: 2 }, status: { phase: 'Lost' } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(main.json.status.phase, 'Ready');
    assert.equal(main.json.metadata.generation, 2);
    const sp = await s.request('PATCH', `${W1}/st/status`, { status: { phase: 'Done' } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(sp.json.status.phase, 'Done');
    assert.equal(sp.json.metadata.generation, 2);
  });

  test('scale through the scale subresource', async () => {
    await s.request('POST', W1, widget('sc', { replicas: 1, selector: { matchLabels: { app: 'sc' } } }));
    await s.request('PATCH', `${W1}/sc/status`, { status: { replicas: 1 } }, { 'Content-Type': 'application/merge-patch+json' });
    const g = await s.request('GET', `${W1}/sc/scale`);
    assert.equal(g.json.kind, 'Scale');
    assert.equal(g.json.apiVersion, 'autoscaling/v1');
    assert.deepEqual(g.json.spec, { replicas: 1 });
    assert.equal(g.json.status.selector, 'app=sc');
    const p = await s.request('PATCH', `${W1}/sc/scale`, { spec: { replicas: 5 } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(p.status, 200, p.body);
    assert.equal((await s.request('GET', `${W1}/sc`)).json.spec.replicas, 5);
  });

  test('advertise the resource in discovery with its names and subresources', async () => {
    const legacy = await s.request('GET', '/apis/example.com/v1');
    const res = legacy.json.resources.find((r: any) => r.name === 'widgets');
    assert.deepEqual(res.shortNames, ['wd']);
    assert.deepEqual(res.categories, ['all-widgets']);
    assert.equal(res.singularName, 'widget');
    assert.ok(legacy.json.resources.some((r: any) => r.name === 'widgets/scale' && r.kind === 'Scale'));
    const group = await s.request('GET', '/apis/example.com');
    assert.equal(group.json.preferredVersion.version, 'v1');
    assert.deepEqual(group.json.versions.map((v: any) => v.version), ['v1', 'v1beta1']);
    const agg = await s.request('GET', '/apis', undefined, { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
    const g = agg.json.items.find((i: any) => i.metadata.name === 'example.com');
    const r = g.versions[0].resources.find((x: any) => x.resource === 'widgets');
    assert.deepEqual(r.responseKind, { group: 'example.com', version: 'v1', kind: 'Widget' });
    assert.deepEqual(r.subresources.map((x: any) => x.subresource), ['status', 'scale']);
  });

  test('watch objects of the resource', async () => {
    const w = s.watch(`${W1}?watch=1`);
    await eventually(() => w.events.length > 0);
    await s.request('POST', W1, widget('watched'));
    await s.request('DELETE', `${W1}/watched`);
    await eventually(() => w.events.some((e) => e.type === 'DELETED' && e.object.metadata.name === 'watched'));
    assert.ok(w.events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'watched' && e.object.apiVersion === 'example.com/v1'));
    w.stop();
  });

  test('serve a cluster-scoped CRD', async () => {
    const crd = widgetCRD({ scope: 'Cluster', group: 'cluster.example.com', plural: 'globals', kind: 'Global', shortNames: ['gl'] });
    assert.equal((await s.request('POST', CRDS, crd)).status, 201);
    await established(s, 'globals.cluster.example.com');
    const c = await s.request('POST', '/apis/cluster.example.com/v1/globals', { apiVersion: 'cluster.example.com/v1', kind: 'Global', metadata: { name: 'g1' }, spec: {} });
    assert.equal(c.status, 201, c.body);
    assert.equal(c.json.metadata.namespace, undefined);
    assert.equal((await s.request('GET', '/apis/cluster.example.com/v1/namespaces/default/globals')).status, 404);
  });

  test('print Tables with the printer columns', async () => {
    await s.request('POST', W1, widget('printed', { size: 'large', replicas: 2 }));
    const t = await s.request('GET', `${W1}/printed`, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    assert.equal(t.json.kind, 'Table');
    const cols = printerColumns(widgetCRD().spec.versions[1].additionalPrinterColumns);
    assert.deepEqual(t.json.columnDefinitions.map((c: any) => c.name), ['Name', ...cols.map((c) => c.name)]);
    assert.equal(t.json.rows[0].cells[0], 'printed');
    assert.equal(t.json.rows[0].cells.length, cols.length + 1);
  });

  test('publish OpenAPI v3 documents for the custom group-versions', async () => {
    const index = await s.request('GET', '/openapi/v3');
    assert.ok(index.json.paths['apis/example.com/v1'], Object.keys(index.json.paths).join(' '));
    assert.ok(index.json.paths['apis/example.com/v1beta1']);
    const doc = await s.request('GET', '/openapi/v3/apis/example.com/v1');
    assert.equal(doc.status, 200);
    const schema = doc.json.components.schemas['com.example.v1.Widget'];
    assert.deepEqual(schema['x-kubernetes-group-version-kind'], [{ group: 'example.com', version: 'v1', kind: 'Widget' }]);
    assert.ok(schema.properties.spec);
    assert.ok(doc.json.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
    const patch = doc.json.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'example.com', version: 'v1', kind: 'Widget' });
    assert.ok(patch.parameters.some((p: any) => p.name === 'fieldValidation'));
    assert.ok(doc.json.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/scale']);
  });

  test('deleting the CRD deletes its objects and stops serving it', async () => {
    const crd = widgetCRD({ group: 'doomed.example.com' });
    assert.equal((await s.request('POST', CRDS, crd)).status, 201);
    await established(s, 'widgets.doomed.example.com');
    const base = '/apis/doomed.example.com/v1/namespaces/default/widgets';
    for (const n of ['a', 'b']) assert.equal((await s.request('POST', base, { ...widget(n), apiVersion: 'doomed.example.com/v1' })).status, 201);
    const del = await s.request('DELETE', `${CRDS}/widgets.doomed.example.com`);
    assert.equal(del.status, 200, del.body);
    assert.ok(del.json.metadata.finalizers.includes('customresourcecleanup.apiextensions.k8s.io'));
    assert.equal(del.json.status.conditions.find((c: any) => c.type === 'Terminating').status, 'True');
    await eventually(async () => (await s.request('GET', `${CRDS}/widgets.doomed.example.com`)).status === 404);
    await eventually(async () => (await s.request('GET', '/apis/doomed.example.com/v1')).status === 404);
    assert.equal((await s.request('GET', '/apis/doomed.example.com/v1/widgets')).status, 404);
    assert.equal((await s.request('GET', '/openapi/v3')).json.paths['apis/doomed.example.com/v1'], undefined);
    const keys = await s.backend.list('/registry/widgets.doomed.example.com/', {});
    assert.equal(keys.items.length, 0);
  });
});
