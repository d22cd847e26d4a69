import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startTestServer, type TestServer } from '../../testing/fixture.js';
import { jsonPatchResponse, startTestWebhookServer, type TestWebhookServer } from './webhook-server-testing.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const ADMREG = '/apis/admissionregistration.k8s.io/v1';
const CMS = '/api/v1/namespaces/team/configmaps';
const cm = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { a: 'b' } });

describe('admission webhooks through the API server', () => {
  let s: TestServer;
  let hook: TestWebhookServer;
  let n = 0;

  before(async () => {
    s = await startTestServer();
    hook = await startTestWebhookServer((req, path) => {
      if (path.startsWith('/validate')) {
        const obj = (req.operation === 'DELETE' ? req.oldObject : req.object) as any;
        if (obj?.metadata?.labels?.reject === 'yes') return { allowed: false, status: { message: 'reject=yes is not welcome here' } };
        return { allowed: true, warnings: ['checked by the test webhook'] };
      }
      if (path.startsWith('/mutate') && req.operation === 'CREATE') {
        return jsonPatchResponse([{ op: 'add', path: '/metadata/labels/mutated', value: 'yes' }]);
      }
      return { allowed: true };
    });
    assert.equal((await s.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels: { webhooks: 'on' } } })).status, 201);
    assert.equal((await s.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } })).status, 201);
    const webhook = (name: string, path: string, extra: any = {}) => ({
      name, sideEffects: 'None', admissionReviewVersions: ['v1'],
      clientConfig: { url: hook.url(path), caBundle: hook.caBundle },
      namespaceSelector: { matchLabels: { webhooks: 'on' } },
      rules: [{ operations: ['CREATE', 'UPDATE', 'DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
      ...extra,
    });
    const v = await s.request('POST', `${ADMREG}/validatingwebhookconfigurations`, {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'deny' },
      webhooks: [webhook('deny.example.com', '/validate')],
    });
    assert.equal(v.status, 201, v.body);
    assert.equal(v.json.webhooks[0].failurePolicy, 'Fail');
    const m = await s.request('POST', `${ADMREG}/mutatingwebhookconfigurations`, {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'label' },
      webhooks: [webhook('label.example.com', '/mutate', { rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }] })],
    });
    assert.equal(m.status, 201, m.body);
    // The configurations reach the dispatcher through its watch.
    await eventually(async () => (await s.request('POST', `${CMS}?dryRun=All`, cm('probe', { reject: 'yes' }))).status === 403);
  });
  after(async () => { await s.close(); await hook.close(); });

  it('refuses a bad object with the webhook message and admits and mutates a good one', async () => {
    const bad = await s.request('POST', CMS, cm(`c${++n}`, { reject: 'yes' }));
    assert.equal(bad.status, 403);
    assert.equal(bad.json.message, 'admission webhook "deny.example.com" denied the request: reject=yes is not welcome here');
    const good = await s.request('POST', CMS, cm(`c${++n}`));
    assert.equal(good.status, 201, good.body);
    assert.equal(good.json.metadata.labels.mutated, 'yes');
    assert.match(String(good.headers.warning), /checked by the test webhook/);
  });

  it('leaves namespaces outside the namespaceSelector alone', async () => {
    const r = await s.request('POST', '/api/v1/namespaces/other/configmaps', cm('free', { reject: 'yes' }));
    assert.equal(r.status, 201, r.body);
    assert.equal(r.json.metadata.labels.mutated, undefined);
  });

  it('checks updates, patches and deletes', async () => {
    const name = `c${++n}`;
    const created = await s.request('POST', CMS, cm(name));
    assert.equal(created.status, 201, created.body);
    const put = await s.request('PUT', `${CMS}/${name}`, { ...created.json, metadata: { ...created.json.metadata, labels: { reject: 'yes' } } });
    assert.equal(put.status, 403, put.body);
    const patch = await s.request('PATCH', `${CMS}/${name}`, { metadata: { labels: { reject: 'yes' } } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(patch.status, 403, patch.body);
    const other = await s.request('POST', '/api/v1/namespaces/other/configmaps', cm(name, { reject: 'yes' }));
    assert.equal(other.status, 201);
    const moved = await s.request('PATCH', `${CMS}/${name}`, { metadata: { labels: { keep: 'x' } } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(moved.status, 200, moved.body);
    assert.equal(moved.json.metadata.labels.mutated, 'yes');
    assert.equal((await s.request('DELETE', `${CMS}/${name}`)).status, 200);
  });

  it('sends deletes with the stored object, DeleteOptions and the dryRun flag', async () => {
    const name = `c${++n}`;
    assert.equal((await s.request('POST', CMS, cm(name))).status, 201);
    hook.requests.length = 0;
    const del = await s.request('DELETE', `${CMS}/${name}?dryRun=All`);
    assert.equal(del.status, 200, del.body);
    const review = hook.requests.find((r) => r.review.operation === 'DELETE')!.review;
    assert.equal(review.dryRun, true);
    assert.equal((review.oldObject as any).metadata.name, name);
    assert.equal((review.options as any).kind, 'DeleteOptions');
  });

  it('sends dryRun to webhooks with sideEffects None and stores nothing', async () => {
    hook.requests.length = 0;
    const name = `c${++n}`;
    const r = await s.request('POST', `${CMS}?dryRun=All`, cm(name));
    assert.equal(r.status, 201, r.body);
    assert.equal(r.json.metadata.labels.mutated, 'yes');
    assert.ok(hook.requests.length >= 2 && hook.requests.every((x) => x.review.dryRun === true));
    assert.equal((await s.request('GET', `${CMS}/${name}`)).status, 404);
  });

  it('answers by failurePolicy when the webhook Service does not exist', async () => {
    const cfg = (policy: string) => ({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: `missing-${policy.toLowerCase()}` },
      webhooks: [{
        name: 'missing.example.com', sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: policy,
        clientConfig: { service: { namespace: 'team', name: 'nothing-here' } },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['secrets'] }],
      }],
    });
    const secret = () => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `s${++n}` } });
    assert.equal((await s.request('POST', `${ADMREG}/validatingwebhookconfigurations`, cfg('Ignore'))).status, 201);
    assert.equal((await s.request('POST', '/api/v1/namespaces/team/secrets', secret())).status, 201);
    assert.equal((await s.request('POST', `${ADMREG}/validatingwebhookconfigurations`, cfg('Fail'))).status, 201);
    let last: any;
    await eventually(async () => (last = await s.request('POST', '/api/v1/namespaces/team/secrets', secret())).status === 500);
    assert.equal(last.json.message,
      'Internal error occurred: failed calling webhook "missing.example.com": failed to call webhook: Post "https://nothing-here.team.svc:443/?timeout=10s": service "nothing-here" not found');
    assert.equal((await s.request('DELETE', `${ADMREG}/validatingwebhookconfigurations/missing-fail`)).status, 200);
    await eventually(async () => (await s.request('POST', '/api/v1/namespaces/team/secrets', secret())).status === 201);
  });

  it('rejects an invalid configuration with Kubernetes wording', async () => {
    const r = await s.request('POST', `${ADMREG}/validatingwebhookconfigurations`, {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'bad' },
      webhooks: [{ name: 'bad', admissionReviewVersions: ['v1'], clientConfig: { url: 'https://example.com' } }],
    });
    assert.equal(r.status, 422);
    assert.deepEqual(r.json.details.causes.map((c: any) => `${c.field}: ${c.message}`), [
      'webhooks[0].sideEffects: Required value',
      'webhooks[0].name: Invalid value: "bad": should be a domain with at least three segments separated by dots',
    ]);
  });
});
