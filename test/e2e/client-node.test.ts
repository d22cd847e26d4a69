// The official JavaScript client (@kubernetes/client-node) against the server: typed calls, the
// Watch helper and an informer whose cache has to agree with the server.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  ApiException, CoreV1Api, KubeConfig, PatchStrategy, Watch, makeInformer, setHeaderOptions,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { pollUntil } from './polling.js';
import type { Kite } from './server-process.js';
import { describeBothStores, uniqueName } from './suites.js';

function client(kite: Kite): { kc: KubeConfig; api: CoreV1Api } {
  const kc = new KubeConfig();
  kc.loadFromFile(kite.kubeconfig);
  return { kc, api: kc.makeApiClient(CoreV1Api) };
}

function cm(ns: string, name: string, data: Record<string, string>): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data };
}

async function newNamespace(api: CoreV1Api, prefix: string): Promise<string> {
  const ns = uniqueName(prefix);
  await api.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
  return ns;
}

describeBothStores('@kubernetes/client-node', (ctx) => {
  it('creates, reads, lists, patches, replaces and deletes configmaps', async () => {
    const { api } = client(ctx.kite);
    const ns = await newNamespace(api, 'jscrud');
    const created = await api.createNamespacedConfigMap({ namespace: ns, body: cm(ns, 'one', { a: '1' }) });
    assert.equal(created.metadata?.name, 'one');
    assert.match(created.metadata?.resourceVersion ?? '', /^[1-9]\d*$/);
    await api.createNamespacedConfigMap({ namespace: ns, body: cm(ns, 'two', { a: '2' }) });

    const list = await api.listNamespacedConfigMap({ namespace: ns });
    assert.equal(list.kind, 'ConfigMapList');
    assert.match(list.metadata?.resourceVersion ?? '', /^[1-9]\d*$/);
    assert.deepEqual(list.items.map((i) => i.metadata?.name).filter((n) => n !== 'kube-root-ca.crt').sort(), ['one', 'two']);

    const read = await api.readNamespacedConfigMap({ name: 'one', namespace: ns });
    assert.deepEqual(read.data, { a: '1' });

    // The generated patch call sends a JSON patch by default.
    const patched = await api.patchNamespacedConfigMap({
      name: 'one', namespace: ns, body: [{ op: 'add', path: '/data/b', value: 'x' }],
    });
    assert.deepEqual(patched.data, { a: '1', b: 'x' });
    const merged = await api.patchNamespacedConfigMap(
      { name: 'one', namespace: ns, body: { data: { a: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.deepEqual(merged.data, { b: 'x' });

    const replaced = await api.replaceNamespacedConfigMap({ name: 'one', namespace: ns, body: { ...merged, data: { c: '3' } } });
    assert.deepEqual(replaced.data, { c: '3' });

    await api.deleteNamespacedConfigMap({ name: 'one', namespace: ns });
    await assert.rejects(api.readNamespacedConfigMap({ name: 'one', namespace: ns }), (err: unknown) => {
      assert.ok(err instanceof ApiException, String(err));
      assert.equal(err.code, 404);
      const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
      assert.equal(body.reason, 'NotFound');
      return true;
    });
  });

  it('watches ADDED, MODIFIED and DELETED of configmaps written through the API', async () => {
    const { kc, api } = client(ctx.kite);
    const ns = await newNamespace(api, 'jswatch');
    const rv = (await api.listNamespacedConfigMap({ namespace: ns })).metadata?.resourceVersion;
    const events: Array<[string, string, string | undefined]> = [];
    let doneErr: unknown = 'not done';
    const controller = await new Watch(kc).watch(
      `/api/v1/namespaces/${ns}/configmaps`,
      { resourceVersion: rv },
      (type, obj: V1ConfigMap) => {
        if (type !== 'BOOKMARK') events.push([type, obj.metadata?.name ?? '', obj.data?.v]);
      },
      (err) => (doneErr = err),
    );
    try {
      await api.createNamespacedConfigMap({ namespace: ns, body: cm(ns, 'w', { v: '1' }) });
      await api.patchNamespacedConfigMap(
        { name: 'w', namespace: ns, body: { data: { v: '2' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await api.deleteNamespacedConfigMap({ name: 'w', namespace: ns });
      await pollUntil('three watch events', () => events.length >= 3, 15_000, 50);
      assert.deepEqual(events, [['ADDED', 'w', '1'], ['MODIFIED', 'w', '2'], ['DELETED', 'w', '2']]);
      assert.equal(doneErr, 'not done', `the watch ended early: ${String(doneErr)}`);
    } finally {
      controller.abort();
    }
  });

  it('keeps an informer cache in step with the server through add, update and delete', async () => {
    const { kc, api } = client(ctx.kite);
    const ns = await newNamespace(api, 'jsinformer');
    await api.createNamespacedConfigMap({ namespace: ns, body: cm(ns, 'before', { v: '1' }) });

    const informer = makeInformer(kc, `/api/v1/namespaces/${ns}/configmaps`, () => api.listNamespacedConfigMap({ namespace: ns }));
    const seen: string[] = [];
    const errors: unknown[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name} ${o.data?.v}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    informer.on('error', (err) => errors.push(err));
    await informer.start();
    try {
      await pollUntil('the informer to list the existing configmap', () => seen.includes('add before'), 15_000, 50);

      await api.createNamespacedConfigMap({ namespace: ns, body: cm(ns, 'during', { v: '1' }) });
      await pollUntil('add during', () => seen.includes('add during'), 15_000, 50);
      await api.replaceNamespacedConfigMap({
        name: 'before', namespace: ns,
        body: { ...(await api.readNamespacedConfigMap({ name: 'before', namespace: ns })), data: { v: '2' } },
      });
      await pollUntil('update before', () => seen.includes('update before 2'), 15_000, 50);
      await api.deleteNamespacedConfigMap({ name: 'during', namespace: ns });
      await pollUntil('delete during', () => seen.includes('delete during'), 15_000, 50);

      const server = await api.listNamespacedConfigMap({ namespace: ns });
      const summary = (items: readonly V1ConfigMap[]) =>
        items.map((i) => `${i.metadata?.name}@${i.metadata?.resourceVersion}`).sort();
      await pollUntil('the informer cache to match the server list', () =>
        JSON.stringify(summary(informer.list(ns))) === JSON.stringify(summary(server.items)), 15_000, 50)
        .catch((err: Error) => {
          throw new Error(`${err.message}\ncache: ${summary(informer.list(ns))}\nserver: ${summary(server.items)}`);
        });
      assert.equal(informer.get('before', ns)?.data?.v, '2');
      assert.equal(informer.get('during', ns), undefined);
      assert.deepEqual(seen.filter((s) => !s.includes('kube-root-ca.crt')),
        ['add before', 'add during', 'update before 2', 'delete during']);
      assert.deepEqual(errors, []);
    } finally {
      await informer.stop();
    }
  });
});
