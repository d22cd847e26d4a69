// The fake nodes the controller e2e suites stand on: registered Ready, heartbeating through their
// Leases, reporting the pods the scheduler binds to them Running, finishing graceful deletes.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createNamespace } from './fixtures.js';
import { parseTable } from './kubectl.js';
import { pollUntil } from './polling.js';
import { describeWithServer, uniqueName } from './suites.js';
import { startFakeNodes, type FakeNodes } from './fake-nodes.js';

describeWithServer('fake nodes', 'sqlite', (ctx) => {
  let nodes: FakeNodes;
  const names = [uniqueName('node'), uniqueName('node')];
  before(async () => {
    nodes = await startFakeNodes(ctx.kite, { names });
  });
  after(async () => {
    await nodes?.close();
  });

  it('registers Ready nodes that kubectl lists with their capacity', async () => {
    const { stdout } = await ctx.kite.kubectl(['get', 'nodes']);
    const rows = parseTable(stdout).filter((r) => names.includes(r.NAME!));
    assert.deepEqual(rows.map((r) => r.STATUS), ['Ready', 'Ready']);
    const node = (await ctx.kite.request('GET', `/api/v1/nodes/${names[0]}`)).json();
    assert.deepEqual(node.status.capacity, { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' });
  });

  it('renews each node Lease, until the node is stopped', async () => {
    const lease = async (name: string) =>
      (await ctx.kite.request('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`)).json();
    const first = (await lease(names[0]!)).spec.renewTime;
    await pollUntil('a lease renewal', async () => (await lease(names[0]!)).spec.renewTime !== first, 10_000, 200);
    const extra = uniqueName('node');
    const more = await startFakeNodes(ctx.kite, { names: [extra], leaseRenewMs: 200 });
    try {
      more.stop(extra);
      const stoppedAt = (await lease(extra)).spec.renewTime;
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal((await lease(extra)).spec.renewTime, stoppedAt);
    } finally {
      await more.close();
      // Gone, so the scheduler places no later pod on a node nobody runs.
      await ctx.kite.kubectl(['delete', 'node', extra]);
    }
  });

  it('runs the pods the scheduler binds across the nodes, and finishes their deletion', async () => {
    const ns = uniqueName('fakenodes');
    await createNamespace(ctx.kite, ns);
    for (let i = 0; i < 4; i++) {
      const res = await ctx.kite.request('POST', `/api/v1/namespaces/${ns}/pods`, {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}` },
        spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
      });
      assert.equal(res.status, 201, res.body);
    }
    const pods = await pollUntil('four running pods', async () => {
      const items = (await ctx.kite.request('GET', `/api/v1/namespaces/${ns}/pods`)).json().items;
      return items.length === 4 && items.every((p: any) => p.status.phase === 'Running') ? items : false;
    }, 20_000, 200);
    assert.deepEqual(new Set(pods.map((p: any) => p.spec.nodeName)), new Set(names));
    for (const p of pods) {
      assert.ok(p.status.podIP);
      assert.equal(p.status.conditions.find((c: any) => c.type === 'Ready').status, 'True');
      assert.equal(p.status.containerStatuses[0].ready, true);
    }
    const { stdout } = await ctx.kite.kubectl(['get', 'pods', '-n', ns]);
    assert.deepEqual(parseTable(stdout).map((r) => r.STATUS), ['Running', 'Running', 'Running', 'Running']);

    await ctx.kite.kubectl(['delete', 'pod', 'p0', '-n', ns, '--wait=true']);
    const gone = await ctx.kite.request('GET', `/api/v1/namespaces/${ns}/pods/p0`);
    assert.equal(gone.status, 404);
    assert.deepEqual(nodes.errors, []);
  });
});
