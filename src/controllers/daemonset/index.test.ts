import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../../apiserver/testing/fixture.js';
import { isNotFound } from '../../client/errors.js';
import type { ApiClient } from '../../client/rest.js';
import { daemonSetController, REVISION_HASH_LABEL } from './index.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

const NS = 'default';

function node(name: string, opts: { labels?: Record<string, string>; taints?: Obj[] } = {}): Obj {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: opts.taints ? { taints: opts.taints } : {},
  };
}

function daemonSet(name: string, image: string, extra: Obj = {}): Obj {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      ...extra,
    },
  };
}

describe('daemonset controller', () => {
  let h: ControllerHarness;
  let client: ApiClient;

  before(async () => {
    h = await startControllerHarness({ controllers: [daemonSetController] });
    client = h.client;
  });

  after(() => h.close());

  const pods = () => client.kind<Obj>('v1', 'Pod');
  const nodes = () => client.kind<Obj>('v1', 'Node');
  const dsClient = () => client.kind<Obj>('apps/v1', 'DaemonSet');
  const revisions = () => client.kind<Obj>('apps/v1', 'ControllerRevision');

  const podsOf = async (app: string): Promise<Obj[]> => (await pods().list(NS, { labelSelector: `app=${app}` })).items;

  /** Plays the node agent: pods that are not yet running become Running and Ready. */
  async function runPods(app: string): Promise<void> {
    for (const p of await podsOf(app)) {
      if (p.metadata.deletionTimestamp || p.status?.phase === 'Running') continue;
      p.status = { ...p.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }] };
      try {
        await pods().updateStatus(NS, p);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  /** Plays the node agent finishing graceful deletions. */
  async function finishDeletions(app: string): Promise<number> {
    let n = 0;
    for (const p of await podsOf(app)) {
      if (!p.metadata.deletionTimestamp) continue;
      n++;
      try {
        await pods().delete(NS, p.metadata.name, { gracePeriodSeconds: 0 });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return n;
  }

  it('runs one pod on each eligible node, none on a node with an untolerated taint, and one on a new node', async () => {
    for (const n of ['n1', 'n2', 'n3']) await nodes().create(undefined, node(n));
    await nodes().create(undefined, node('tainted', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }));
    // A cordoned node still gets daemon pods: they tolerate node.kubernetes.io/unschedulable.
    await dsClient().create(NS, daemonSet('agent', 'agent:1'));

    await eventually(async () => (await podsOf('agent')).length === 3);
    const ps = await podsOf('agent');
    assert.deepEqual(ps.map((p) => p.spec.nodeName).sort(), ['n1', 'n2', 'n3']);
    for (const p of ps) {
      assert.equal(p.metadata.ownerReferences[0].kind, 'DaemonSet');
      assert.equal(p.metadata.generateName, 'agent-');
      const terms = p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
      assert.deepEqual(terms, [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [p.spec.nodeName] }] }]);
      assert.ok(p.spec.tolerations.some((t: Obj) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute' && t.operator === 'Exists'));
      assert.ok(p.spec.tolerations.some((t: Obj) => t.key === 'node.kubernetes.io/unschedulable' && t.effect === 'NoSchedule'));
    }
    const hash = ps[0]!.metadata.labels[REVISION_HASH_LABEL];
    assert.ok(hash);
    const rev = await revisions().get(NS, `agent-${hash}`);
    assert.equal(rev.revision, 1);
    assert.equal(rev.metadata.labels[REVISION_HASH_LABEL], hash);

    await runPods('agent');
    await eventually(async () => {
      const st = (await dsClient().get(NS, 'agent')).status ?? {};
      return st.numberReady === 3 && st.numberAvailable === 3;
    });
    const ds = await dsClient().get(NS, 'agent');
    assert.deepEqual(
      { ...ds.status },
      {
        observedGeneration: ds.metadata.generation, desiredNumberScheduled: 3, currentNumberScheduled: 3, numberMisscheduled: 0,
        numberReady: 3, numberAvailable: 3, numberUnavailable: 0, updatedNumberScheduled: 3,
      },
    );

    await nodes().create(undefined, node('n4'));
    await eventually(async () => (await podsOf('agent')).some((p) => p.spec.nodeName === 'n4'));
    await runPods('agent');
    await eventually(async () => (await dsClient().get(NS, 'agent')).status?.numberAvailable === 4);
  });

  it('honours the node selector and removes pods from nodes that stop matching', async () => {
    await nodes().patch(undefined, 'n1', { metadata: { labels: { disk: 'ssd' } } }, 'merge');
    await dsClient().create(NS, daemonSet('ssd', 'ssd:1', {}));
    const ds = await dsClient().get(NS, 'ssd');
    ds.spec.template.spec.nodeSelector = { disk: 'ssd' };
    await dsClient().update(NS, ds);
    await eventually(async () => {
      await finishDeletions('ssd');
      const ps = await podsOf('ssd');
      return ps.length === 1 && ps[0]!.spec.nodeName === 'n1';
    });
    await nodes().patch(undefined, 'n1', { metadata: { labels: { disk: null } } }, 'merge');
    await eventually(async () => {
      await finishDeletions('ssd');
      return (await podsOf('ssd')).length === 0;
    });
    await eventually(async () => (await dsClient().get(NS, 'ssd')).status?.desiredNumberScheduled === 0);
    await dsClient().delete(NS, 'ssd');
  });

  it('rolls a template change one node at a time with maxUnavailable 1', async () => {
    const before = await podsOf('agent');
    assert.equal(before.length, 4);
    const oldHash = before[0]!.metadata.labels[REVISION_HASH_LABEL];
    const ds = await dsClient().get(NS, 'agent');
    ds.spec.template.spec.containers[0].image = 'agent:2';
    await dsClient().update(NS, ds);

    let newHash = '';
    for (let round = 0; round < 20; round++) {
      let ps: Obj[] = [];
      await eventually(async () => {
        ps = await podsOf('agent');
        const terminating = ps.filter((p) => p.metadata.deletionTimestamp);
        const notReady = ps.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Running');
        const upToDate = ps.filter((p) => p.metadata.labels[REVISION_HASH_LABEL] !== oldHash && !p.metadata.deletionTimestamp);
        // Either some pod is being replaced, or a replacement waits to run, or the rollout is done.
        return terminating.length > 0 || notReady.length > 0 || upToDate.length === 4;
      });
      const unavailable = ps.filter((p) => p.metadata.deletionTimestamp || p.status?.phase !== 'Running');
      assert.ok(unavailable.length <= 1, `at most one node without a ready pod, saw ${JSON.stringify(ps.map((p) => [p.metadata.name, p.spec.nodeName, p.metadata.labels[REVISION_HASH_LABEL], p.status?.phase, !!p.metadata.deletionTimestamp]))}`);
      const live = ps.filter((p) => !p.metadata.deletionTimestamp);
      if (live.length === 4 && live.every((p) => p.metadata.labels[REVISION_HASH_LABEL] !== oldHash && p.status?.phase === 'Running')) {
        newHash = live[0]!.metadata.labels[REVISION_HASH_LABEL];
        break;
      }
      await finishDeletions('agent');
      await runPods('agent');
    }
    assert.ok(newHash && newHash !== oldHash, 'every node runs the new template');
    for (const p of await podsOf('agent')) assert.equal(p.spec.containers[0].image, 'agent:2');
    await eventually(async () => {
      const st = (await dsClient().get(NS, 'agent')).status ?? {};
      return st.updatedNumberScheduled === 4 && st.numberAvailable === 4 && st.desiredNumberScheduled === 4;
    });
    const revs = (await revisions().list(NS)).items.filter((r) => r.metadata.ownerReferences?.[0]?.name === 'agent');
    assert.deepEqual(revs.map((r) => [r.metadata.name, r.revision]).sort(), [[`agent-${newHash}`, 2], [`agent-${oldHash}`, 1]].sort());
  });
});
