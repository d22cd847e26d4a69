// The controller manager end to end: the real kubectl against `kite server` (which runs every
// controller in-process) with fake nodes standing in for kubelets. Deployments roll out, scale,
// roll back, restart and pause; a silent node goes NotReady, is tainted and its pods are replaced;
// namespaces, foreground and orphan deletion clean up; services get endpoints; Jobs complete.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { stringify } from 'yaml';
import { EXIT_CODE_ANNOTATION, startFakeNodes, type FakeNodes } from './fake-nodes.js';
import { delay, describeBothStores, parseTable, pollUntil, uniqueName, type Kite, type SuiteContext } from './harness.js';

// A node is unhealthy 4 s after its last heartbeat, and pods on it are evicted 2 s after the taint.
const SERVER_ARGS = ['--node-monitor-grace-period', '4s', '--default-toleration-seconds', '2'];

const IMAGE_1 = 'busybox:1.36';
const IMAGE_2 = 'busybox:2';
const IMAGE_3 = 'busybox:3';

function yamlDocs(objects: object[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

interface DeploymentSpec {
  replicas: number;
  image?: string;
  maxSurge?: number;
  maxUnavailable?: number;
}

function deployment(ns: string, name: string, o: DeploymentSpec): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: {
      replicas: o.replicas,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.maxSurge ?? 1, maxUnavailable: o.maxUnavailable ?? 0 } },
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [{ name, image: o.image ?? IMAGE_1, command: ['sleep', '3600'], ports: [{ containerPort: 8080 }] }],
        },
      },
    },
  };
}

function isReady(pod: any): boolean {
  return pod.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Pods that count as serving: Ready and not being deleted. */
function serving(pods: any[]): any[] {
  return pods.filter((p) => isReady(p) && !p.metadata.deletionTimestamp);
}

function images(pods: any[]): string[] {
  return [...new Set(pods.map((p) => p.spec.containers[0].image))].sort();
}

describeBothStores('controller manager', (ctx: SuiteContext) => {
  let nodes: FakeNodes;
  const nodeNames = [uniqueName('node'), uniqueName('node')];
  const kite = (): Kite => ctx.kite;

  before(async () => {
    nodes = await startFakeNodes(ctx.kite, { names: nodeNames });
  });
  after(async () => {
    await nodes?.close();
  });

  const kubectl = (ns: string, args: string[], timeoutMs = 90_000) => kite().kubectl([...args, '-n', ns], { timeoutMs });

  const list = async (path: string): Promise<any[]> => {
    const res = await kite().request('GET', path);
    assert.equal(res.status, 200, `GET ${path}: ${res.body.slice(0, 500)}`);
    return res.json().items;
  };
  const get = async (path: string): Promise<any | undefined> => {
    const res = await kite().request('GET', path);
    if (res.status === 404) return undefined;
    assert.equal(res.status, 200, `GET ${path}: ${res.body.slice(0, 500)}`);
    return res.json();
  };
  const pods = (ns: string, app: string) => list(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${app}`);
  const replicaSets = (ns: string, app: string) => list(`/apis/apps/v1/namespaces/${ns}/replicasets?labelSelector=app%3D${app}`);
  const getDeployment = (ns: string, name: string) => get(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`);

  const createNamespace = async (prefix: string): Promise<string> => {
    const ns = uniqueName(prefix);
    // (`kubectl create namespace` posts protobuf, which the server does not take; a manifest is JSON.)
    await kite().kubectl(['create', '-f', '-'], { input: yamlDocs([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }]) });
    return ns;
  };

  /** Runs `fn`, adding what the cluster looked like to any failure. */
  const withDiagnostics = async (ns: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      const show = async (args: string[]) => {
        const r = await kite().kubectl(args, { allowFail: true, timeoutMs: 20_000 }).catch((e: Error) => ({ stdout: '', stderr: e.message }));
        return `$ kubectl ${args.join(' ')}\n${r.stdout}${r.stderr}`;
      };
      const parts = [
        await show(['get', 'all', '-o', 'wide', '-n', ns]),
        await show(['get', 'nodes', '-o', 'wide']),
        await show(['get', 'events', '-n', ns, '--sort-by=.lastTimestamp']),
        `fake node errors: ${JSON.stringify(nodes.errors.slice(-20))}`,
        `--- server log (tail) ---\n${kite().log(6000)}`,
      ];
      const e = err instanceof Error ? err : new Error(String(err));
      e.message += `\n--- diagnostics ---\n${parts.join('\n')}`;
      throw e;
    }
  };

  /** Follows the pods of `app` through a watch and keeps the lowest serving count seen after any event. */
  const watchServing = async (ns: string, app: string) => {
    const res = await kite().request('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${app}`);
    const initial = res.json();
    const state = new Map<string, any>(initial.items.map((p: any) => [p.metadata.name, p]));
    let min = serving([...state.values()]).length;
    let events = 0;
    let stopped = false;
    const stream = await kite().stream(
      `/api/v1/namespaces/${ns}/pods?watch=1&labelSelector=app%3D${app}&resourceVersion=${initial.metadata.resourceVersion}`);
    assert.equal(stream.status, 200);
    const loop = (async () => {
      while (!stopped && !stream.ended) {
        let ev: any;
        try {
          ev = await stream.nextJson(1000);
        } catch {
          continue;
        }
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED') state.set(ev.object.metadata.name, ev.object);
        else if (ev.type === 'DELETED') state.delete(ev.object.metadata.name);
        else if (ev.type === 'ERROR') throw new Error(`pod watch error: ${JSON.stringify(ev.object)}`);
        else continue;
        events += 1;
        min = Math.min(min, serving([...state.values()]).length);
      }
    })();
    let failure: unknown;
    loop.catch((err) => { failure = err; });
    return {
      min: () => { if (failure) throw failure; return min; },
      events: () => events,
      stop: () => { stopped = true; stream.close(); },
    };
  };

  /** `kubectl rollout status`, bounded. */
  const rolloutStatus = async (ns: string, name: string) => {
    const { stdout } = await kubectl(ns, ['rollout', 'status', `deploy/${name}`, '--timeout=60s']);
    assert.match(stdout, new RegExp(`deployment "${name}" successfully rolled out`));
  };

  /** Waits until the Deployment's pods are exactly `count` serving pods, all running `image`. */
  const settled = (ns: string, app: string, count: number, image: string) =>
    pollUntil(`${count} serving ${app} pods on ${image} and nothing else`, async () => {
      const all = await pods(ns, app);
      const up = serving(all);
      return all.length === count && up.length === count && up.every((p) => p.spec.containers[0].image === image) ? up : false;
    }, 30_000, 200);

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

  it('gives every namespace a default ServiceAccount and a selected Service its ready pods as endpoints', async () => {
    const ns = await createNamespace('svc');
    await withDiagnostics(ns, async () => {
      await pollUntil('the default ServiceAccount', () => get(`/api/v1/namespaces/${ns}/serviceaccounts/default`), 20_000, 200);
      const sa = (await kubectl(ns, ['get', 'serviceaccount', 'default'])).stdout;
      assert.match(sa, /^default\s/m);

      const svc = {
        apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: ns },
        spec: { selector: { app: 'echo' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      };
      await kite().kubectl(['create', '-f', '-', '-n', ns], { input: yamlDocs([svc, deployment(ns, 'echo', { replicas: 2 })]) });
      await rolloutStatus(ns, 'echo');

      const expectEndpoints = async (count: number) => {
        const ips = await pollUntil(`${count} serving echo pods`, async () => {
          const up = serving(await pods(ns, 'echo'));
          const all = await pods(ns, 'echo');
          return up.length === count && all.length === count ? up.map((p) => p.status.podIP as string).sort() : false;
        }, 30_000, 200);
        await pollUntil(`Endpoints listing ${ips.join(', ')}`, async () => {
          const ep = await get(`/api/v1/namespaces/${ns}/endpoints/echo`);
          const subsets = ep?.subsets ?? [];
          const got = subsets.flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.ip)).sort();
          const ports = subsets.flatMap((s: any) => (s.ports ?? []).map((p: any) => p.port));
          return JSON.stringify(got) === JSON.stringify(ips) && ports.every((p: number) => p === 8080) && ports.length > 0;
        }, 30_000, 200);
        await pollUntil(`an EndpointSlice listing ${ips.join(', ')}`, async () => {
          const slices = await list(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Decho`);
          const got = slices.flatMap((s) => (s.endpoints ?? []).filter((e: any) => e.conditions?.ready !== false).flatMap((e: any) => e.addresses)).sort();
          return slices.length > 0 && slices.every((s) => s.addressType === 'IPv4') && JSON.stringify(got) === JSON.stringify(ips);
        }, 30_000, 200);
        const rows = parseTable((await kubectl(ns, ['get', 'endpoints', 'echo'])).stdout);
        assert.equal(rows.length, 1);
        assert.deepEqual(rows[0]!.ENDPOINTS!.split(',').map((e) => e.split(':')[0]).sort(), ips);
        return ips;
      };
      await expectEndpoints(2);
      await kubectl(ns, ['scale', 'deploy/echo', '--replicas=3']);
      const ips = await expectEndpoints(3);

      // The addresses name their pods and nodes; the slice belongs to the Service and its controller.
      const podByIP = new Map((await pods(ns, 'echo')).map((p) => [p.status.podIP as string, p]));
      const ep = await get(`/api/v1/namespaces/${ns}/endpoints/echo`);
      for (const a of ep.subsets.flatMap((x: any) => x.addresses)) {
        const p = podByIP.get(a.ip);
        assert.ok(p, `address ${a.ip} is a pod's`);
        assert.equal(a.nodeName, p.spec.nodeName);
        assert.deepEqual([a.targetRef?.kind, a.targetRef?.name, a.targetRef?.uid], ['Pod', p.metadata.name, p.metadata.uid]);
      }
      assert.deepEqual(ep.subsets[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
      const service = await get(`/api/v1/namespaces/${ns}/services/echo`);
      const [slice] = await list(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Decho`);
      assert.equal(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
      assert.equal(slice.metadata.ownerReferences?.[0]?.uid, service.metadata.uid);
      assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
      for (const e of slice.endpoints) {
        const p = podByIP.get(e.addresses[0]);
        assert.ok(p, `endpoint ${e.addresses[0]} is a pod's`);
        assert.equal(e.nodeName, p.spec.nodeName);
        assert.equal(e.targetRef?.name, p.metadata.name);
        assert.deepEqual(e.conditions, { ready: true, serving: true, terminating: false });
      }

      // A pod that stops being ready moves to notReadyAddresses, and its slice endpoint to ready=false.
      const sick = podByIP.get(ips[0]!)!;
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const conditions = sick.status.conditions.map((c: any) =>
        c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', lastTransitionTime: now } : c);
      const patched = await kite().request('PATCH', `/api/v1/namespaces/${ns}/pods/${sick.metadata.name}/status`,
        { status: { conditions } }, { 'Content-Type': 'application/merge-patch+json' });
      assert.equal(patched.status, 200, patched.body);
      await pollUntil(`${ips[0]} in notReadyAddresses`, async () => {
        const e = await get(`/api/v1/namespaces/${ns}/endpoints/echo`);
        const ready = e.subsets.flatMap((x: any) => (x.addresses ?? []).map((a: any) => a.ip));
        const notReady = e.subsets.flatMap((x: any) => (x.notReadyAddresses ?? []).map((a: any) => a.ip));
        return !ready.includes(ips[0]) && notReady.includes(ips[0]) && ready.length === 2;
      }, 20_000, 200);
      await pollUntil(`${ips[0]} not ready in the EndpointSlice`, async () => {
        const slices = await list(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Decho`);
        const e = slices.flatMap((x) => x.endpoints ?? []).find((x: any) => x.addresses.includes(ips[0]));
        return e?.conditions?.ready === false;
      }, 20_000, 200);
    });
  });

  it('runs a Job to completion, and fails one whose pod fails with backoffLimit 0', async () => {
    const ns = await createNamespace('job');
    await withDiagnostics(ns, async () => {
      const job = (name: string, exitCode: number, extra: object) => ({
        apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: ns },
        spec: {
          ...extra,
          template: {
            metadata: { annotations: { [EXIT_CODE_ANNOTATION]: String(exitCode) } },
            spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: IMAGE_1, command: ['sh', '-c', `exit ${exitCode}`] }] },
          },
        },
      });
      await kite().kubectl(['create', '-f', '-', '-n', ns], {
        input: yamlDocs([job('done', 0, { completions: 2, parallelism: 1 }), job('broken', 1, { backoffLimit: 0 })]),
      });
      await kubectl(ns, ['wait', '--for=condition=complete', 'job/done', '--timeout=60s']);
      const done = await get(`/apis/batch/v1/namespaces/${ns}/jobs/done`);
      assert.equal(done.status.succeeded, 2);
      assert.ok(done.status.completionTime, 'a completion time');
      const rows = parseTable((await kubectl(ns, ['get', 'job', 'done'])).stdout);
      assert.equal(rows[0]!.COMPLETIONS, '2/2');
      const jobPods = await list(`/api/v1/namespaces/${ns}/pods?labelSelector=job-name%3Ddone`);
      assert.equal(jobPods.filter((p) => p.status.phase === 'Succeeded').length, 2);
      // The tracking finalizers are gone once the pods are counted.
      await pollUntil('job pods without tracking finalizers', async () =>
        (await list(`/api/v1/namespaces/${ns}/pods?labelSelector=job-name%3Ddone`))
          .every((p) => !(p.metadata.finalizers ?? []).includes('batch.kubernetes.io/job-tracking')), 20_000, 200);

      await kubectl(ns, ['wait', '--for=condition=failed', 'job/broken', '--timeout=60s']);
      const broken = await get(`/apis/batch/v1/namespaces/${ns}/jobs/broken`);
      assert.equal(broken.status.failed, 1);
      assert.equal(broken.status.conditions.find((c: any) => c.type === 'Failed')?.reason, 'BackoffLimitExceeded');
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

      nodes.stop(failing);

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
      await nodes.resume(failing);
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
}, { extraArgs: SERVER_ARGS });
