import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { realClock } from '../../apimachinery/clock.js';
import { silentLogger } from '../../apimachinery/log.js';
import type { KubeObject, OwnerReference } from '../../apimachinery/object.js';
import { eventually } from '../../apiserver/testing/fixture.js';
import { isNotFound } from '../../client/errors.js';
import type { ApiClient } from '../../client/rest.js';
import { WorkQueue } from '../../client/workqueue.js';
import { resourceForKind } from '../../client/rest.js';
import { GarbageCollector, garbageCollector } from './index.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.js';

describe('garbage collector', () => {
  let h: ControllerHarness;
  let client: ApiClient;

  before(async () => {
    h = await startControllerHarness({ controllers: [garbageCollector] });
    client = h.client;
    await h.informers.waitForSync();
  });

  after(() => h.close());

  const cms = () => client.kind('v1', 'ConfigMap');
  const ns = 'default';

  function ownerRef(obj: KubeObject, extra: Partial<OwnerReference> = {}): OwnerReference {
    return { apiVersion: obj.apiVersion ?? 'v1', kind: obj.kind ?? 'ConfigMap', name: obj.metadata!.name!, uid: obj.metadata!.uid!, ...extra };
  }

  function configMap(name: string, owners: OwnerReference[] = [], finalizers?: string[]): KubeObject {
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ownerReferences: owners, ...(finalizers ? { finalizers } : {}) } };
  }

  async function getOrUndefined(kind: [string, string], namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    try {
      return await client.kind(...kind).get(namespace, name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
  const cm = (name: string, namespace = ns) => getOrUndefined(['v1', 'ConfigMap'], namespace, name);

  it('deletes a configmap whose owner configmap was deleted', async () => {
    const owner = await cms().create(ns, configMap('owner-1'));
    await cms().create(ns, configMap('dep-1', [ownerRef(owner)]));
    await cms().delete(ns, 'owner-1');
    await eventually(async () => (await cm('dep-1')) === undefined);
  });

  it('collects 200 dependents of one deleted owner', async () => {
    await h.namespace('many');
    const owner = await cms().create('many', configMap('many-owner'));
    for (let i = 0; i < 200; i += 25) {
      await Promise.all(Array.from({ length: 25 }, (_, j) => cms().create('many', configMap(`many-dep-${i + j}`, [ownerRef(owner)]))));
    }
    await cms().delete('many', 'many-owner');
    await eventually(async () => (await cms().list('many')).items.length === 0, 20_000);
  });

  it('deletes an object created with a reference to an owner that never existed', async () => {
    await cms().create(ns, configMap('dep-dangling', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'nobody', uid: '00000000-0000-0000-0000-00000000dead' }]));
    await eventually(async () => (await cm('dep-dangling')) === undefined);
  });

  it('keeps a dependent whose owner exists, and drops only references to owners that are gone', async () => {
    const alive = await cms().create(ns, configMap('owner-alive'));
    const doomed = await cms().create(ns, configMap('owner-doomed'));
    await cms().create(ns, configMap('dep-kept', [ownerRef(alive)]));
    await cms().create(ns, configMap('dep-two-owners', [ownerRef(alive), ownerRef(doomed)]));
    await cms().delete(ns, 'owner-doomed');
    await eventually(async () => (await cm('dep-two-owners'))?.metadata?.ownerReferences?.length === 1);
    const two = await cm('dep-two-owners');
    assert.deepEqual(two!.metadata!.ownerReferences!.map((r) => r.uid), [alive.metadata!.uid]);
    assert.ok(await cm('dep-kept'));
    assert.ok(await cm('owner-alive'));
  });

  it('treats a namespaced owner in another namespace as absent', async () => {
    await h.namespace('other');
    const owner = await cms().create('other', configMap('owner-elsewhere'));
    await cms().create(ns, configMap('dep-cross-namespace', [ownerRef(owner)]));
    await eventually(async () => (await cm('dep-cross-namespace')) === undefined);
    assert.ok(await cm('owner-elsewhere', 'other'));
  });

  it('deletes a dependent whose owner name now belongs to another object', async () => {
    await cms().create(ns, configMap('namesake'));
    await cms().create(ns, configMap('dep-of-namesake', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'namesake', uid: '00000000-0000-0000-0000-0000000000ad' }]));
    await eventually(async () => (await cm('dep-of-namesake')) === undefined);
    assert.ok(await cm('namesake'));
  });

  it('keeps a dependent whose owner is of a kind the server does not serve', async () => {
    await cms().create(ns, configMap('dep-unknown-kind', [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: '00000000-0000-0000-0000-0000000000aa' }]));
    // A later collection in the same queue shows the first one was looked at.
    await cms().create(ns, configMap('dep-marker', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'nobody', uid: '00000000-0000-0000-0000-0000000000ab' }]));
    await eventually(async () => (await cm('dep-marker')) === undefined);
    assert.ok(await cm('dep-unknown-kind'));
  });

  it('foreground deletion removes blocking dependents before the owner', async () => {
    const owner = await cms().create(ns, configMap('fg-owner'));
    // The held dependent stays (its own finalizer) after deletion, so the owner must wait for it.
    await cms().create(ns, configMap('fg-held', [ownerRef(owner, { blockOwnerDeletion: true })], ['example.com/hold']));
    await cms().create(ns, configMap('fg-blocking', [ownerRef(owner, { blockOwnerDeletion: true })]));
    await cms().create(ns, configMap('fg-nonblocking', [ownerRef(owner)]));
    await cms().delete(ns, 'fg-owner', { propagationPolicy: 'Foreground' });

    await eventually(async () => (await cm('fg-blocking')) === undefined && (await cm('fg-nonblocking')) === undefined
      && Boolean((await cm('fg-held'))?.metadata?.deletionTimestamp));
    const waiting = await cm('fg-owner');
    assert.ok(waiting, 'the owner waits for its blocking dependent');
    assert.ok(waiting.metadata?.deletionTimestamp);
    assert.deepEqual(waiting.metadata?.finalizers, ['foregroundDeletion']);

    await cms().patch(ns, 'fg-held', { metadata: { finalizers: null } }, 'merge');
    await eventually(async () => (await cm('fg-owner')) === undefined);
    assert.equal(await cm('fg-held'), undefined);
  });

  it('foreground deletion goes down an ownership chain: deployment, replicaset, pod', async () => {
    const labels = { app: 'chain' };
    const template = { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    const deploy = await client.kind('apps/v1', 'Deployment').create(ns, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'chain' }, spec: { selector: { matchLabels: labels }, template },
    });
    const rs = await client.kind('apps/v1', 'ReplicaSet').create(ns, {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: 'chain-1', labels, ownerReferences: [ownerRef(deploy, { controller: true, blockOwnerDeletion: true })] },
      spec: { selector: { matchLabels: labels }, template },
    });
    await client.kind('v1', 'Pod').create(ns, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'chain-1-a', labels, ownerReferences: [ownerRef(rs, { controller: true, blockOwnerDeletion: true })] },
      spec: template.spec,
    });
    await client.kind('apps/v1', 'Deployment').delete(ns, 'chain', { propagationPolicy: 'Foreground' });
    await eventually(async () => (await getOrUndefined(['apps/v1', 'Deployment'], ns, 'chain')) === undefined);
    assert.equal(await getOrUndefined(['apps/v1', 'ReplicaSet'], ns, 'chain-1'), undefined);
    assert.equal(await getOrUndefined(['v1', 'Pod'], ns, 'chain-1-a'), undefined);
  });

  it('orphan deletion leaves dependents without the reference to the owner', async () => {
    const owner = await cms().create(ns, configMap('orphan-owner'));
    const other = await cms().create(ns, configMap('orphan-other-owner'));
    await cms().create(ns, configMap('orphan-dep-1', [ownerRef(owner, { blockOwnerDeletion: true })]));
    await cms().create(ns, configMap('orphan-dep-2', [ownerRef(owner), ownerRef(other)]));
    await cms().delete(ns, 'orphan-owner', { propagationPolicy: 'Orphan' });
    await eventually(async () => (await cm('orphan-owner')) === undefined);
    const dep1 = await cm('orphan-dep-1');
    const dep2 = await cm('orphan-dep-2');
    assert.ok(dep1 && dep2);
    assert.equal(dep1.metadata?.ownerReferences, undefined);
    assert.deepEqual(dep2.metadata?.ownerReferences?.map((r) => r.uid), [other.metadata!.uid]);
  });

  it('collects dependents of a cluster-scoped owner', async () => {
    const owner = await h.namespace('owning-ns');
    await cms().create(ns, configMap('dep-of-namespace', [ownerRef(owner)]));
    await cms().create(ns, configMap('dep-of-namespace-marker', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'nobody', uid: '00000000-0000-0000-0000-0000000000ac' }]));
    await eventually(async () => (await cm('dep-of-namespace-marker')) === undefined);
    assert.ok(await cm('dep-of-namespace'), 'kept while its cluster-scoped owner exists');
  });

  it('keeps a dependent whose owner the caches have not seen yet but the server has', async () => {
    // A collector fed only the dependent: its owner is absent from the graph, as when the owner's
    // informer lags behind.
    const queue = new WorkQueue({ clock: realClock });
    const lagging = new GarbageCollector(client, queue, { event() {} }, silentLogger);
    const ref = resourceForKind('v1', 'ConfigMap');
    const owner = await cms().create(ns, configMap('lag-owner'));
    const dep = await cms().create(ns, configMap('lag-dep', [ownerRef(owner)]));
    lagging.handler(ref).onAdd!(dep);
    await lagging.reconcile(dep.metadata!.uid!);
    assert.ok(await cm('lag-dep'), 'kept: the server still has the owner');
    queue.shutDown();
  });
});
