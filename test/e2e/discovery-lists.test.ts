// Discovery and list semantics against a real server with the real clients: kubectl 1.32 on
// aggregated discovery and on watch-lists, raw watch-lists with the initial-events-end bookmark,
// metadata-only answers, and deletecollection through the Python and JavaScript clients.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { configMap, createNamespace, createObject, cmPath, deployPath, deployment } from './fixtures.js';
import { parseTable } from './kubectl.js';
import { pythonWithClient, runPythonClient } from './python-client.js';
import type { Kite } from './server-process.js';
import { describeBothStores, uniqueName } from './suites.js';

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const META = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
const META_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const WATCH_LIST = 'watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true';
const WATCH_LIST_ENV = { KUBE_FEATURE_WatchListClient: 'true' };

/** Request URLs kubectl logged at -v=6 (`GET https://host/path?query 200 OK in …`). */
function loggedRequests(stderr: string): string[] {
  return [...stderr.matchAll(/round_trippers\.go:\d+\] (GET|POST|PUT|PATCH|DELETE) https:\/\/[^/]+(\/\S*)/g)].map((m) => `${m[1]} ${m[2]}`);
}

function labelled(ns: string, name: string, labels: Record<string, string>): object {
  return { ...configMap(ns, name, { k: name }), metadata: { name, namespace: ns, labels } };
}

async function names(kite: Kite, ns: string): Promise<string[]> {
  const res = await kite.request('GET', cmPath(ns));
  return res.json().items.map((i: any) => i.metadata.name).filter((n: string) => n !== 'kube-root-ca.crt').sort();
}

async function seedSelected(kite: Kite, prefix: string): Promise<string> {
  const ns = uniqueName(prefix);
  await createNamespace(kite, ns);
  for (const [n, tier] of [['a1', 'doomed'], ['a2', 'doomed'], ['keep', 'kept']] as const) {
    await createObject(kite, cmPath(ns), labelled(ns, n, { tier }));
  }
  return ns;
}

describeBothStores('discovery and lists', (ctx) => {
  it('kubectl reads aggregated discovery from /api and /apis and asks for no group-version', async () => {
    const res = await ctx.kite.kubectl(['api-resources', '-v=6']);
    const gets = loggedRequests(res.stderr).filter((r) => r.startsWith('GET '));
    assert.deepEqual(gets.map((g) => g.replace(/\?.*$/, '')), ['GET /api', 'GET /apis'], res.stderr);
    const verbose = await ctx.kite.kubectl(['api-resources', '-v=8']);
    assert.equal([...verbose.stderr.matchAll(/Content-Type: application\/json;g=apidiscovery\.k8s\.io;v=v2;as=APIGroupDiscoveryList/g)].length, 2, verbose.stderr);
    assert.doesNotMatch(verbose.stderr, /GET https:\/\/[^/]+\/(api\/v1|apis\/[^/?\s]+\/[^/?\s]+)[?\s]/);
  });

  it('kubectl api-resources lists every discovered resource with shortnames, scope and kind', async () => {
    const { kite } = ctx;
    const want = new Map<string, { SHORTNAMES: string; APIVERSION: string; NAMESPACED: string; KIND: string }>();
    for (const path of ['/api', '/apis']) {
      const res = await kite.request('GET', path, undefined, { Accept: `${AGGREGATED},application/json` });
      assert.equal(res.headers['content-type'], AGGREGATED);
      for (const g of res.json().items) {
        // kubectl shows each group's preferred (first) version.
        const v = g.versions[0];
        for (const r of v.resources) {
          assert.ok(r.responseKind?.kind, `${g.metadata.name} ${r.resource} has a responseKind`);
          for (const sub of r.subresources ?? []) assert.ok(sub.responseKind?.kind, `${r.resource}/${sub.subresource} has a responseKind`);
          want.set(`${r.resource}.${g.metadata.name}`, {
            SHORTNAMES: (r.shortNames ?? []).join(','),
            APIVERSION: g.metadata.name ? `${g.metadata.name}/${v.version}` : v.version,
            NAMESPACED: String(r.scope === 'Namespaced'),
            KIND: r.responseKind.kind,
          });
        }
      }
    }
    const out = await kite.kubectl(['api-resources']);
    const rows = parseTable(out.stdout);
    const got = new Map(rows.map((r) => {
      const group = r.APIVERSION.includes('/') ? r.APIVERSION.split('/')[0] : '';
      return [`${r.NAME}.${group}`, { SHORTNAMES: r.SHORTNAMES, APIVERSION: r.APIVERSION, NAMESPACED: r.NAMESPACED, KIND: r.KIND }];
    }));
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [k, v] of want) assert.deepEqual(got.get(k), v, k);
    assert.deepEqual(got.get('pods.'), { SHORTNAMES: 'po', APIVERSION: 'v1', NAMESPACED: 'true', KIND: 'Pod' });
    assert.deepEqual(got.get('deployments.apps'), { SHORTNAMES: 'deploy', APIVERSION: 'apps/v1', NAMESPACED: 'true', KIND: 'Deployment' });
  });

  it('answers aggregated discovery with an ETag, and 304 to a client holding it', async () => {
    const { kite } = ctx;
    const first = await kite.request('GET', '/apis', undefined, { Accept: AGGREGATED });
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[0-9A-F]+"$/);
    assert.equal(first.headers.vary, 'Accept');
    const cached = await kite.request('GET', '/apis', undefined, { Accept: AGGREGATED, 'If-None-Match': etag });
    assert.equal(cached.status, 304);
    assert.equal(cached.body, '');
  });

  it('kubectl wait runs its reflector as a watch-list that ends on the initial-events-end bookmark', async () => {
    const { kite } = ctx;
    const ns = uniqueName('waitlist');
    await createNamespace(kite, ns);
    await createObject(kite, cmPath(ns), configMap(ns, 'ready', { state: 'done' }));
    const res = await kite.kubectl(['wait', '-n', ns, '--for=jsonpath={.data.state}=done', 'configmap/ready', '--timeout=30s', '-v=6'], { env: WATCH_LIST_ENV });
    assert.match(res.stdout, /configmap\/ready condition met/);
    const watches = loggedRequests(res.stderr).filter((r) => r.includes('watch=true'));
    assert.ok(watches.length >= 1, res.stderr);
    assert.match(watches[0]!, /sendInitialEvents=true/);
    assert.match(watches[0]!, /resourceVersionMatch=NotOlderThan/);
    assert.match(res.stderr, /received the bookmark that marks the end of initial events stream/);
    // A watch-list replaces the LIST: none was sent.
    assert.ok(!loggedRequests(res.stderr).some((r) => r.startsWith('GET ') && r.includes('/configmaps?') && !r.includes('watch=true')), res.stderr);
  });

  it('kubectl wait on a watch-list sees a change made after its initial events', async () => {
    const { kite } = ctx;
    const ns = uniqueName('waitlive');
    await createNamespace(kite, ns);
    await createObject(kite, cmPath(ns), configMap(ns, 'later', { state: 'pending' }));
    const waiter = kite.spawnKubectl(['wait', '-n', ns, '--for=jsonpath={.data.state}=done', 'configmap/later', '--timeout=60s', '-v=6'], { env: WATCH_LIST_ENV });
    await waiter.waitFor((_, err) => /received the bookmark that marks the end of initial events stream/.test(err), 30_000, 'the watch-list to be synced');
    const patched = await kite.request('PATCH', `${cmPath(ns)}/later`, { data: { state: 'done' } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(patched.status, 200, patched.body);
    assert.equal(await waiter.exited(30_000), 0, waiter.stderr());
    assert.match(waiter.stdout(), /configmap\/later condition met/);

    // --for=delete through the same watch-list.
    const deleter = kite.spawnKubectl(['wait', '-n', ns, '--for=delete', 'configmap/later', '--timeout=60s', '-v=6'], { env: WATCH_LIST_ENV });
    await deleter.waitFor((_, err) => /sendInitialEvents=true/.test(err), 30_000, 'the delete wait to watch');
    assert.equal((await kite.request('DELETE', `${cmPath(ns)}/later`)).status, 200);
    assert.equal(await deleter.exited(30_000), 0, deleter.stderr());
  });

  it('kubectl rollout status follows a deployment through a watch-list', async () => {
    const { kite } = ctx;
    const ns = uniqueName('rollout');
    await createNamespace(kite, ns);
    // No replicas: the rollout completes once the controller has observed the generation.
    await createObject(kite, deployPath(ns), deployment(ns, 'idle', { replicas: 0 }));
    const res = await kite.kubectl(['rollout', 'status', '-n', ns, 'deployment/idle', '--timeout=60s', '-v=6'], { env: WATCH_LIST_ENV, timeoutMs: 90_000 });
    assert.match(res.stdout, /deployment "idle" successfully rolled out/);
    const watches = loggedRequests(res.stderr).filter((r) => r.includes('watch=true'));
    assert.ok(watches.length >= 1 && watches.every((w) => /sendInitialEvents=true/.test(w)), res.stderr);
  });

  it('a raw watch-list streams ADDED for every object, exactly one bookmark, then live events', async () => {
    const { kite } = ctx;
    const ns = uniqueName('rawlist');
    await createNamespace(kite, ns);
    for (const n of ['w1', 'w2', 'w3']) await createObject(kite, cmPath(ns), configMap(ns, n, { v: n }));
    const stream = await kite.stream(`${cmPath(ns)}?${WATCH_LIST}`);
    try {
      assert.equal(stream.status, 200);
      const initial: any[] = [];
      for (;;) {
        const e = await stream.nextJson(15_000);
        initial.push(e);
        if (e.type === 'BOOKMARK') break;
      }
      const added = initial.slice(0, -1);
      assert.deepEqual(added.map((e) => e.type), added.map(() => 'ADDED'));
      assert.deepEqual(added.map((e) => e.object.metadata.name).filter((n) => n !== 'kube-root-ca.crt').sort(), ['w1', 'w2', 'w3']);
      const bookmark = initial[initial.length - 1];
      assert.equal(bookmark.object.kind, 'ConfigMap');
      assert.equal(bookmark.object.apiVersion, 'v1');
      assert.deepEqual(bookmark.object.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });
      const maxRV = Math.max(...added.map((e) => Number(e.object.metadata.resourceVersion)));
      assert.ok(Number(bookmark.object.metadata.resourceVersion) >= maxRV);

      await createObject(kite, cmPath(ns), configMap(ns, 'w4', { v: 'w4' }));
      const live = await stream.nextJson(15_000);
      assert.deepEqual([live.type, live.object.metadata.name], ['ADDED', 'w4']);
      assert.ok(Number(live.object.metadata.resourceVersion) > Number(bookmark.object.metadata.resourceVersion));
    } finally {
      stream.close();
    }
  });

  it('refuses watch-list options kube-apiserver refuses, with 422 on ListOptions', async () => {
    const { kite } = ctx;
    const res = await kite.request('GET', '/api/v1/configmaps?watch=true&sendInitialEvents=true');
    assert.equal(res.status, 422, res.body);
    assert.equal(res.json().message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    const list = await kite.request('GET', '/api/v1/configmaps?resourceVersionMatch=NotOlderThan');
    assert.equal(list.status, 422, list.body);
    assert.match(list.json().message, /resourceVersionMatch is forbidden unless resourceVersion is provided/);
  });

  it('answers metadata only for PartialObjectMetadataList lists, PartialObjectMetadata gets and watches', async () => {
    const { kite } = ctx;
    const ns = uniqueName('partial');
    await createNamespace(kite, ns);
    await createObject(kite, cmPath(ns), labelled(ns, 'm1', { app: 'meta' }));
    const list = await kite.request('GET', cmPath(ns), undefined, { Accept: META_LIST });
    assert.equal(list.status, 200, list.body);
    const body = list.json();
    assert.deepEqual([body.kind, body.apiVersion], ['PartialObjectMetadataList', 'meta.k8s.io/v1']);
    assert.match(body.metadata.resourceVersion, /^\d+$/);
    const m1 = body.items.find((i: any) => i.metadata.name === 'm1');
    assert.deepEqual([m1.kind, m1.apiVersion, m1.metadata.labels, m1.data], ['PartialObjectMetadata', 'meta.k8s.io/v1', { app: 'meta' }, undefined]);

    const one = (await kite.request('GET', `${cmPath(ns)}/m1`, undefined, { Accept: META })).json();
    assert.deepEqual([one.kind, one.metadata.name, one.metadata.uid === m1.metadata.uid, one.data], ['PartialObjectMetadata', 'm1', true, undefined]);
    const wrong = await kite.request('GET', cmPath(ns), undefined, { Accept: META });
    assert.equal(wrong.status, 406, wrong.body);

    const stream = await kite.stream(`${cmPath(ns)}?${WATCH_LIST}`, { Accept: META });
    try {
      const events: any[] = [];
      while (events.length === 0 || events[events.length - 1].type !== 'BOOKMARK') events.push(await stream.nextJson(15_000));
      assert.ok(events.every((e) => e.object.kind === 'PartialObjectMetadata' && e.object.data === undefined), JSON.stringify(events));
      assert.equal(events[events.length - 1].object.metadata.annotations['k8s.io/initial-events-end'], 'true');
      await kite.request('PATCH', `${cmPath(ns)}/m1`, { metadata: { labels: { app: 'changed' } } }, { 'Content-Type': 'application/merge-patch+json' });
      const change = await stream.nextJson(15_000);
      assert.deepEqual([change.type, change.object.kind, change.object.metadata.labels], ['MODIFIED', 'PartialObjectMetadata', { app: 'changed' }]);
    } finally {
      stream.close();
    }
  });

  it('deletes a labelled collection through the Python client, and nothing on dryRun=All', { skip: pythonWithClient || process.env.CI ? false : 'no Python interpreter with the kubernetes client (CI installs python3-kubernetes)' }, async () => {
    const { kite } = ctx;
    const ns = await seedSelected(kite, 'pydelcol');
    const script = `
import json, os
from kubernetes import client, config
config.load_kube_config()
v1 = client.CoreV1Api()
ns = os.environ['NS']
dry = v1.delete_collection_namespaced_config_map(ns, label_selector='tier=doomed', dry_run='All', _preload_content=False)
dry_names = sorted(i['metadata']['name'] for i in json.loads(dry.data)['items'])
after_dry = sorted(c.metadata.name for c in v1.list_namespaced_config_map(ns).items)
real = v1.delete_collection_namespaced_config_map(ns, label_selector='tier=doomed')
after = sorted(c.metadata.name for c in v1.list_namespaced_config_map(ns).items)
print(json.dumps({'dry': dry_names, 'afterDry': after_dry, 'kind': real.kind, 'after': after}))
`;
    const out = await runPythonClient(script, kite.kubeconfig, { NS: ns });
    const drop = (xs: string[]) => xs.filter((n) => n !== 'kube-root-ca.crt');
    assert.deepEqual(out.dry, ['a1', 'a2']);
    assert.deepEqual(drop(out.afterDry), ['a1', 'a2', 'keep']);
    assert.equal(out.kind, 'ConfigMapList');
    assert.deepEqual(drop(out.after), ['keep']);
    assert.deepEqual(await names(kite, ns), ['keep']);
  });

  it('deletes a labelled collection through @kubernetes/client-node, and nothing on dryRun=All', async () => {
    const { kite } = ctx;
    const ns = await seedSelected(kite, 'jsdelcol');
    const kc = new KubeConfig();
    kc.loadFromFile(kite.kubeconfig);
    const api = kc.makeApiClient(CoreV1Api);
    await api.deleteCollectionNamespacedConfigMap({ namespace: ns, labelSelector: 'tier=doomed', dryRun: 'All' });
    assert.deepEqual(await names(kite, ns), ['a1', 'a2', 'keep']);
    const status = await api.deleteCollectionNamespacedConfigMap({ namespace: ns, labelSelector: 'tier=doomed' });
    assert.equal(status.kind, 'ConfigMapList');
    assert.deepEqual(await names(kite, ns), ['keep']);
    // A field selector picks by name; an unknown field is the server's 400.
    await api.deleteCollectionNamespacedConfigMap({ namespace: ns, fieldSelector: 'metadata.name=keep' });
    assert.deepEqual(await names(kite, ns), []);
    await assert.rejects(api.deleteCollectionNamespacedConfigMap({ namespace: ns, fieldSelector: 'spec.nothing=x' }), (err: unknown) => {
      assert.ok(err instanceof ApiException, String(err));
      assert.equal(err.code, 400);
      return true;
    });
  });
});
