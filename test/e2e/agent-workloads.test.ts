// The node agent in `kite server`, seen through the real kubectl: the node registers Ready with
// its capacity and runtime, a Deployment's pods serve HTTP on their pod IPs, a crashing container
// backs off, termination messages are read back, dead containers are garbage-collected, ConfigMaps
// and Secrets reach containers as files and variables, a memory limit OOM-kills, and deletion
// honours the grace period. Needs root and containerd (else skipped).
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { it } from 'node:test';
import { connectCri } from '../../src/kubelet/cri/client.js';
import { agentPaths } from '../../src/kubelet/paths.js';
import { AGENT_NODE, POD_IP_PREFIX, busyboxPod, containerStatus, describeWithAgent } from './agent-suite.js';
import { parseTable } from './kubectl.js';
import { pollUntil } from './polling.js';

function httpGet(host: string, port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/', timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => { body += d; }).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET http://${host}:${port}/ timed out`)));
    req.on('error', reject);
  });
}

describeWithAgent('node agent: workloads', (ctx) => {
  it('registers the node Ready, with its capacity, node info and the control-plane label', async () => {
    await ctx.kite.kubectl(['wait', '--for=condition=Ready', `node/${AGENT_NODE}`, '--timeout=30s']);
    const node = JSON.parse((await ctx.kite.kubectl(['get', 'node', AGENT_NODE, '-o', 'json'])).stdout);
    for (const key of ['cpu', 'memory', 'pods', 'ephemeral-storage']) {
      assert.ok(node.status.capacity[key] && !/^0[A-Za-z]*$/.test(node.status.capacity[key]), `capacity ${key}: ${node.status.capacity[key]}`);
      assert.ok(node.status.allocatable[key], `allocatable ${key}`);
    }
    assert.match(node.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\/\d/);
    assert.equal(node.status.nodeInfo.operatingSystem, 'linux');
    assert.ok(node.status.nodeInfo.kubeletVersion);
    assert.equal(node.metadata.labels['node-role.kubernetes.io/control-plane'], 'true');
    assert.equal(node.metadata.labels['kubernetes.io/hostname'], AGENT_NODE);
    assert.ok(node.status.addresses.some((a: any) => a.type === 'InternalIP'));
    const row = parseTable((await ctx.kite.kubectl(['get', 'nodes'])).stdout).find((r) => r.NAME === AGENT_NODE);
    assert.equal(row?.STATUS, 'Ready');
    assert.equal(row?.ROLES, 'control-plane');
  });

  it('runs a Deployment of httpd to Available, each pod answering HTTP on its pod IP', async () => {
    await ctx.apply(JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: {
        replicas: 2, selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'httpd', image: 'kite.local/httpd:1.35', ports: [{ containerPort: 80 }] }] },
        },
      },
    }));
    await ctx.kite.kubectl(['rollout', 'status', '-n', ctx.ns, 'deployment/web', '--timeout=90s'], { timeoutMs: 100_000 });
    await ctx.kite.kubectl(['wait', '-n', ctx.ns, '--for=condition=Available', 'deployment/web', '--timeout=30s']);
    const pods = JSON.parse((await ctx.kite.kubectl(['get', 'pods', '-n', ctx.ns, '-l', 'app=web', '-o', 'json'])).stdout).items;
    assert.equal(pods.length, 2);
    const ips = pods.map((p: any) => p.status.podIP as string);
    assert.equal(new Set(ips).size, 2, `distinct pod IPs: ${ips}`);
    for (const pod of pods) {
      assert.equal(pod.status.phase, 'Running');
      assert.equal(pod.spec.nodeName, AGENT_NODE);
      assert.ok(pod.status.podIP.startsWith(POD_IP_PREFIX), pod.status.podIP);
      assert.deepEqual(pod.status.podIPs, [{ ip: pod.status.podIP }]);
      assert.match(containerStatus(pod).containerID, /^containerd:\/\/[0-9a-f]{64}$/);
      assert.equal(containerStatus(pod).ready, true);
      const res = await pollUntil(`HTTP from ${pod.status.podIP}`, () => httpGet(pod.status.podIP, 80), 15_000, 250);
      assert.equal(res.status, 200, res.body);
    }
  });

  it('backs off a container that exits 1: CrashLoopBackOff with growing delays (10 s, then 20 s)', async () => {
    await ctx.apply(busyboxPod('crash', 'echo boom; exit 1'));
    // While backing off, lastState is the container that just exited (its attempt is restartCount):
    // the waiting message and that container's start, by restart count.
    const messages = new Map<number, string>();
    const starts = new Map<number, number>();
    const pod = await pollUntil('three restarts in CrashLoopBackOff', async () => {
      const p = await ctx.pod('crash');
      const cs = containerStatus(p);
      if (cs?.state?.waiting?.reason !== 'CrashLoopBackOff') return false;
      messages.set(cs.restartCount, cs.state.waiting.message);
      if (cs.lastState?.terminated?.startedAt) starts.set(cs.restartCount, Date.parse(cs.lastState.terminated.startedAt));
      return starts.has(1) && starts.has(2) && starts.has(3) ? p : false;
    }, 90_000, 250);
    const delays = [...messages.entries()].sort(([a], [b]) => a - b).map(([n, m]) => `${n}: ${/back-off (\S+) restarting/.exec(m)?.[1]}`);
    assert.deepEqual(delays.slice(0, 2), ['1: 10s', '2: 20s'], [...messages.values()].join('\n'));
    assert.ok(delays.length < 3 || delays[2] === '3: 40s', delays.join(', '));
    // The restarts themselves come further apart: about 10 s from the 1st to the 2nd container, 20 s to the 3rd.
    const gap1 = starts.get(2)! - starts.get(1)!;
    const gap2 = starts.get(3)! - starts.get(2)!;
    assert.ok(gap1 >= 9_000, `1st → 2nd restart: ${gap1} ms`);
    assert.ok(gap2 >= 19_000 && gap2 > gap1, `2nd → 3rd restart: ${gap2} ms after ${gap1} ms`);
    const cs = containerStatus(pod);
    assert.equal(cs.lastState.terminated.exitCode, 1);
    assert.equal(cs.lastState.terminated.reason, 'Error');
    assert.match(cs.state.waiting.message, /back-off \d+s restarting failed container=c/);
    assert.equal(pod.status.phase, 'Running');
    const row = parseTable((await ctx.kite.kubectl(['get', 'pod', '-n', ctx.ns, 'crash'])).stdout)[0];
    assert.equal(row?.STATUS, 'CrashLoopBackOff');
    assert.match(row?.RESTARTS ?? '', /^[2-9]/);
  });

  it('reports termination messages, and keeps at most two containers of a restarting container in the runtime', async () => {
    await ctx.apply(busyboxPod('farewell', 'printf bye > /dev/termination-log; exit 3', { restartPolicy: 'Never' }));
    await ctx.apply(busyboxPod('fallback', 'echo first; echo last words; exit 2', { restartPolicy: 'Never' }, { terminationMessagePolicy: 'FallbackToLogsOnError' }));
    const terminated = (name: string) => pollUntil(`${name} to terminate`, async () => containerStatus(await ctx.pod(name))?.state?.terminated ?? false, 60_000, 250);
    const bye = await terminated('farewell');
    assert.equal(bye.exitCode, 3);
    assert.equal(bye.message, 'bye');
    const fallback = await terminated('fallback');
    assert.equal(fallback.exitCode, 2);
    assert.equal(fallback.message, 'first\nlast words\n');

    // The crash-looping pod of the test before (created here if that one did not run).
    await ctx.apply(busyboxPod('crash', 'echo boom; exit 1'));
    const uid = (await ctx.pod('crash')).metadata.uid as string;
    await pollUntil('three restarts', async () => containerStatus(await ctx.pod('crash'))?.restartCount >= 3, 150_000, 500);
    const cri = connectCri(`unix://${agentPaths(ctx.kite.dataDir).containerd.socket}`, { defaultTimeoutMs: 10_000 });
    try {
      const count = async () => (await cri.runtime.listContainers({ filter: { labelSelector: { 'io.kubernetes.pod.uid': uid } } })).containers.length;
      // The container GC runs every minute.
      await pollUntil('at most two containers for the crashing pod', async () => (await count()) <= 2, 75_000, 500);
    } finally {
      cri.close();
    }
    const cs = containerStatus(await ctx.pod('crash'));
    assert.ok(cs.restartCount >= 3, `restartCount ${cs.restartCount}`);
    assert.equal(cs.lastState.terminated.exitCode, 1);
    const { stdout } = await ctx.kite.kubectl(['logs', '-n', ctx.ns, 'crash', '--previous']);
    assert.equal(stdout, 'boom\n');
  });

  it('gives a container a ConfigMap and a Secret as mounted files and as environment variables', async () => {
    await ctx.apply(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { greeting: 'hello from a configmap', other: 'two' } }));
    await ctx.apply(JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, stringData: { password: 's3cret!' } }));
    await ctx.apply(busyboxPod('vols', 'echo "env=$GREETING|$PASSWORD"; echo "cm=$(cat /cm/greeting)|$(cat /cm/other)"; echo "secret=$(cat /sec/password)"; sleep 3600', {
      volumes: [{ name: 'cm', configMap: { name: 'cfg' } }, { name: 'sec', secret: { secretName: 'sec' } }],
    }, {
      env: [
        { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
      ],
      volumeMounts: [{ name: 'cm', mountPath: '/cm' }, { name: 'sec', mountPath: '/sec', readOnly: true }],
    }));
    await ctx.kite.kubectl(['wait', '-n', ctx.ns, '--for=condition=Ready', 'pod/vols', '--timeout=60s'], { timeoutMs: 70_000 });
    const logs = await pollUntil('the container to print', async () => {
      const { stdout } = await ctx.kite.kubectl(['logs', '-n', ctx.ns, 'vols']);
      return stdout.includes('secret=') ? stdout : false;
    }, 15_000, 250);
    assert.equal(logs, 'env=hello from a configmap|s3cret!\ncm=hello from a configmap|two\nsecret=s3cret!\n');
    const { stdout } = await ctx.kite.kubectl(['exec', '-n', ctx.ns, 'vols', '--', 'sh', '-c', 'cat /sec/password; echo; ls /cm; echo "$GREETING"']);
    assert.equal(stdout, 's3cret!\ngreeting\nother\nhello from a configmap\n');
  });

  it('OOM-kills a container that allocates past its memory limit (OOMKilled, exit 137)', async () => {
    // busybox has no allocator: a shell variable holding 200 MiB grows the shell past the 32 MiB limit.
    const hog = 'x=$(head -c 200m /dev/zero | tr "\\0" a); echo survived; sleep 1';
    const limits = { resources: { limits: { memory: '32Mi' } } };
    await ctx.apply(busyboxPod('oom', hog, { restartPolicy: 'Never' }, limits));
    await ctx.apply(busyboxPod('oom-restarted', hog, {}, limits));
    const pod = await pollUntil('the container to be terminated', async () => {
      const p = await ctx.pod('oom');
      const cs = containerStatus(p);
      return cs?.state?.terminated || cs?.lastState?.terminated ? p : false;
    }, 60_000, 250);
    const cs = containerStatus(pod);
    const terminated = cs.state.terminated ?? cs.lastState.terminated;
    assert.equal(terminated.reason, 'OOMKilled');
    assert.equal(terminated.exitCode, 137);
    assert.equal(pod.status.phase, 'Failed');
    assert.equal(pod.spec.containers[0].resources.limits.memory, '32Mi');
    // Restarted: the OOM kill shows as the last state.
    const last = await pollUntil('a restart after the OOM kill', async () => {
      const cs2 = containerStatus(await ctx.pod('oom-restarted'));
      return cs2?.restartCount >= 1 && cs2.lastState?.terminated ? cs2.lastState.terminated : false;
    }, 60_000, 250);
    assert.equal(last.reason, 'OOMKilled');
    assert.equal(last.exitCode, 137);
  });

  it('honours terminationGracePeriodSeconds: a TERM handler runs to its end, a container ignoring TERM is killed at the grace period', async () => {
    await ctx.apply(busyboxPod('trap', "trap 'sleep 2; exit 0' TERM; while true; do sleep 0.2; done", { terminationGracePeriodSeconds: 30 }));
    await ctx.apply(busyboxPod('stubborn', "trap '' TERM; while true; do sleep 0.2; done", { terminationGracePeriodSeconds: 4 }));
    await ctx.kite.kubectl(['wait', '-n', ctx.ns, '--for=condition=Ready', 'pod/trap', 'pod/stubborn', '--timeout=60s'], { timeoutMs: 70_000 });
    const timedDelete = async (name: string) => {
      const start = Date.now();
      await ctx.kite.kubectl(['delete', 'pod', '-n', ctx.ns, name, '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
      return (Date.now() - start) / 1000;
    };
    // The handler's 2 s, not the 30 s of grace.
    const trapped = await timedDelete('trap');
    assert.ok(trapped >= 1.8 && trapped < 20, `the pod with a TERM handler was gone after ${trapped} s`);
    // Killed once its 4 s are up, not before.
    const stubborn = await timedDelete('stubborn');
    assert.ok(stubborn >= 3.8 && stubborn < 25, `the pod ignoring TERM was gone after ${stubborn} s`);
  });
});
