import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../../apiserver/testing/fixture.js';
import type { Controller } from '../../client/controller.js';
import { replicaSetController, replicationController } from './index.js';
import { IndexedStore } from '../../client/store.js';
import { claimCandidates } from './claim.js';
import { CONTROLLER_UID_INDEX, controllerUidIndex, podsToDelete } from './pods.js';
import type { Pod, ReplicaOwner } from './types.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.js';

/** Runs controllers against the server, and plays kubelet: every pod is marked Running and Ready. */
function start(controllers: Controller[]): Promise<ControllerHarness> {
  return startControllerHarness({
    controllers, options: { workers: 2 },
    beforeStart({ client, informers }) {
      const pods = informers.informer<Pod>({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true });
      const mark = (p: Pod) => {
        if (p.metadata?.deletionTimestamp || p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
        void client.kind<Pod>('v1', 'Pod').updateStatus(p.metadata?.namespace, {
          ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] },
        }).catch(() => {});
      };
      pods.addEventHandler({ onAdd: mark, onUpdate: (_, p) => mark(p) });
    },
  });
}

const template = (app: string, image = 'nginx:1') => ({
  metadata: { labels: { app } },
  spec: { containers: [{ name: 'c', image }] },
});

function rs(name: string, replicas: number, app = name): ReplicaOwner {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app } }, template: template(app) },
  };
}

describe('replicaset controller', () => {
  let r: ControllerHarness;
  before(async () => {
    r = await start([replicaSetController, replicationController]);
  });
  after(() => r.close());

  const pods = (app: string) => r.client.kind<Pod>('v1', 'Pod').list('default', { labelSelector: `app=${app}` }).then((l) => l.items.filter((p) => !p.metadata?.deletionTimestamp));
  const getRS = (name: string) => r.client.kind<ReplicaOwner>('apps/v1', 'ReplicaSet').get('default', name);

  it('creates the replicas with controller owner references and reports status', async () => {
    const created = await r.client.kind<ReplicaOwner>('apps/v1', 'ReplicaSet').create('default', rs('web', 3));
    await eventually(async () => {
      const st = (await getRS('web')).status ?? {};
      return st.replicas === 3 && st.readyReplicas === 3 && st.availableReplicas === 3 && st.fullyLabeledReplicas === 3
        && st.observedGeneration === created.metadata?.generation;
    });
    const list = await pods('web');
    assert.equal(list.length, 3);
    for (const p of list) {
      assert.match(p.metadata!.name!, /^web-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata?.labels, { app: 'web' });
      assert.deepEqual(p.metadata?.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: created.metadata?.uid, controller: true, blockOwnerDeletion: true }]);
    }
    assert.equal(r.events.filter((e) => e.reason === 'SuccessfulCreate' && e.message.startsWith('Created pod: web-')).length, 3);
  });

  it('scaling down deletes the surplus', async () => {
    await r.client.kind('apps/v1', 'ReplicaSet').patch('default', 'web', { spec: { replicas: 1 } }, 'merge');
    await eventually(async () => (await pods('web')).length === 1 && (await getRS('web')).status?.replicas === 1);
    // Stays at one: no over-deletion or re-creation once settled.
    await new Promise((res) => setTimeout(res, 200));
    assert.equal((await pods('web')).length, 1);
    assert.equal(r.events.filter((e) => e.reason === 'SuccessfulDelete').length, 2);
  });

  it('replaces a deleted pod', async () => {
    const [p] = await pods('web');
    await r.client.kind('v1', 'Pod').delete('default', p.metadata!.name!);
    await eventually(async () => {
      const list = await pods('web');
      return list.length === 1 && list[0].metadata?.name !== p.metadata?.name;
    });
  });

  it('adopts a matching orphan pod instead of creating one', async () => {
    await r.client.kind('v1', 'Pod').create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    const set = await r.client.kind<ReplicaOwner>('apps/v1', 'ReplicaSet').create('default', rs('adopt', 2));
    await eventually(async () => (await getRS('adopt')).status?.replicas === 2);
    const orphan = await r.client.kind<Pod>('v1', 'Pod').get('default', 'orphan');
    assert.equal(orphan.metadata?.ownerReferences?.[0]?.uid, set.metadata?.uid);
    assert.equal(orphan.metadata?.ownerReferences?.[0]?.controller, true);
    assert.equal((await pods('adopt')).length, 2);
  });

  it('releases an owned pod whose labels stop matching, and replaces it', async () => {
    const [p] = await pods('adopt');
    await r.client.kind('v1', 'Pod').patch('default', p.metadata!.name!, { metadata: { labels: { app: 'elsewhere' } } }, 'merge');
    await eventually(async () => {
      const released = await r.client.kind<Pod>('v1', 'Pod').get('default', p.metadata!.name!);
      return (released.metadata?.ownerReferences ?? []).length === 0 && (await pods('adopt')).length === 2;
    });
  });

  it('leaves pods another set controls alone, even when its selector matches them', async () => {
    const a = await r.client.kind<ReplicaOwner>('apps/v1', 'ReplicaSet').create('default', rs('overlap-a', 2, 'overlap'));
    await eventually(async () => (await getRS('overlap-a')).status?.readyReplicas === 2);
    const b = await r.client.kind<ReplicaOwner>('apps/v1', 'ReplicaSet').create('default', rs('overlap-b', 1, 'overlap'));
    await eventually(async () => (await getRS('overlap-b')).status?.readyReplicas === 1);
    const owners = (await pods('overlap')).map((p) => p.metadata?.ownerReferences?.[0]?.uid);
    assert.equal(owners.length, 3);
    assert.equal(owners.filter((u) => u === a.metadata?.uid).length, 2);
    assert.equal(owners.filter((u) => u === b.metadata?.uid).length, 1);
    assert.equal((await getRS('overlap-a')).status?.replicas, 2);
  });

  it('drives a ReplicationController with a map selector', async () => {
    const rc = await r.client.kind<ReplicaOwner>('v1', 'ReplicationController').create('default', {
      apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'legacy' },
      spec: { replicas: 2, selector: { app: 'legacy' }, template: template('legacy') },
    });
    await eventually(async () => (await r.client.kind<ReplicaOwner>('v1', 'ReplicationController').get('default', 'legacy')).status?.readyReplicas === 2);
    const list = await pods('legacy');
    assert.equal(list.length, 2);
    assert.equal(list[0].metadata?.ownerReferences?.[0]?.kind, 'ReplicationController');
    assert.equal(list[0].metadata?.ownerReferences?.[0]?.uid, rc.metadata?.uid);
  });
});

describe('pods chosen for deletion', () => {
  const now = Date.parse('2024-01-01T01:00:00Z');
  const pod = (name: string, o: { node?: string; phase?: string; ready?: string; created?: string } = {}): Pod => ({
    metadata: { name, uid: name, creationTimestamp: o.created ?? '2024-01-01T00:00:00Z' },
    spec: o.node ? { nodeName: o.node } : {},
    status: { phase: o.phase ?? 'Running', conditions: o.ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: o.ready }] : [] },
  });

  it('prefers unassigned, then pending, then not ready, then the most recently ready', () => {
    const pods = [
      pod('ready-old', { node: 'n', ready: '2024-01-01T00:00:10Z' }),
      pod('ready-new', { node: 'n', ready: '2024-01-01T00:59:00Z' }),
      pod('notready', { node: 'n' }),
      pod('pending', { node: 'n', phase: 'Pending' }),
      pod('unassigned', { phase: 'Pending' }),
    ];
    assert.deepEqual(podsToDelete(pods, [], 5, now).map((p) => p.metadata?.name), ['unassigned', 'pending', 'notready', 'ready-new', 'ready-old']);
  });

  it('prefers younger pods among equals, and pods doubled up on a node', () => {
    const pods = [pod('old', { node: 'a', created: '2024-01-01T00:00:00Z' }), pod('young', { node: 'a', created: '2024-01-01T00:59:59Z' })];
    assert.equal(podsToDelete(pods, [], 1, now)[0].metadata?.name, 'young');
    const spread = [pod('alone', { node: 'a', created: '2024-01-01T00:59:59Z' }), pod('crowded', { node: 'b' })];
    const related = [spread[0], spread[1], pod('sibling', { node: 'b' })];
    assert.equal(podsToDelete(spread, related, 1, now)[0].metadata?.name, 'crowded');
  });
});

describe('controller-uid index', () => {
  const pod = (name: string, namespace: string, owner?: string): Pod => ({
    metadata: {
      name, namespace, uid: name,
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true }] } : {}),
    },
  });

  it('buckets objects by controller uid, and orphans by namespace', () => {
    assert.deepEqual(controllerUidIndex(pod('p', 'default', 'rs-1')), ['rs-1']);
    assert.deepEqual(controllerUidIndex(pod('p', 'default')), ['orphan/default']);
    // A non-controller owner reference does not make a controller.
    assert.deepEqual(controllerUidIndex({ metadata: { namespace: 'x', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'y', uid: 'u' }] } }), ['orphan/x']);
  });

  it('gives an owner its own objects and its namespace\'s orphans, following adoption', () => {
    const store = new IndexedStore<Pod>();
    store.addIndex(CONTROLLER_UID_INDEX, controllerUidIndex);
    store.add(pod('mine', 'default', 'rs-1'));
    store.add(pod('theirs', 'default', 'rs-2'));
    store.add(pod('orphan', 'default'));
    store.add(pod('elsewhere', 'other'));
    store.add(pod('mine-elsewhere', 'other', 'rs-1'));
    const names = () => claimCandidates(store, 'default', 'rs-1').map((p) => p.metadata?.name).sort();
    assert.deepEqual(names(), ['mine', 'orphan']);
    store.update(pod('orphan', 'default', 'rs-2'));
    assert.deepEqual(names(), ['mine']);
    store.update(pod('theirs', 'default'));
    assert.deepEqual(names(), ['mine', 'theirs']);
    // Registering the index again (a second controller on the same informer) changes nothing.
    store.addIndex(CONTROLLER_UID_INDEX, controllerUidIndex);
    assert.deepEqual(names(), ['mine', 'theirs']);
  });
});
