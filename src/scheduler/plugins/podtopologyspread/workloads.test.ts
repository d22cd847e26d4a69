import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../apimachinery/object.js';
import { eventually } from '../../../apiserver/testing/fixture.js';
import { startControllerHarness, type ControllerHarness } from '../../../../test/support/controller-harness.js';
import type { Handle } from '../../framework/interface.js';
import { defaultSelector, newPodTopologySpread, workloadsFromInformers, type Workloads } from './index.js';

const sel = { app: 'web' };
const objects: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'a' }, spec: { selector: sel, ports: [{ port: 80 }] } },
  { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc', namespace: 'a' }, spec: { selector: { tier: 'x' }, template: { metadata: { labels: { tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } },
  {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'a' },
    spec: { selector: { matchLabels: sel }, template: { metadata: { labels: sel }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  },
  {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'a' },
    spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'other', namespace: 'b' }, spec: { selector: sel, ports: [{ port: 80 }] } },
];

describe('PodTopologySpread workloads from informers', () => {
  let h: ControllerHarness;
  before(async () => {
    h = await startControllerHarness({ namespaces: ['a', 'b'] });
    for (const o of objects) await h.client.kind(o.apiVersion!, o.kind!).create(o.metadata!.namespace, o);
  });
  after(() => h.close());

  it('lists the Services, ReplicationControllers, ReplicaSets and StatefulSets of the namespace', async () => {
    const workloads = workloadsFromInformers(h.informers);
    let w: Workloads = {};
    await eventually(() => {
      w = workloads('a');
      return [w.services, w.replicationControllers, w.replicaSets, w.statefulSets].every((l) => l?.length === 1);
    });
    const cases: [keyof Workloads, string][] = [['services', 'web'], ['replicationControllers', 'rc'], ['replicaSets', 'web'], ['statefulSets', 'db']];
    for (const [field, name] of cases) assert.deepEqual(w[field]!.map((o) => o.metadata?.name), [name], field);
    assert.deepEqual(workloads('b').services?.map((s) => s.metadata?.namespace), ['b']);
    assert.deepEqual(workloads('none'), { services: [], replicationControllers: [], replicaSets: [], statefulSets: [] });
    const pod: Pod = { metadata: { name: 'p', namespace: 'a', labels: sel } };
    assert.ok(defaultSelector(pod, w).matches(sel));
  });

  it('is what the factory uses when the handle has informers', () => {
    const handle = { informers: h.informers, snapshot: () => ({ list: () => [] }) } as unknown as Handle;
    const cases = [{ args: undefined }, { args: { defaultingType: 'System' } }];
    for (const { args } of cases) {
      const p = newPodTopologySpread(args, handle) as unknown as { workloads?: unknown };
      assert.equal(typeof p.workloads, 'function');
    }
    const bare = newPodTopologySpread(undefined, { snapshot: () => ({ list: () => [] }) } as unknown as Handle) as unknown as { workloads?: unknown };
    assert.equal(bare.workloads, undefined);
  });
});
