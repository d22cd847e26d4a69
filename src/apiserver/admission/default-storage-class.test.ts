import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../testing/fixture.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const SCS = '/apis/storage.k8s.io/v1/storageclasses';
const PVCS = '/api/v1/namespaces/default/persistentvolumeclaims';
const claim = (name: string, spec: any = {}, annotations?: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, ...(annotations ? { annotations } : {}) },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
});
const sc = (name: string, isDefault: boolean) => ({
  apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', provisioner: 'example.com/x',
  metadata: { name, ...(isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}) },
});

describe('DefaultStorageClass admission', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.close(); });

  async function created(body: any): Promise<any> {
    const r = await s.request('POST', PVCS, body);
    assert.equal(r.status, 201, r.body);
    return r.json;
  }

  test('the server starts with the local-path class as the default', async () => {
    const r = await s.request('GET', `${SCS}/local-path`);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.provisioner, 'kite.io/local-path');
    assert.equal(r.json.volumeBindingMode, 'WaitForFirstConsumer');
    assert.equal(r.json.reclaimPolicy, 'Delete');
    assert.equal(r.json.metadata.annotations['storageclass.kubernetes.io/is-default-class'], 'true');
  });

  test('a claim without a class gets the default class', async () => {
    assert.equal((await created(claim('plain'))).spec.storageClassName, 'local-path');
  });

  test('a claim with an empty class or a class of its own keeps it', async () => {
    assert.equal((await created(claim('empty', { storageClassName: '' }))).spec.storageClassName, '');
    assert.equal((await created(claim('own', { storageClassName: 'fast' }))).spec.storageClassName, 'fast');
  });

  test('a claim naming its class by the beta annotation gets no default', async () => {
    const c = await created(claim('beta', {}, { 'volume.beta.kubernetes.io/storage-class': 'slow' }));
    assert.equal(c.spec.storageClassName, undefined);
  });

  test('with several defaults the newest wins; without any a claim stays without class', async () => {
    // Creation timestamps have second precision: wait for the next second so the new class is newer.
    const start = Math.floor(Date.now() / 1000);
    while (Math.floor(Date.now() / 1000) === start) await new Promise((r) => setTimeout(r, 50));
    const r = await s.request('POST', SCS, sc('newer', true));
    assert.equal(r.status, 201, r.body);
    assert.equal((await created(claim('two-defaults'))).spec.storageClassName, 'newer');

    for (const name of ['newer', 'local-path']) {
      const d = await s.request('DELETE', `${SCS}/${name}`);
      assert.equal(d.status, 200, d.body);
    }
    assert.equal((await created(claim('no-default'))).spec.storageClassName, undefined);
  });
});
