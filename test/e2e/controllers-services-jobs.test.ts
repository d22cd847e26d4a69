// The controller manager end to end, services and Jobs: every namespace gets a default
// ServiceAccount, a Service's Endpoints and EndpointSlices list its ready pods (and not-ready ones
// apart), a LoadBalancer Service gets the nodes' addresses, a Job runs to completion and one
// whose pod fails with backoffLimit 0 ends Failed.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  IMAGE_1, deployment, describeControllerManager, serving, yamlDocs,
} from './controller-cluster.js';
import { EXIT_CODE_ANNOTATION } from './fake-nodes.js';
import { parseTable } from './kubectl.js';
import { pollUntil } from './polling.js';

describeControllerManager(({
  kite, kubectl, list, get, pods, createNamespace, withDiagnostics, rolloutStatus,
}) => {
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

  it('gives a LoadBalancer Service the fake nodes\' addresses, shown by kubectl as EXTERNAL-IP', async () => {
    const ns = await createNamespace('lb');
    await withDiagnostics(ns, async () => {
      const svc = {
        apiVersion: 'v1', kind: 'Service', metadata: { name: 'front', namespace: ns },
        spec: { type: 'LoadBalancer', selector: { app: 'front' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      };
      await kite().kubectl(['create', '-f', '-', '-n', ns], { input: yamlDocs([svc]) });
      const nodeIPs = (await list('/api/v1/nodes'))
        .map((n) => n.status.addresses.find((a: any) => a.type === 'InternalIP').address as string).sort();
      await pollUntil(`EXTERNAL-IP ${nodeIPs.join(',')}`, async () => {
        const rows = parseTable((await kubectl(ns, ['get', 'service', 'front'])).stdout);
        return rows[0]?.['EXTERNAL-IP'] === nodeIPs.join(',');
      }, 20_000, 200);
      const { status } = await get(`/api/v1/namespaces/${ns}/services/front`);
      assert.deepEqual(status.loadBalancer.ingress[0], { ip: nodeIPs[0], ipMode: 'VIP', ports: [{ port: 80, protocol: 'TCP' }] });
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
});
