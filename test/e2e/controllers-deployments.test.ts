// The controller manager end to end, Deployments: the real kubectl against `kite server` with fake
// nodes standing in for kubelets. A Deployment rolls out, scales, updates without dropping below
// its serving count, rolls back, restarts and pauses; foreground and orphan deletion.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  IMAGE_1, IMAGE_2, IMAGE_3, deployment, describeControllerManager, images, serving, yamlDocs,
} from './controller-cluster.js';
import { parseTable } from './kubectl.js';
import { delay, pollUntil } from './polling.js';

describeControllerManager(({
  kite, nodeNames, kubectl, pods, replicaSets, getDeployment, createNamespace, withDiagnostics, watchServing, rolloutStatus, settled,
}) => {
  it('rolls a Deployment out, scales it, updates, rolls back, restarts, pauses and resumes it', async () => {
    const ns = await createNamespace('deploy');
    await withDiagnostics(ns, async () => {
      await kite().kubectl(['create', '-f', '-', '-n', ns], { input: yamlDocs([deployment(ns, 'web', { replicas: 3 })]) });
      await rolloutStatus(ns, 'web');
      let running = await settled(ns, 'web', 3, IMAGE_1);
      for (const p of running) {
        assert.equal(p.status.phase, 'Running');
        assert.ok(nodeNames.includes(p.spec.nodeName), `pod ${p.metadata.name} on ${p.spec.nodeName}`);
      }
      const table = parseTable((await kubectl(ns, ['get', 'pods', '-l', 'app=web', '-o', 'wide'])).stdout);
      assert.equal(table.length, 3);
      assert.ok(table.every((r) => r.STATUS === 'Running' && r.READY === '1/1' && nodeNames.includes(r.NODE!)), JSON.stringify(table));

      // Scale up.
      await kubectl(ns, ['scale', 'deploy/web', '--replicas=5']);
      await kubectl(ns, ['wait', '--for=jsonpath={.status.readyReplicas}=5', 'deploy/web', '--timeout=60s']);
      running = await settled(ns, 'web', 5, IMAGE_1);

      // A rolling update with maxUnavailable 0 never has fewer than 5 serving pods: a pod watch
      // replays every change, and the count is checked after each one.
      const observer = await watchServing(ns, 'web');
      try {
        await kubectl(ns, ['set', 'image', 'deploy/web', `web=${IMAGE_2}`]);
        await rolloutStatus(ns, 'web');
        running = await settled(ns, 'web', 5, IMAGE_2);
      } finally {
        observer.stop();
      }
      assert.ok(observer.events() >= 10, `the watch saw the rollout (${observer.events()} events)`);
      assert.equal(observer.min(), 5, `serving pods dropped to ${observer.min()} during the rolling update`);
      let dep = await getDeployment(ns, 'web');
      assert.equal(dep.metadata.annotations['deployment.kubernetes.io/revision'], '2');

      // History lists both revisions.
      const revisions = (out: string) => out.split('\n').map((l) => /^(\d+)\s/.exec(l)?.[1]).filter((r): r is string => !!r);
      assert.deepEqual(revisions((await kubectl(ns, ['rollout', 'history', 'deploy/web'])).stdout), ['1', '2']);

      // Undo brings the first template back as revision 3.
      const undo = await kubectl(ns, ['rollout', 'undo', 'deploy/web']);
      assert.match(undo.stdout, /rolled back/);
      await rolloutStatus(ns, 'web');
      running = await settled(ns, 'web', 5, IMAGE_1);
      dep = await getDeployment(ns, 'web');
      assert.equal(dep.metadata.annotations['deployment.kubernetes.io/revision'], '3');
      assert.deepEqual(revisions((await kubectl(ns, ['rollout', 'history', 'deploy/web'])).stdout), ['2', '3']);
      const rs3 = (await replicaSets(ns, 'web')).find((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === '3');
      assert.ok(rs3, 'a ReplicaSet at revision 3');
      assert.equal(rs3.spec.template.spec.containers[0].image, IMAGE_1);

      // Restart replaces every pod with the same image.
      const before = new Set(running.map((p) => p.metadata.name));
      await kubectl(ns, ['rollout', 'restart', 'deploy/web']);
      await rolloutStatus(ns, 'web');
      running = await settled(ns, 'web', 5, IMAGE_1);
      assert.ok(running.every((p) => !before.has(p.metadata.name)), 'every pod was replaced by the restart');
      assert.ok(running.every((p) => p.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']), 'restarted pods carry restartedAt');
      dep = await getDeployment(ns, 'web');
      assert.equal(dep.metadata.annotations['deployment.kubernetes.io/revision'], '4');

      // Paused: a new image is observed but not rolled out until resumed.
      await kubectl(ns, ['rollout', 'pause', 'deploy/web']);
      await kubectl(ns, ['set', 'image', 'deploy/web', `web=${IMAGE_3}`]);
      dep = await pollUntil('the paused Deployment to observe its new generation', async () => {
        const d = await getDeployment(ns, 'web');
        return d.status.observedGeneration >= d.metadata.generation ? d : false;
      }, 20_000, 200);
      const progressing = dep.status.conditions.find((c: any) => c.type === 'Progressing');
      assert.equal(progressing?.reason, 'DeploymentPaused');
      await delay(1000);
      assert.deepEqual(images(await pods(ns, 'web')), [IMAGE_1]);
      assert.ok(!(await replicaSets(ns, 'web')).some((rs) => rs.spec.template.spec.containers[0].image === IMAGE_3),
        'no ReplicaSet for the new image while paused');
      await kubectl(ns, ['rollout', 'resume', 'deploy/web']);
      await rolloutStatus(ns, 'web');
      running = await settled(ns, 'web', 5, IMAGE_3);
      dep = await getDeployment(ns, 'web');
      assert.equal(dep.metadata.annotations['deployment.kubernetes.io/revision'], '5');
      const condition = (type: string) => dep.status.conditions.find((c: any) => c.type === type);
      assert.deepEqual([condition('Available')?.status, condition('Available')?.reason], ['True', 'MinimumReplicasAvailable']);
      assert.deepEqual([condition('Progressing')?.status, condition('Progressing')?.reason], ['True', 'NewReplicaSetAvailable']);
      assert.deepEqual([dep.status.replicas, dep.status.updatedReplicas, dep.status.readyReplicas, dep.status.availableReplicas], [5, 5, 5, 5]);
      const rev5 = (await kubectl(ns, ['rollout', 'history', 'deploy/web', '--revision=5'])).stdout;
      assert.match(rev5, new RegExp(`Image:\\s+${IMAGE_3.replace('.', '\\.')}`));
      const newRs = (await replicaSets(ns, 'web')).find((rs) => rs.spec.replicas === 5)!;
      const hash = newRs.metadata.labels['pod-template-hash'];
      assert.ok(hash && newRs.metadata.name === `web-${hash}`, `ReplicaSet ${newRs.metadata.name} named after its template hash`);
      assert.ok(running.every((p) => p.metadata.labels['pod-template-hash'] === hash && p.metadata.ownerReferences?.[0]?.uid === newRs.metadata.uid),
        'the pods belong to the newest ReplicaSet');

      // kubectl get rs: the current ReplicaSet holds all 5, the old ones none.
      const rsRows = parseTable((await kubectl(ns, ['get', 'rs', '-l', 'app=web'])).stdout);
      const current = rsRows.filter((r) => r.DESIRED !== '0');
      assert.equal(current.length, 1, JSON.stringify(rsRows));
      assert.deepEqual([current[0]!.DESIRED, current[0]!.CURRENT, current[0]!.READY], ['5', '5', '5']);
      const old = rsRows.filter((r) => r.DESIRED === '0');
      assert.ok(old.length >= 2, JSON.stringify(rsRows));
      assert.ok(old.every((r) => r.CURRENT === '0' && r.READY === '0'), JSON.stringify(rsRows));

      const described = (await kubectl(ns, ['describe', 'deploy', 'web'])).stdout;
      assert.match(described, /ScalingReplicaSet/);
      assert.match(described, /NewReplicaSet:\s+web-[a-z0-9]+ \(5\/5 replicas created\)/);
    });
  });

  it('deletes in the foreground: the Deployment waits for its ReplicaSets and pods; orphaning keeps them', async () => {
    const ns = await createNamespace('cascade');
    await withDiagnostics(ns, async () => {
      await kite().kubectl(['create', '-f', '-', '-n', ns], {
        input: yamlDocs([deployment(ns, 'fg', { replicas: 3 }), deployment(ns, 'orph', { replicas: 2 })]),
      });
      await rolloutStatus(ns, 'fg');
      await rolloutStatus(ns, 'orph');
      const fgPods = await settled(ns, 'fg', 3, IMAGE_1);
      // A finalizer on one pod holds the foreground deletion open until the test lets it go.
      const held = fgPods[0].metadata.name as string;
      const hold = await kite().request('PATCH', `/api/v1/namespaces/${ns}/pods/${held}`,
        { metadata: { finalizers: ['kite.test/hold'] } }, { 'Content-Type': 'application/merge-patch+json' });
      assert.equal(hold.status, 200, hold.body);

      const deleting = kite().spawnKubectl(['delete', 'deploy', 'fg', '--cascade=foreground', '--timeout=90s', '-n', ns]);
      try {
        const dep = await pollUntil('the Deployment in foreground deletion', async () => {
          const d = await getDeployment(ns, 'fg');
          return d?.metadata.deletionTimestamp && d.metadata.finalizers?.includes('foregroundDeletion') ? d : false;
        }, 20_000, 100);
        assert.ok(dep);
        // The other pods go; the held one stays (terminating), and with it the ReplicaSet and Deployment.
        await pollUntil('only the held pod left, terminating', async () => {
          const left = await pods(ns, 'fg');
          return left.length === 1 && left[0].metadata.name === held && left[0].metadata.deletionTimestamp;
        }, 30_000, 200);
        const rs = await replicaSets(ns, 'fg');
        assert.equal(rs.length, 1);
        assert.ok(rs[0].metadata.deletionTimestamp, 'the ReplicaSet is being deleted');
        assert.ok(rs[0].metadata.finalizers?.includes('foregroundDeletion'), 'the ReplicaSet waits in the foreground too');
        const still = await getDeployment(ns, 'fg');
        assert.ok(still?.metadata.deletionTimestamp && still.metadata.finalizers.includes('foregroundDeletion'));
        assert.equal((await kite().kubectl(['get', 'deploy', 'fg', '-n', ns])).code, 0);

        const release = await kite().request('PATCH', `/api/v1/namespaces/${ns}/pods/${held}`,
          { metadata: { finalizers: null } }, { 'Content-Type': 'application/merge-patch+json' });
        assert.equal(release.status, 200, release.body);
        assert.equal(await deleting.exited(90_000), 0, `kubectl delete failed: ${deleting.stderr()}`);
      } finally {
        await deleting.kill();
      }
      assert.equal(await getDeployment(ns, 'fg'), undefined);
      assert.deepEqual(await replicaSets(ns, 'fg'), []);
      assert.deepEqual(await pods(ns, 'fg'), []);

      // Orphaning: the ReplicaSet loses its owner reference and keeps its pods.
      const orphanPods = await settled(ns, 'orph', 2, IMAGE_1);
      await kubectl(ns, ['delete', 'deploy', 'orph', '--cascade=orphan', '--timeout=60s']);
      assert.equal(await getDeployment(ns, 'orph'), undefined);
      const rs = await pollUntil('the orphaned ReplicaSet without owner references', async () => {
        const items = await replicaSets(ns, 'orph');
        return items.length === 1 && !(items[0].metadata.ownerReferences ?? []).length ? items[0] : false;
      }, 20_000, 200);
      assert.equal(rs.status.replicas, 2);
      await delay(1000);
      const kept = serving(await pods(ns, 'orph'));
      assert.deepEqual(kept.map((p) => p.metadata.name).sort(), orphanPods.map((p) => p.metadata.name).sort());
      assert.ok(kept.every((p) => p.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid), 'the pods still belong to the ReplicaSet');
    });
  });
});
