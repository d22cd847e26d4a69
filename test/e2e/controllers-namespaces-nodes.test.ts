// The controller manager end to end, cleanup and node health: a namespace holding 200 objects is
// deleted with all of them; a silent node goes NotReady, is tainted, its pods are replaced on the
// healthy node, and it is taken back when it returns.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  IMAGE_1, deployment, describeControllerManager, isReady, serving, yamlDocs,
} from './controller-cluster.js';
import { parseTable } from './kubectl.js';
import { pollUntil } from './polling.js';

describeControllerManager(({
  kite, nodes, nodeNames, kubectl, list, get, pods, getDeployment, createNamespace, withDiagnostics, rolloutStatus, settled,
}) => {
  it('deletes a namespace holding 200 objects, contents and all', async () => {
    const ns = await createNamespace('bulk');
    await withDiagnostics(ns, async () => {
      const objects: object[] = [];
      for (let i = 0; i < 150; i++) {
        objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: ns }, data: { i: String(i) } });
      }
      for (let i = 0; i < 40; i++) {
        objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `secret-${i}`, namespace: ns }, stringData: { i: String(i) } });
      }
      for (let i = 0; i < 5; i++) {
        objects.push({
          apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: ns },
          spec: { selector: { app: 'bulk' }, ports: [{ port: 80 + i, targetPort: 8080 }] },
        });
      }
      objects.push(deployment(ns, 'bulk', { replicas: 3 }));
      await kite().kubectl(['create', '-f', '-', '-n', ns], { input: yamlDocs(objects), timeoutMs: 120_000 });
      await rolloutStatus(ns, 'bulk');
      await settled(ns, 'bulk', 3, IMAGE_1);
      await pollUntil('endpoints for the services', async () =>
        (await list(`/api/v1/namespaces/${ns}/endpoints`)).length === 5, 30_000, 200);

      await kite().kubectl(['delete', 'namespace', ns, '--timeout=120s'], { timeoutMs: 150_000 });
      assert.equal(await get(`/api/v1/namespaces/${ns}`), undefined);
      const kinds = [
        'api/v1/configmaps', 'api/v1/secrets', 'api/v1/services', 'api/v1/pods', 'api/v1/endpoints', 'api/v1/serviceaccounts',
        'api/v1/events', 'apis/apps/v1/deployments', 'apis/apps/v1/replicasets', 'apis/discovery.k8s.io/v1/endpointslices',
      ];
      for (const kind of kinds) {
        const [prefix, ...rest] = kind.split('/');
        const group = rest.slice(0, -1).join('/');
        const resource = rest[rest.length - 1];
        const items = await list(`/${prefix}/${group}/namespaces/${ns}/${resource}`);
        assert.deepEqual(items.map((o) => o.metadata.name), [], `${resource} left in ${ns}`);
      }
    });
  });

  it('marks a silent node NotReady, taints it unreachable, moves its pods to the healthy node, and takes it back', async () => {
    const ns = await createNamespace('nodefail');
    const [healthy, failing] = nodeNames as [string, string];
    await withDiagnostics(ns, async () => {
      await kite().kubectl(['create', '-f', '-', '-n', ns], { input: yamlDocs([deployment(ns, 'spread', { replicas: 4 })]) });
      await rolloutStatus(ns, 'spread');
      const placed = await settled(ns, 'spread', 4, IMAGE_1);
      const onFailing = placed.filter((p) => p.spec.nodeName === failing).map((p) => p.metadata.name as string);
      assert.ok(onFailing.length > 0 && onFailing.length < 4, `pods spread over both nodes: ${placed.map((p) => p.spec.nodeName)}`);

      nodes().stop(failing);

      const node = await pollUntil(`${failing} Ready=Unknown with the unreachable taint`, async () => {
        const n = await get(`/api/v1/nodes/${failing}`);
        const ready = n.status.conditions.find((c: any) => c.type === 'Ready');
        const tainted = (n.spec.taints ?? []).some((t: any) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute');
        return ready?.status === 'Unknown' && tainted ? n : false;
      }, 40_000, 250);
      assert.ok((node.spec.taints as any[]).some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoSchedule'),
        `the NoSchedule taint too: ${JSON.stringify(node.spec.taints)}`);
      const rows = parseTable((await kite().kubectl(['get', 'node', failing, healthy])).stdout);
      assert.deepEqual(Object.fromEntries(rows.map((r) => [r.NAME, r.STATUS])), { [failing]: 'NotReady', [healthy]: 'Ready' });

      // The evicted pods are deleted (they stay terminating: no kubelet answers for them) and replaced.
      await pollUntil('the pods of the silent node evicted', async () => {
        const all = await pods(ns, 'spread');
        return onFailing.every((name) => {
          const p = all.find((x) => x.metadata.name === name);
          return !p || p.metadata.deletionTimestamp;
        });
      }, 40_000, 250);
      await pollUntil('4 serving pods, all on the healthy node', async () => {
        const up = serving(await pods(ns, 'spread'));
        return up.length === 4 && up.every((p) => p.spec.nodeName === healthy);
      }, 40_000, 250);
      // Pods still on the silent node were marked not ready; evictions and the node going NotReady are events.
      const stale = (await pods(ns, 'spread')).filter((p) => p.spec.nodeName === failing);
      for (const p of stale) assert.ok(!isReady(p), `pod ${p.metadata.name} on the silent node still Ready`);
      const events = await pollUntil('eviction events', async () => {
        const items = await list(`/api/v1/namespaces/${ns}/events`);
        const evicted = items.filter((e) => e.reason === 'TaintManagerEviction').map((e) => e.involvedObject.name);
        return onFailing.every((name) => evicted.includes(name)) ? items : false;
      }, 20_000, 250);
      assert.ok(events.some((e) => e.reason === 'NodeNotReady' && onFailing.includes(e.involvedObject.name)),
        'NodeNotReady events on the pods of the silent node');
      await pollUntil('a NodeNotReady event for the node', async () =>
        (await list(`/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D${failing}`))
          .some((e) => e.reason === 'NodeNotReady' && e.involvedObject.kind === 'Node'), 20_000, 250);
      await kubectl(ns, ['wait', '--for=jsonpath={.status.readyReplicas}=4', 'deploy/spread', '--timeout=60s']);
      const dep = await getDeployment(ns, 'spread');
      assert.equal(dep.status.availableReplicas, 4);

      // The node comes back: Ready again, untainted, and its kubelet finishes the evicted pods.
      await nodes().resume(failing);
      await pollUntil(`${failing} Ready again without the unreachable taints`, async () => {
        const n = await get(`/api/v1/nodes/${failing}`);
        const ready = n.status.conditions.find((c: any) => c.type === 'Ready');
        return ready?.status === 'True' && !(n.spec.taints ?? []).some((t: any) => t.key.startsWith('node.kubernetes.io/'));
      }, 30_000, 250);
      await pollUntil('the evicted pods gone', async () => {
        const names = (await pods(ns, 'spread')).map((p) => p.metadata.name);
        return onFailing.every((name) => !names.includes(name)) && names.length === 4;
      }, 30_000, 250);
      const back = parseTable((await kite().kubectl(['get', 'node', failing])).stdout);
      assert.equal(back[0]!.STATUS, 'Ready');
      assert.equal(serving(await pods(ns, 'spread')).length, 4);
    });
  });
});
