import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../../apiserver/testing/fixture.js';
import { isNotFound } from '../../client/errors.js';
import type { ApiClient } from '../../client/rest.js';
import { POD_INDEX_LABEL, POD_NAME_LABEL, REVISION_LABEL, statefulSetController } from './index.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

const NS = 'default';

function statefulSet(name: string, replicas: number): Obj {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: { name },
    spec: {
      replicas, serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        // Bound to a node so deletions are graceful and their order can be watched.
        spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'web:1', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] },
      },
      volumeClaimTemplates: [{
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      }],
    },
  };
}

describe('statefulset controller', () => {
  let h: ControllerHarness;
  let client: ApiClient;

  before(async () => {
    h = await startControllerHarness({ controllers: [statefulSetController] });
    client = h.client;
  });

  after(() => h.close());

  const pods = () => client.kind<Obj>('v1', 'Pod');
  const claims = () => client.kind<Obj>('v1', 'PersistentVolumeClaim');
  const sets = () => client.kind<Obj>('apps/v1', 'StatefulSet');

  const podsOf = async (app: string): Promise<Obj[]> =>
    (await pods().list(NS, { labelSelector: `app=${app}` })).items.sort((a: Obj, b: Obj) => a.metadata.name.localeCompare(b.metadata.name));
  const names = (ps: Obj[]) => ps.map((p) => p.metadata.name);

  /** Plays the node agent for one pod: Running and Ready. */
  async function run(name: string): Promise<void> {
    const p = await pods().get(NS, name);
    p.status = { ...p.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }] };
    await pods().updateStatus(NS, p);
  }

  /** Plays the node agent finishing a graceful deletion. */
  async function finishDeletion(name: string): Promise<void> {
    try {
      await pods().delete(NS, name, { gracePeriodSeconds: 0 });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  const status = async (name: string): Promise<Obj> => (await sets().get(NS, name)).status ?? {};

  it('creates web-0, and web-1 only once web-0 is running and ready, each after its claim', async () => {
    await sets().create(NS, statefulSet('web', 2));
    await eventually(async () => (await podsOf('web')).length === 1);
    await eventually(async () => (await status('web')).replicas === 1);
    assert.deepEqual(names(await podsOf('web')), ['web-0']);

    const p0 = await pods().get(NS, 'web-0');
    assert.equal(p0.metadata.labels[POD_NAME_LABEL], 'web-0');
    assert.equal(p0.metadata.labels[POD_INDEX_LABEL], '0');
    assert.match(p0.metadata.labels[REVISION_LABEL], /^web-[a-z0-9]+$/);
    assert.equal(p0.spec.hostname, 'web-0');
    assert.equal(p0.spec.subdomain, 'web');
    assert.deepEqual(p0.spec.volumes.find((v: Obj) => v.name === 'data').persistentVolumeClaim, { claimName: 'data-web-0' });
    assert.equal(p0.metadata.ownerReferences[0].kind, 'StatefulSet');
    const c0 = await claims().get(NS, 'data-web-0');
    assert.equal(c0.metadata.labels.app, 'web');
    assert.equal(c0.spec.resources.requests.storage, '1Gi');

    // Running but not ready is not enough.
    const notReady = await pods().get(NS, 'web-0');
    notReady.status = { ...notReady.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] };
    await pods().updateStatus(NS, notReady);
    await eventually(async () => (await status('web')).readyReplicas === 0 && (await status('web')).replicas === 1);
    assert.deepEqual(names(await podsOf('web')), ['web-0']);

    await run('web-0');
    await eventually(async () => names(await podsOf('web')).includes('web-1'));
    await claims().get(NS, 'data-web-1');
    await run('web-1');
    await eventually(async () => {
      const st = await status('web');
      return st.readyReplicas === 2 && st.replicas === 2 && st.availableReplicas === 2 && st.currentRevision === st.updateRevision
        && st.updatedReplicas === 2 && st.currentReplicas === 2;
    });
    const st = await status('web');
    assert.equal(st.observedGeneration, (await sets().get(NS, 'web')).metadata.generation);
    assert.equal(p0.metadata.labels[REVISION_LABEL], st.updateRevision);
  });

  it('rolls a template change only to ordinals at or above the partition, highest first', async () => {
    await sets().patch(NS, 'web', { spec: { replicas: 3 } }, 'merge');
    await eventually(async () => names(await podsOf('web')).includes('web-2'));
    await run('web-2');
    await eventually(async () => (await status('web')).readyReplicas === 3);
    const oldRevision = (await status('web')).currentRevision;

    await sets().patch(NS, 'web', { spec: {
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } },
      template: { spec: { containers: [{ name: 'c', image: 'web:2', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } },
    } }, 'merge');

    for (const ordinal of [2, 1]) {
      const name = `web-${ordinal}`;
      await eventually(async () => (await pods().get(NS, name)).metadata.deletionTimestamp !== undefined);
      const terminating = (await podsOf('web')).filter((p) => p.metadata.deletionTimestamp);
      assert.deepEqual(names(terminating), [name], 'one pod at a time, highest ordinal first');
      await finishDeletion(name);
      await eventually(async () => {
        try {
          const p = await pods().get(NS, name);
          return !p.metadata.deletionTimestamp && p.spec.containers[0].image === 'web:2';
        } catch (e) {
          if (isNotFound(e)) return false;
          throw e;
        }
      });
      await run(name);
    }
    await eventually(async () => {
      const st = await status('web');
      return st.updatedReplicas === 2 && st.readyReplicas === 3;
    });
    const st = await status('web');
    assert.equal(st.currentRevision, oldRevision, 'web-0 keeps the revision below the partition');
    assert.notEqual(st.updateRevision, oldRevision);
    assert.equal(st.currentReplicas, 1);
    const ps = await podsOf('web');
    assert.deepEqual(ps.map((p) => [p.metadata.name, p.spec.containers[0].image]), [['web-0', 'web:1'], ['web-1', 'web:2'], ['web-2', 'web:2']]);
    assert.equal(ps[0].metadata.labels[REVISION_LABEL], oldRevision);
    assert.equal(ps[2].metadata.labels[REVISION_LABEL], st.updateRevision);
  });

  it('scales down from the highest ordinal, one pod at a time, keeping the claims', async () => {
    await sets().patch(NS, 'web', { spec: { replicas: 1 } }, 'merge');
    for (const name of ['web-2', 'web-1']) {
      await eventually(async () => (await podsOf('web')).some((p) => p.metadata.deletionTimestamp));
      assert.deepEqual(names((await podsOf('web')).filter((p) => p.metadata.deletionTimestamp)), [name]);
      await finishDeletion(name);
    }
    await eventually(async () => {
      const st = await status('web');
      return st.replicas === 1 && st.readyReplicas === 1;
    });
    assert.deepEqual(names(await podsOf('web')), ['web-0']);
    const kept = (await claims().list(NS)).items.map((c: Obj) => c.metadata.name).sort();
    assert.deepEqual(kept, ['data-web-0', 'data-web-1', 'data-web-2']);
  });

  it('creates every pod at once with Parallel pod management', async () => {
    const set = statefulSet('par', 3);
    set.spec.podManagementPolicy = 'Parallel';
    await sets().create(NS, set);
    await eventually(async () => (await podsOf('par')).length === 3);
    assert.deepEqual(names(await podsOf('par')), ['par-0', 'par-1', 'par-2']);
  });
});
