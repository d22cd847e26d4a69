import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './testing/fixture.js';
import { managerFromUserAgent } from './fieldmanager.js';

const APPLY = { 'Content-Type': 'application/apply-patch+yaml' };
const CM = '/api/v1/namespaces/default/configmaps';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const cm = (name: string, data: Record<string, string>, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...metadata }, data,
});

function owners(obj: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of obj.metadata.managedFields ?? []) out[`${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`] = e.fieldsV1;
  return out;
}

test('the default manager is the User-Agent up to its first slash', () => {
  assert.equal(managerFromUserAgent('curl/8.0'), 'curl');
  assert.equal(managerFromUserAgent('kubectl/v1.32.0 (linux/amd64) kubernetes/abc'), 'kubectl');
  assert.equal(managerFromUserAgent(undefined), '');
});

describe('managedFields and server-side apply', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.close(); });

  test('create records an Update entry for the manager, or the User-Agent without one', async () => {
    const c = await s.request('POST', `${CM}?fieldManager=kubectl-create`, cm('mf-create', { a: '1' }, { labels: { x: 'y' } }));
    assert.equal(c.status, 201, c.body);
    const [e] = c.json.metadata.managedFields;
    assert.equal(e.manager, 'kubectl-create');
    assert.equal(e.operation, 'Update');
    assert.equal(e.apiVersion, 'v1');
    assert.equal(e.fieldsType, 'FieldsV1');
    assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(e.fieldsV1, { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } } });
    const u = await s.request('POST', CM, cm('mf-agent', { a: '1' }), { 'User-Agent': 'curl/8.0' });
    assert.equal(u.json.metadata.managedFields[0].manager, 'curl');
  });

  test('an update gives the writer the fields it changed and keeps what a client may not change', async () => {
    await s.request('POST', `${CM}?fieldManager=one`, cm('mf-update', { a: '1', b: '2' }));
    const g = await s.request('GET', `${CM}/mf-update`);
    const body = { ...g.json, data: { a: '1', b: '3' } };
    delete body.metadata.managedFields;
    const u = await s.request('PUT', `${CM}/mf-update?fieldManager=two`, body);
    assert.equal(u.status, 200, u.body);
    assert.deepEqual(owners(u.json), {
      'one/Update': { 'f:data': { '.': {}, 'f:a': {} } },
      'two/Update': { 'f:data': { 'f:b': {} } },
    });
    const reset = await s.request('PUT', `${CM}/mf-update?fieldManager=two`, { ...u.json, metadata: { ...u.json.metadata, managedFields: [{}] } });
    assert.equal(reset.status, 200, reset.body);
    assert.equal(reset.json.metadata.managedFields, undefined);
  });

  test('apply requires fieldManager, and force only goes with apply', async () => {
    const noManager = await s.request('PATCH', `${CM}/mf-x`, cm('mf-x', { a: '1' }), APPLY);
    assert.equal(noManager.status, 422);
    assert.equal(noManager.json.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    const force = await s.request('PATCH', `${CM}/mf-x?force=true`, { data: { a: '1' } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(force.status, 422);
  });

  test('apply creates, updates, removes dropped fields and leaves an unchanged object alone', async () => {
    const c = await s.request('PATCH', `${CM}/mf-apply?fieldManager=alice`, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mf-apply\ndata:\n  a: "1"\n  b: "2"\n', APPLY);
    assert.equal(c.status, 201, c.body);
    assert.deepEqual(owners(c.json), { 'alice/Apply': { 'f:data': { 'f:a': {}, 'f:b': {} } } });
    const u = await s.request('PATCH', `${CM}/mf-apply?fieldManager=alice`, cm('mf-apply', { a: '2' }), APPLY);
    assert.equal(u.status, 200, u.body);
    assert.deepEqual(u.json.data, { a: '2' });
    const same = await s.request('PATCH', `${CM}/mf-apply?fieldManager=alice`, cm('mf-apply', { a: '2' }), APPLY);
    assert.equal(same.json.metadata.resourceVersion, u.json.metadata.resourceVersion);
    const dry = await s.request('PATCH', `${CM}/mf-apply?fieldManager=alice&dryRun=All`, cm('mf-apply', { a: '9' }), APPLY);
    assert.equal(dry.json.data.a, '9');
    assert.equal((await s.request('GET', `${CM}/mf-apply`)).json.data.a, '2');
  });

  test('the objects the server creates at start name it as their manager', async () => {
    const ns = await s.request('GET', '/api/v1/namespaces/kube-system');
    assert.deepEqual(ns.json.metadata.managedFields.map((e: any) => [e.manager, e.operation]), [['kite-apiserver', 'Update']]);
  });

  test('an apply that would create in a missing namespace is 404 for the namespace', async () => {
    const r = await s.request('PATCH', '/api/v1/namespaces/nowhere/configmaps/mf-ns?fieldManager=alice', cm('mf-ns', { a: '1' }), APPLY);
    assert.equal(r.status, 404);
    assert.equal(r.json.message, 'namespaces "nowhere" not found');
  });

  test('a second manager changing an owned field gets a conflict, and force takes it over', async () => {
    await s.request('POST', `${CM}?fieldManager=kubectl-client-side-apply`, cm('mf-conflict', { key: 'v1' }));
    const r = await s.request('PATCH', `${CM}/mf-conflict?fieldManager=other`, cm('mf-conflict', { key: 'v2' }), APPLY);
    assert.equal(r.status, 409, r.body);
    assert.equal(r.json.reason, 'Conflict');
    assert.equal(r.json.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.key');
    assert.deepEqual(r.json.details.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.data.key' }]);
    const same = await s.request('PATCH', `${CM}/mf-conflict?fieldManager=other`, cm('mf-conflict', { key: 'v1' }), APPLY);
    assert.equal(same.status, 200, 'applying the live value is no conflict');
    const f = await s.request('PATCH', `${CM}/mf-conflict?fieldManager=other&force=true`, cm('mf-conflict', { key: 'v2' }), APPLY);
    assert.equal(f.status, 200, f.body);
    assert.deepEqual(owners(f.json), {
      'other/Apply': { 'f:data': { 'f:key': {} } },
      'kubectl-client-side-apply/Update': { 'f:data': {} },
    });
  });

  test('apply to the status subresource records a status entry', async () => {
    const dep = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'mf-status' },
      spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    };
    const d = await s.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/mf-status?fieldManager=me', dep, APPLY);
    assert.equal(d.status, 201, d.body);
    assert.ok(!('f:status' in (owners(d.json)['me/Apply'] as object)));
    const st = await s.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/mf-status/status?fieldManager=ctrl',
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'mf-status' }, status: { observedGeneration: 1 } }, APPLY);
    assert.equal(st.status, 200, st.body);
    assert.deepEqual(owners(st.json)['ctrl/Apply/status'], { 'f:status': { 'f:observedGeneration': {} } });
  });

  test('kubectl takes over a client-side-applied object without conflicts and keeps the annotation current', async () => {
    const manifest = cm('mf-migrate', { a: '1', b: '2' });
    const annotated = cm('mf-migrate', { a: '1', b: '2' }, { annotations: { [LAST_APPLIED]: JSON.stringify(manifest) } });
    await s.request('POST', `${CM}?fieldManager=kubectl-client-side-apply`, annotated);
    const next = cm('mf-migrate', { a: '5', b: '2' });
    const r = await s.request('PATCH', `${CM}/mf-migrate?fieldManager=kubectl`, next, APPLY);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.data.a, '5');
    assert.deepEqual(JSON.parse(r.json.metadata.annotations[LAST_APPLIED]), next);
    const other = await s.request('PATCH', `${CM}/mf-migrate?fieldManager=someone`, cm('mf-migrate', { b: '7' }), APPLY);
    assert.equal(other.status, 409, 'only kubectl may use the annotation');
  });
});
