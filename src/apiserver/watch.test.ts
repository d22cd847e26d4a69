import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startTestServer, type TestServer } from './testing/fixture.js';

describe('watch events shared between watchers', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.close(); });

  test('every watcher of a change sees it as its own request asked', async () => {
    const ns = await s.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shared' } });
    // Every watch starts right after this revision, however late it is in place.
    const rv = `&resourceVersion=${ns.json.metadata.resourceVersion}`;
    const cases = [
      { name: 'plain', path: '/api/v1/namespaces/shared/configmaps?watch=1' },
      { name: 'second plain', path: '/api/v1/namespaces/shared/configmaps?watch=1' },
      { name: 'label-selected', path: '/api/v1/namespaces/shared/configmaps?watch=1&labelSelector=app%3Dx' },
      { name: 'all namespaces', path: '/api/v1/configmaps?watch=1' },
    ];
    const watches = cases.map((c) => ({ ...c, w: s.watch(c.path + rv) }));
    const meta = s.watch(`/api/v1/namespaces/shared/configmaps?watch=1${rv}`, { Accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io' });
    await s.request('POST', '/api/v1/namespaces/shared/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { app: 'x' } }, data: { k: '1' } });
    await s.request('PATCH', '/api/v1/namespaces/shared/configmaps/a', { metadata: { labels: { app: 'y' } } }, { 'Content-Type': 'application/merge-patch+json' });
    await s.request('DELETE', '/api/v1/namespaces/shared/configmaps/a');
    const want: Record<string, string[]> = {
      plain: ['ADDED', 'MODIFIED', 'DELETED'],
      'second plain': ['ADDED', 'MODIFIED', 'DELETED'],
      'label-selected': ['ADDED', 'DELETED'],
      'all namespaces': ['ADDED', 'MODIFIED', 'DELETED'],
    };
    for (const { name, w } of watches) {
      await eventually(() => w.events.length >= want[name]!.length);
      w.stop();
      assert.deepEqual(w.events.map((e) => e.type), want[name], name);
      for (const e of w.events) {
        assert.equal(e.object.kind, 'ConfigMap', name);
        assert.equal(e.object.apiVersion, 'v1', name);
        assert.deepEqual(e.object.data, { k: '1' }, name);
      }
    }
    const plain = watches[0]!.w.events;
    assert.deepEqual(watches[1]!.w.events, plain);
    assert.deepEqual(plain.map((e) => e.object.metadata.labels.app), ['x', 'y', 'y']);
    const rvs = plain.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual([...rvs].sort((a, b) => a - b), rvs);
    await eventually(() => meta.events.length >= 3);
    meta.stop();
    assert.deepEqual(meta.events.map((e) => [e.type, e.object.kind, e.object.data]), [
      ['ADDED', 'PartialObjectMetadata', undefined], ['MODIFIED', 'PartialObjectMetadata', undefined], ['DELETED', 'PartialObjectMetadata', undefined],
    ]);
  });
});
