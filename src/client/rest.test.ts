import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../apiserver/testing/fixture.js';
import { httpsTransport, inProcessTransport } from './transport.js';
import { ApiClient } from './rest.js';
import { isNotFound } from './errors.js';
import type { KubeObject } from '../apimachinery/object.js';

const controller = { name: 'system:kube-controller-manager', groups: ['system:masters'] };

describe('ApiClient', () => {
  let s: TestServer;
  let client: ApiClient;
  before(async () => {
    s = await startTestServer();
    client = new ApiClient(inProcessTransport(() => s.server.connectInProcess(controller)));
  });
  after(async () => {
    client.close();
    await s.close();
  });

  test('creates, reads, patches, lists and deletes through the in-process transport', async () => {
    const cms = client.kind('v1', 'ConfigMap');
    const created = await cms.create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', labels: { a: 'b' } }, data: { x: '1' } });
    assert.ok(created.metadata?.uid);
    const patched = await cms.patch('default', 'c1', { data: { y: '2' } }, 'merge');
    assert.deepEqual(patched.data, { x: '1', y: '2' });
    const list = await cms.list('default', { labelSelector: 'a=b' });
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ['c1']);
    assert.ok(list.metadata.resourceVersion);
    await cms.delete('default', 'c1');
    await assert.rejects(cms.get('default', 'c1'), (e) => isNotFound(e));
  });

  test('watches: events arrive in order and the stream can be closed', async () => {
    const cms = client.kind('v1', 'ConfigMap');
    const start = await cms.list('default');
    const w = await cms.watch('default', { resourceVersion: start.metadata.resourceVersion });
    await cms.create('default', { metadata: { name: 'w1' } } as KubeObject);
    await cms.patch('default', 'w1', { data: { k: 'v' } }, 'merge');
    const seen: string[] = [];
    for await (const ev of w) {
      seen.push(`${ev.type} ${ev.object.metadata?.name}`);
      if (seen.length === 2) break;
    }
    w.close();
    assert.deepEqual(seen, ['ADDED w1', 'MODIFIED w1']);
  });

  test('reaches the same server over HTTPS with the admin certificate', async () => {
    const https = new ApiClient(httpsTransport({ server: `https://127.0.0.1:${s.port}`, ca: s.pki.caCert, cert: s.pki.adminCert, key: s.pki.adminKey }));
    try {
      const ns = await https.kind('v1', 'Namespace').get(undefined, 'default');
      assert.equal(ns.metadata?.name, 'default');
    } finally {
      https.close();
    }
  });
});
