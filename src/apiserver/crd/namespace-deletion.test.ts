import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../testing/fixture.js';
import { namespaceController } from '../../controllers/namespace/index.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.js';
import { widgetCRD } from './crd-testing.js';

describe('custom resources in a deleted namespace', () => {
  let h: ControllerHarness;
  before(async () => { h = await startControllerHarness({ controllers: [namespaceController] }); });
  after(() => h.close());

  test('are deleted with the namespace, found through discovery', async () => {
    const s = h.server;
    assert.equal((await s.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgetCRD())).status, 201);
    await eventually(async () => (await s.request('GET', '/apis/example.com/v1/widgets')).status === 200);
    assert.equal((await s.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'crns' } })).status, 201);
    const w = await s.request('POST', '/apis/example.com/v1/namespaces/crns/widgets', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: {} });
    assert.equal(w.status, 201, w.body);
    assert.equal((await s.request('DELETE', '/api/v1/namespaces/crns')).status, 200);
    await eventually(async () => (await s.request('GET', '/api/v1/namespaces/crns')).status === 404, 15_000);
    assert.equal((await s.request('GET', '/apis/example.com/v1/namespaces/crns/widgets/w')).status, 404);
  });
});
