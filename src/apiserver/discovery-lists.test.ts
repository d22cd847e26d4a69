import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startTestServer, type TestServer } from './testing/fixture.js';

const AGG = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
const META = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
const META_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

function cm(name: string, labels: Record<string, string> = {}): unknown {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: name } };
}

describe('discovery and list answers', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.close(); });

  async function namespace(name: string): Promise<string> {
    const r = await s.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    assert.equal(r.status, 201, r.body);
    return name;
  }

  test('aggregated discovery carries an ETag and answers a current copy with 304', async () => {
    for (const path of ['/api', '/apis']) {
      const first = await s.request('GET', path, undefined, { Accept: AGG });
      assert.equal(first.status, 200);
      assert.equal(first.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
      assert.equal(first.headers.vary, 'Accept');
      const etag = String(first.headers.etag);
      assert.match(etag, /^"[0-9A-F]{128}"$/);
      const again = await s.request('GET', path, undefined, { Accept: AGG, 'If-None-Match': etag });
      assert.equal(again.status, 304);
      assert.equal(again.body, '');
      const stale = await s.request('GET', path, undefined, { Accept: AGG, 'If-None-Match': '"0"' });
      assert.equal(stale.status, 200);
      assert.equal(stale.headers.etag, etag);
    }
  });

  test('every aggregated resource and subresource names its responseKind', async () => {
    for (const path of ['/api', '/apis']) {
      const doc = (await s.request('GET', path, undefined, { Accept: AGG })).json;
      assert.equal(doc.kind, 'APIGroupDiscoveryList');
      for (const g of doc.items) {
        for (const v of g.versions) {
          for (const r of v.resources) {
            assert.ok(r.responseKind?.kind && r.responseKind.version !== undefined, `${g.metadata.name}/${v.version} ${r.resource}`);
            for (const sub of r.subresources ?? []) {
              assert.ok(sub.responseKind?.kind, `${r.resource}/${sub.subresource}`);
            }
          }
        }
      }
    }
  });

  test('per-group-version discovery stays the APIResourceList, whatever the Accept', async () => {
    const r = await s.request('GET', '/apis/apps/v1', undefined, { Accept: AGG });
    assert.equal(r.json.kind, 'APIResourceList');
    assert.equal(r.headers['content-type'], 'application/json');
  });

  test('serves PartialObjectMetadataList lists, PartialObjectMetadata gets and watches, and 406 for the wrong one', async () => {
    const ns = await namespace('partial');
    await s.request('POST', `/api/v1/namespaces/${ns}/configmaps`, cm('a', { app: 'x' }));
    const list = await s.request('GET', `/api/v1/namespaces/${ns}/configmaps`, undefined, { Accept: META_LIST });
    assert.equal(list.status, 200, list.body);
    assert.equal(list.json.kind, 'PartialObjectMetadataList');
    assert.equal(list.json.apiVersion, 'meta.k8s.io/v1');
    assert.match(list.json.metadata.resourceVersion, /^\d+$/);
    const a = list.json.items.find((i: any) => i.metadata.name === 'a');
    assert.deepEqual([a.kind, a.apiVersion, a.metadata.labels, a.data], ['PartialObjectMetadata', 'meta.k8s.io/v1', { app: 'x' }, undefined]);

    const one = await s.request('GET', `/api/v1/namespaces/${ns}/configmaps/a`, undefined, { Accept: META });
    assert.deepEqual([one.json.kind, one.json.metadata.name, one.json.data], ['PartialObjectMetadata', 'a', undefined]);

    const listAsOne = await s.request('GET', `/api/v1/namespaces/${ns}/configmaps`, undefined, { Accept: META });
    assert.equal(listAsOne.status, 406);
    assert.equal(listAsOne.json.reason, 'NotAcceptable');
    assert.match(listAsOne.json.message, /you requested PartialObjectMetadata, but the requested object is a list/);
    const oneAsList = await s.request('GET', `/api/v1/namespaces/${ns}/configmaps/a`, undefined, { Accept: META_LIST });
    assert.equal(oneAsList.status, 406);
    assert.match(oneAsList.json.message, /you requested PartialObjectMetadataList, but the requested object is not a list/);
  });

  test('Table rows carry metadata, the object or nothing by includeObject, and an unknown value is 400', async () => {
    const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
    const ns = await namespace('tables');
    await s.request('POST', `/api/v1/namespaces/${ns}/configmaps`, cm('t'));
    const rowObject = async (q: string) => {
      const r = await s.request('GET', `/api/v1/namespaces/${ns}/configmaps/t${q}`, undefined, { Accept: TABLE });
      assert.equal(r.status, 200, r.body);
      return r.json.rows[0].object;
    };
    assert.deepEqual([(await rowObject('')).kind, (await rowObject('?includeObject=Metadata')).apiVersion], ['PartialObjectMetadata', 'meta.k8s.io/v1']);
    assert.deepEqual((await rowObject('?includeObject=Object')).data, { k: 't' });
    assert.equal(await rowObject('?includeObject=None'), undefined);
    const bad = await s.request('GET', `/api/v1/namespaces/${ns}/configmaps?includeObject=All`, undefined, { Accept: TABLE });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.message, 'unrecognized includeObject value: "All"');
    const badWatch = await s.request('GET', `/api/v1/namespaces/${ns}/configmaps?watch=1&includeObject=All`, undefined, { Accept: TABLE });
    assert.equal(badWatch.status, 400);
  });

  test('a watch-list sends ADDED for each object, one initial-events-end bookmark, then live events', async () => {
    const ns = await namespace('watchlist');
    for (const n of ['a', 'b', 'c']) await s.request('POST', `/api/v1/namespaces/${ns}/configmaps`, cm(n));
    const w = s.watch(`/api/v1/namespaces/${ns}/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
    await eventually(() => w.events.some((e) => e.type === 'BOOKMARK'));
    await s.request('POST', `/api/v1/namespaces/${ns}/configmaps`, cm('d'));
    await eventually(() => w.events.length >= 5);
    w.stop();
    const names = (e: any) => `${e.type} ${e.object.metadata.name ?? ''}`.trim();
    assert.deepEqual(w.events.slice(0, 3).map(names).sort(), ['ADDED a', 'ADDED b', 'ADDED c']);
    assert.deepEqual(w.events.slice(3).map(names), ['BOOKMARK', 'ADDED d']);
    const bm = w.events[3];
    assert.equal(bm.object.kind, 'ConfigMap');
    assert.equal(bm.object.apiVersion, 'v1');
    assert.deepEqual(bm.object.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });
    assert.ok(Number(bm.object.metadata.resourceVersion) >= Math.max(...w.events.slice(0, 3).map((e) => Number(e.object.metadata.resourceVersion))));
  });

  test('a watch-list without allowWatchBookmarks gets the initial events and no bookmark', async () => {
    const ns = await namespace('nobookmarks');
    await s.request('POST', `/api/v1/namespaces/${ns}/configmaps`, cm('a'));
    const w = s.watch(`/api/v1/namespaces/${ns}/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1`);
    await w.ended;
    assert.deepEqual(w.events.map((e) => e.type), ['ADDED']);
  });

  test('a legacy watch from resourceVersion 0 that allows bookmarks gets the initial-events-end bookmark too', async () => {
    const ns = await namespace('legacywatch');
    await s.request('POST', `/api/v1/namespaces/${ns}/configmaps`, cm('a'));
    const w = s.watch(`/api/v1/namespaces/${ns}/configmaps?watch=1&resourceVersion=0&allowWatchBookmarks=true&timeoutSeconds=1`);
    await w.ended;
    assert.deepEqual(w.events.map((e) => e.type).slice(0, 2), ['ADDED', 'BOOKMARK']);
    assert.equal(w.events[1].object.metadata.annotations['k8s.io/initial-events-end'], 'true');
  });

  test('refuses inconsistent list and watch options with 422 on ListOptions', async () => {
    for (const path of [
      '/api/v1/namespaces/default/configmaps?resourceVersionMatch=NotOlderThan',
      '/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=true',
      '/api/v1/namespaces/default/configmaps?watch=1&resourceVersionMatch=NotOlderThan',
    ]) {
      const r = await s.request('GET', path);
      assert.equal(r.status, 422, path);
      assert.equal(r.json.details.kind, 'ListOptions');
      assert.equal(r.json.details.group, 'meta.k8s.io');
    }
  });

  test('deletecollection deletes exactly the selected objects and answers with their list; dryRun deletes none', async () => {
    const ns = await namespace('delcol');
    for (const [n, tier] of [['a', 'x'], ['b', 'x'], ['c', 'y']]) await s.request('POST', `/api/v1/namespaces/${ns}/configmaps`, cm(n!, { tier: tier! }));
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    const names = async () => (await s.request('GET', base)).json.items.map((i: any) => i.metadata.name).filter((n: string) => n !== 'kube-root-ca.crt').sort();

    const dry = await s.request('DELETE', `${base}?labelSelector=tier%3Dx&dryRun=All`);
    assert.equal(dry.status, 200, dry.body);
    assert.equal(dry.json.kind, 'ConfigMapList');
    assert.deepEqual(dry.json.items.map((i: any) => i.metadata.name).sort(), ['a', 'b']);
    assert.deepEqual(await names(), ['a', 'b', 'c']);

    const real = await s.request('DELETE', `${base}?labelSelector=tier%3Dx`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
    assert.equal(real.status, 200, real.body);
    assert.deepEqual(real.json.items.map((i: any) => [i.metadata.name, i.data.k]).sort(), [['a', 'a'], ['b', 'b']]);
    assert.deepEqual(await names(), ['c']);

    const meta = await s.request('DELETE', `${base}?fieldSelector=metadata.name%3Dc`, undefined, { Accept: META_LIST });
    assert.equal(meta.json.kind, 'PartialObjectMetadataList');
    assert.deepEqual(meta.json.items.map((i: any) => i.metadata.name), ['c']);
    assert.deepEqual(await names(), []);

    const bad = await s.request('DELETE', `${base}?resourceVersionMatch=Exact`);
    assert.equal(bad.status, 422);
    assert.equal(bad.json.details.kind, 'ListOptions');
    const ns405 = await s.request('DELETE', '/api/v1/namespaces');
    assert.equal(ns405.status, 405);
  });
});
