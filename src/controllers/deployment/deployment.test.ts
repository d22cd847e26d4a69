import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, type TestServer } from '../../apiserver/testing/fixture.js';
import { FakeClock, realClock, type Clock } from '../../apimachinery/clock.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.js';
import { replicaSetController } from '../replicaset/index.js';
import { deploymentController } from './index.js';
import type { Deployment, ReplicaSet } from './types.js';

interface TestPod extends KubeObject {
  spec?: { containers?: { image?: string }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

/** The Deployment and ReplicaSet controllers, plus a stand-in kubelet marking pods Ready (except `broken` images). */
function startCluster(clock: Clock = realClock): Promise<ControllerHarness> {
  return startControllerHarness({
    controllers: [deploymentController, replicaSetController], clock, informerClock: clock, options: { workers: 2 },
    beforeStart({ client, informers }) {
      const pods = informers.informer<TestPod>({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true });
      const mark = (p: TestPod) => {
        if (p.metadata?.deletionTimestamp || p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
        if (p.spec?.containers?.some((c) => c.image?.includes('broken'))) return;
        void client.kind<TestPod>('v1', 'Pod').updateStatus(p.metadata?.namespace, {
          ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } as never] },
        }).catch(() => {});
      };
      pods.addEventHandler({ onAdd: mark, onUpdate: (_, p) => mark(p) });
    },
  });
}

function deployment(name: string, replicas: number, image: string, extra: Deployment['spec'] = {}): Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
      ...extra,
    },
  };
}

describe('deployment controller', { timeout: 60_000 }, () => {
  let s: TestServer;
  let c: ControllerHarness;
  before(async () => {
    c = await startCluster();
    s = c.server;
  });
  after(() => c.close());

  const deploys = () => c.client.kind<Deployment>('apps/v1', 'Deployment');
  const sets = async (app: string) => (await c.client.kind<ReplicaSet>('apps/v1', 'ReplicaSet').list('default', { labelSelector: `app=${app}` })).items;
  const rsByImage = async (app: string, image: string) => (await sets(app)).find((rs) => (rs.spec?.template?.spec as { containers: { image: string }[] }).containers[0].image === image);
  const setImage = (name: string, image: string) => deploys().patch('default', name, { spec: { template: { spec: { containers: [{ name: 'c', image }] } } } }, 'strategic');

  /** What `kubectl rollout status` waits for. */
  const rolledOut = async (name: string) => {
    const d = await deploys().get('default', name);
    const st = d.status ?? {};
    const want = d.spec?.replicas ?? 1;
    const timedOut = st.conditions?.some((x) => x.type === 'Progressing' && x.reason === 'ProgressDeadlineExceeded');
    return (st.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) && !timedOut
      && (st.updatedReplicas ?? 0) === want && (st.replicas ?? 0) === want && (st.availableReplicas ?? 0) === want;
  };

  it('creates a replica set named by pod-template-hash with revision 1, and reports a finished rollout', async () => {
    const d = await deploys().create('default', deployment('web', 3, 'nginx:1'));
    await eventually(() => rolledOut('web'), 10_000);
    const [rs] = await sets('web');
    const hash = rs.metadata?.labels?.['pod-template-hash'];
    assert.ok(hash);
    assert.equal(rs.metadata?.name, `web-${hash}`);
    assert.equal(rs.spec?.selector?.matchLabels?.['pod-template-hash'], hash);
    assert.equal(rs.spec?.template?.metadata?.labels?.['pod-template-hash'], hash);
    assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas'], '3');
    assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/max-replicas'], '4');
    assert.deepEqual(rs.metadata?.ownerReferences?.map((r) => [r.kind, r.uid, r.controller]), [['Deployment', d.metadata?.uid, true]]);
    const pods = (await c.client.kind('v1', 'Pod').list('default', { labelSelector: `pod-template-hash=${hash}` })).items;
    assert.equal(pods.length, 3);
    const got = await deploys().get('default', 'web');
    assert.equal(got.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
    const cond = (t: string) => got.status?.conditions?.find((x) => x.type === t);
    assert.equal(cond('Available')?.reason, 'MinimumReplicasAvailable');
    assert.equal(cond('Progressing')?.reason, 'NewReplicaSetAvailable');
    assert.ok(c.events.some((e) => e.reason === 'ScalingReplicaSet' && e.message === `Scaled up replica set web-${hash} from 0 to 3`));
  });

  it('rolls out an image change with maxUnavailable 0 / maxSurge 1 without dropping below the desired count', async () => {
    await deploys().patch('default', 'web', { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } } }, 'merge');
    await eventually(() => rolledOut('web'), 10_000);
    // Follow every pod change and count ready, not-terminating pods.
    const watch = s.watch('/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dweb');
    await eventually(() => watch.events.length >= 3);
    const pods = new Map<string, TestPod>();
    let minReady = Infinity;
    let seen = 0;
    const observe = () => {
      for (; seen < watch.events.length; seen++) {
        const ev = watch.events[seen] as { type: string; object: TestPod };
        if (ev.type === 'DELETED') pods.delete(ev.object.metadata!.name!);
        else pods.set(ev.object.metadata!.name!, ev.object);
        if (seen < 2) continue; // the initial three ADDED events
        const ready = [...pods.values()].filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length;
        minReady = Math.min(minReady, ready);
      }
    };
    await setImage('web', 'nginx:2');
    await eventually(async () => {
      observe();
      return rolledOut('web');
    }, 15_000);
    await new Promise((r) => setTimeout(r, 100));
    observe();
    watch.stop();
    assert.ok(minReady >= 3, `ready pods fell to ${minReady}`);
    const next = await rsByImage('web', 'nginx:2');
    const prev = await rsByImage('web', 'nginx:1');
    assert.equal(next?.spec?.replicas, 3);
    assert.equal(next?.status?.readyReplicas, 3);
    assert.equal(next?.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
    assert.equal(prev?.spec?.replicas, 0);
  });

  it('rolls back to revision 1 by applying its template: that set becomes current as revision 3', async () => {
    const old = (await rsByImage('web', 'nginx:1'))!;
    const template = structuredClone(old.spec!.template!);
    delete template.metadata!.labels!['pod-template-hash'];
    await deploys().patch('default', 'web', [{ op: 'replace', path: '/spec/template', value: template }], 'json');
    await eventually(async () => {
      const rs = await rsByImage('web', 'nginx:1');
      return rs?.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '3' && rs.spec?.replicas === 3 && rolledOut('web');
    }, 15_000);
    const rs = (await rsByImage('web', 'nginx:1'))!;
    assert.equal(rs.metadata?.name, old.metadata?.name);
    assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal((await rsByImage('web', 'nginx:2'))?.spec?.replicas, 0);
    assert.equal((await sets('web')).length, 2);
    assert.equal((await deploys().get('default', 'web')).metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
  });

  it('does not roll out while paused, and does after resume', async () => {
    await deploys().create('default', deployment('paused', 2, 'nginx:1'));
    await eventually(() => rolledOut('paused'), 10_000);
    await deploys().patch('default', 'paused', { spec: { paused: true } }, 'merge');
    await setImage('paused', 'nginx:2');
    await eventually(async () => {
      const d = await deploys().get('default', 'paused');
      return d.status?.observedGeneration === d.metadata?.generation
        && d.status?.conditions?.some((x) => x.type === 'Progressing' && x.status === 'Unknown' && x.reason === 'DeploymentPaused') === true;
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await sets('paused')).length, 1);
    assert.equal((await deploys().get('default', 'paused')).status?.updatedReplicas ?? 0, 0);
    await deploys().patch('default', 'paused', { spec: { paused: false } }, 'merge');
    await eventually(async () => (await rsByImage('paused', 'nginx:2'))?.status?.readyReplicas === 2 && rolledOut('paused'), 15_000);
  });

  it('Recreate scales the old set to zero and waits for its pods before creating the new one', async () => {
    await deploys().create('default', deployment('recreate', 2, 'nginx:1', { strategy: { type: 'Recreate' } }));
    await eventually(() => rolledOut('recreate'), 10_000);
    const watch = s.watch('/apis/apps/v1/namespaces/default/replicasets?watch=true&labelSelector=app%3Drecreate');
    await eventually(() => watch.events.length >= 1);
    const podWatch = s.watch('/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Drecreate');
    await eventually(() => podWatch.events.length >= 2);
    await setImage('recreate', 'nginx:2');
    await eventually(() => rolledOut('recreate'), 15_000);
    const newName = (await rsByImage('recreate', 'nginx:2'))!.metadata!.name!;
    // The watches may trail the API answers: let them catch up to the new set and its pods.
    await eventually(() => watch.events.some((e) => e.object.metadata.name === newName)
      && podWatch.events.filter((e) => e.type === 'ADDED' && e.object.metadata.labels['pod-template-hash'] !== (watch.events[0].object.metadata.labels['pod-template-hash'])).length >= 2);
    watch.stop();
    podWatch.stop();
    const evs = watch.events as { type: string; object: ReplicaSet }[];
    const firstNew = evs.findIndex((e) => e.type === 'ADDED' && e.object.metadata?.name !== evs[0].object.metadata?.name);
    assert.ok(firstNew > 0);
    const oldBefore = evs.slice(0, firstNew).filter((e) => e.object.metadata?.name === evs[0].object.metadata?.name).at(-1)!;
    assert.equal(oldBefore.object.spec?.replicas, 0);
    assert.equal(oldBefore.object.status?.replicas ?? 0, 0);
    // No new pod appeared while an old one existed.
    const live = new Set<string>();
    const oldHash = evs[0].object.metadata?.labels?.['pod-template-hash'];
    for (const e of podWatch.events as { type: string; object: TestPod }[]) {
      const name = e.object.metadata!.name!;
      const isOld = e.object.metadata?.labels?.['pod-template-hash'] === oldHash;
      if (e.type === 'DELETED') live.delete(name);
      else if (isOld) live.add(name);
      else assert.equal(live.size, 0, `new pod ${name} while old pods exist`);
    }
  });

  it('adopts a matching orphan replica set and scales it down as an old set', async () => {
    const orphan = await c.client.kind<ReplicaSet>('apps/v1', 'ReplicaSet').create('default', {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'stray', labels: { app: 'adopter' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'adopter' } }, template: { metadata: { labels: { app: 'adopter' } }, spec: { containers: [{ name: 'c', image: 'nginx:0' }] } } },
    });
    const d = await deploys().create('default', deployment('adopter', 2, 'nginx:1'));
    await eventually(() => rolledOut('adopter'), 15_000);
    const stray = await c.client.kind<ReplicaSet>('apps/v1', 'ReplicaSet').get('default', 'stray');
    assert.equal(stray.metadata?.uid, orphan.metadata?.uid);
    assert.equal(stray.metadata?.ownerReferences?.find((r) => r.controller)?.uid, d.metadata?.uid);
    await eventually(async () => (await c.client.kind<ReplicaSet>('apps/v1', 'ReplicaSet').get('default', 'stray')).spec?.replicas === 0, 15_000);
  });

  it('keeps only revisionHistoryLimit old replica sets', async () => {
    await deploys().create('default', deployment('history', 1, 'nginx:1', { revisionHistoryLimit: 1 }));
    await eventually(() => rolledOut('history'), 10_000);
    for (const image of ['nginx:2', 'nginx:3']) {
      await setImage('history', image);
      await eventually(async () => (await rsByImage('history', image))?.status?.readyReplicas === 1 && rolledOut('history'), 15_000);
    }
    await eventually(async () => (await sets('history')).length === 2, 10_000);
    const names = (await sets('history')).map((rs) => (rs.spec?.template?.spec as { containers: { image: string }[] }).containers[0].image).sort();
    assert.deepEqual(names, ['nginx:2', 'nginx:3']);
  });

  it('scales proportionally when replicas change mid-rollout', async () => {
    await deploys().create('default', deployment('prop', 10, 'nginx:1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
    await eventually(() => rolledOut('prop'), 15_000);
    await setImage('prop', 'broken:2');
    await eventually(async () => (await rsByImage('prop', 'broken:2'))?.spec?.replicas === 5 && (await rsByImage('prop', 'nginx:1'))?.spec?.replicas === 8, 15_000);
    await deploys().patch('default', 'prop', { spec: { replicas: 15 } }, 'merge');
    await eventually(async () => (await rsByImage('prop', 'broken:2'))?.spec?.replicas === 7 && (await rsByImage('prop', 'nginx:1'))?.spec?.replicas === 11, 15_000);
    for (const rs of await sets('prop')) assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas'], '15');
    // 11 old pods available, fewer than 15 - maxUnavailable.
    const d = await deploys().get('default', 'prop');
    assert.equal(d.status?.conditions?.find((x) => x.type === 'Available')?.reason, 'MinimumReplicasUnavailable');
  });
});

describe('deployment progress deadline', { timeout: 60_000 }, () => {
  it('marks a rollout that makes no progress within progressDeadlineSeconds as ProgressDeadlineExceeded', async () => {
    const clock = new FakeClock(Date.now());
    const c = await startCluster(clock);
    try {
      const deploys = c.client.kind<Deployment>('apps/v1', 'Deployment');
      await deploys.create('default', deployment('stuck', 1, 'broken:1', { progressDeadlineSeconds: 30 }));
      const progressing = async () => (await deploys.get('default', 'stuck')).status?.conditions?.find((x) => x.type === 'Progressing');
      await eventually(async () => (await progressing())?.status === 'True');
      await eventually(async () => {
        clock.advance(1000);
        return (await progressing())?.reason === 'ProgressDeadlineExceeded';
      }, 10_000);
      const cond = (await progressing())!;
      assert.equal(cond.status, 'False');
      assert.match(cond.message ?? '', /^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
      const d = await deploys.get('default', 'stuck');
      assert.equal(d.status?.conditions?.find((x) => x.type === 'Available')?.reason, 'MinimumReplicasUnavailable');
    } finally {
      await c.close();
    }
  });
});
