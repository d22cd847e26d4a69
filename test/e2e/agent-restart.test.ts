// The node agent survives its server: after a SIGKILL of `kite server` the containers keep
// running, and a new server on the same data dir adopts them — same container IDs, no restarts,
// no duplicate sandboxes — and still manages them (logs, exec, deletion). Needs root and
// containerd (else skipped).
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { it } from 'node:test';
import { connectCri } from '../../src/kubelet/cri/client.js';
import { agentPaths } from '../../src/kubelet/paths.js';
import { AGENT_NODE, busyboxPod, containerStatus, describeWithAgent } from './agent-suite.js';
import { delay, pollUntil } from './polling.js';

function httpStatus(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port: 80, path: '/', timeout: 5_000 }, (res) => {
      res.resume().on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`GET http://${host}/ timed out`)));
    req.on('error', reject);
  });
}

describeWithAgent('node agent: server restart', (ctx) => {
  it('keeps the containers running through a SIGKILL of the server and adopts them on the next start', async () => {
    await ctx.apply(busyboxPod('sleeper', 'echo started; sleep 3600', { terminationGracePeriodSeconds: 1 }));
    await ctx.apply(JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'httpd', image: 'kite.local/httpd:1.35' }] },
    }));
    await ctx.kite.kubectl(['wait', '-n', ctx.ns, '--for=condition=Ready', 'pod/sleeper', 'pod/web', '--timeout=60s'], { timeoutMs: 70_000 });
    const before = { sleeper: await ctx.pod('sleeper'), web: await ctx.pod('web') };
    const ids = { sleeper: containerStatus(before.sleeper).containerID, web: containerStatus(before.web).containerID };
    const podIP = before.web.status.podIP as string;
    assert.equal(await httpStatus(podIP), 200);

    // A new connection each time: the restarted agent replaces the containerd left running.
    const runtimeView = async () => {
      const cri = connectCri(`unix://${agentPaths(ctx.kite.dataDir).containerd.socket}`, { defaultTimeoutMs: 10_000 });
      try {
        const sandboxes = (await cri.runtime.listPodSandbox({})).items;
        const containers = (await cri.runtime.listContainers({})).containers;
        return {
          sandboxes: sandboxes.map((s) => `${s.metadata?.name}:${s.id}`).sort(),
          containers: containers.map((c) => `containerd://${c.id}`).sort(),
        };
      } finally {
        cri.close();
      }
    };
    const viewBefore = await runtimeView();
    assert.equal(viewBefore.sandboxes.length, 2, JSON.stringify(viewBefore));
    assert.deepEqual(viewBefore.containers, [ids.sleeper, ids.web].sort());

    await ctx.kite.kill9();
    // Nothing runs the node now; the containers still serve.
    assert.equal(await httpStatus(podIP), 200);

    await ctx.kite.restart();
    await ctx.kite.kubectl(['wait', '--for=condition=Ready', `node/${AGENT_NODE}`, '--timeout=60s'], { timeoutMs: 70_000 });
    // A few relists and a resync of the new kubelet, then the same pods, unrestarted.
    await pollUntil('the node heartbeat of the new agent', async () => {
      const lease = (await ctx.kite.request('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${AGENT_NODE}`)).json();
      return Date.parse(lease.spec.renewTime) > Date.now() - 5_000;
    }, 30_000, 250);
    await delay(3_000);
    for (const name of ['sleeper', 'web'] as const) {
      const pod = await ctx.pod(name);
      const cs = containerStatus(pod);
      assert.equal(pod.metadata.uid, before[name].metadata.uid);
      assert.equal(cs.containerID, ids[name], `${name} keeps its container`);
      assert.equal(cs.restartCount, 0);
      assert.ok(cs.state.running, `${name} is running: ${JSON.stringify(cs.state)}`);
      assert.equal(cs.state.running.startedAt, containerStatus(before[name]).state.running.startedAt);
      assert.equal(pod.status.phase, 'Running');
      assert.equal(pod.status.podIP, before[name].status.podIP);
    }
    assert.deepEqual(await runtimeView(), viewBefore, 'no sandbox or container was added or replaced');
    assert.equal(await httpStatus(podIP), 200);

    // The adopted pods are managed: their logs, exec, and deletion.
    assert.equal((await ctx.kite.kubectl(['logs', '-n', ctx.ns, 'sleeper'])).stdout, 'started\n');
    assert.equal((await ctx.kite.kubectl(['exec', '-n', ctx.ns, 'sleeper', '--', 'echo', 'adopted'])).stdout, 'adopted\n');
    await ctx.kite.kubectl(['delete', 'pod', '-n', ctx.ns, 'sleeper', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
    const after = await pollUntil('the sleeper sandbox to be removed', async () => {
      const v = await runtimeView();
      return v.sandboxes.length === 1 ? v : false;
    }, 30_000, 250);
    assert.deepEqual(after.containers, [ids.web]);
  });
});
