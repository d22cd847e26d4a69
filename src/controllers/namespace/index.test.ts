import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../apimachinery/object.js';
import { eventually } from '../../apiserver/testing/fixture.js';
import type { ApiClient } from '../../client/rest.js';
import { isNotFound } from '../../client/errors.js';
import { namespaceController } from './index.js';
import { deletableNamespacedResources } from './content.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.js';

describe('namespace controller', () => {
  let h: ControllerHarness;
  let client: ApiClient;

  before(async () => {
    h = await startControllerHarness({ controllers: [namespaceController] });
    client = h.client;
  });

  after(() => h.close());

  const namespaces = () => client.kind('v1', 'Namespace');
  const gone = async (name: string) => {
    try {
      await namespaces().get(undefined, name);
      return false;
    } catch (e) {
      if (isNotFound(e)) return true;
      throw e;
    }
  };

  async function leftIn(ns: string): Promise<string[]> {
    const left: string[] = [];
    for (const rt of deletableNamespacedResources()) {
      const list = await client.resource(rt).list(ns);
      for (const o of list.items) left.push(`${rt.plural}/${o.metadata?.name}`);
    }
    return left;
  }

  it('deletes a namespace with configmaps, secrets, a deployment and services, leaving nothing in it', async () => {
    const ns = 'doomed';
    await h.namespace(ns);
    for (let i = 0; i < 3; i++) {
      await client.kind('v1', 'ConfigMap').create(ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { k: 'v' } });
      await client.kind('v1', 'Secret').create(ns, { apiVersion: 'v1', kind: 'Secret', metadata: { name: `secret-${i}` }, stringData: { k: 'v' } });
    }
    await client.kind('apps/v1', 'Deployment').create(ns, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      },
    });
    for (const name of ['web', 'api']) {
      await client.kind('v1', 'Service').create(ns, {
        apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }] },
      });
    }
    assert.ok((await leftIn(ns)).length >= 9);

    await namespaces().delete(undefined, ns);
    await eventually(() => gone(ns), 10_000);
    assert.deepEqual(await leftIn(ns), []);
  });

  it('deletes a namespace holding 250 objects', async () => {
    const ns = 'crowded';
    await h.namespace(ns);
    const cms = client.kind('v1', 'ConfigMap');
    for (let i = 0; i < 250; i += 25) {
      await Promise.all(Array.from({ length: 25 }, (_, j) => cms.create(ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i + j}` } })));
    }
    await namespaces().delete(undefined, ns);
    await eventually(() => gone(ns), 20_000);
    assert.deepEqual(await leftIn(ns), []);
  });

  it('waits for content held by a finalizer, reporting it in the conditions, and finishes once it clears', async () => {
    const ns = 'held';
    await h.namespace(ns);
    const cms = client.kind('v1', 'ConfigMap');
    await cms.create(ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    await cms.create(ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'free' } });
    await namespaces().delete(undefined, ns);

    type Cond = { type: string; status: string; reason?: string; message?: string };
    let conds: Cond[] = [];
    await eventually(async () => {
      const cur = await namespaces().get(undefined, ns) as KubeObject & { status?: { phase?: string; conditions?: Cond[] } };
      conds = cur.status?.conditions ?? [];
      return cur.status?.phase === 'Terminating' && conds.some((c) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True');
    }, 10_000);
    const remaining = conds.find((c) => c.type === 'NamespaceContentRemaining')!;
    assert.equal(remaining.status, 'True');
    assert.equal(remaining.reason, 'SomeResourcesRemain');
    assert.match(conds.find((c) => c.type === 'NamespaceFinalizersRemaining')!.message!, /example\.com\/hold in 1 resource instances/);
    assert.deepEqual(await leftIn(ns), ['configmaps/held']);
    assert.equal(await gone(ns), false);

    await cms.patch(ns, 'held', { metadata: { finalizers: null } }, 'merge');
    await eventually(() => gone(ns), 10_000);
    assert.deepEqual(await leftIn(ns), []);
  });

  it('leaves namespaces that are not being deleted alone', async () => {
    await h.namespace('alive');
    await client.kind('v1', 'ConfigMap').create('alive', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep' } });
    // The deletions above went through the same queue; this namespace was never touched.
    assert.deepEqual(await leftIn('alive'), ['configmaps/keep']);
    assert.equal(await gone('alive'), false);
  });
});
