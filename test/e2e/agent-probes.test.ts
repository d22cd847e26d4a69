// Probes, init containers and host networking on the node agent in `kite server`, seen through the
// real kubectl: a failing liveness probe restarts its container, readiness moves a pod in and out
// of a Service's Endpoints and EndpointSlice, a startup probe holds liveness back, init containers
// run in order before the app (and a failing one fails a Never pod), and a hostNetwork pod has
// the node's address and interfaces. Needs root and containerd (else skipped).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { it } from 'node:test';
import { AGENT_BRIDGE, AGENT_NODE, busyboxPod, containerStatus, describeWithAgent, podEvents } from './agent-suite.js';
import { parseTable } from './kubectl.js';
import { pollUntil } from './polling.js';

const execProbe = (file: string, extra: Record<string, unknown> = {}) => ({
  exec: { command: ['cat', file] }, periodSeconds: 1, failureThreshold: 1, ...extra,
});

describeWithAgent('node agent: probes, init containers, host network', (ctx) => {
  const ready = (...pods: string[]) =>
    ctx.kite.kubectl(['wait', '-n', ctx.ns, '--for=condition=Ready', ...pods.map((p) => `pod/${p}`), '--timeout=60s'], { timeoutMs: 70_000 });
  const exec = (pod: string, script: string) => ctx.kite.kubectl(['exec', '-n', ctx.ns, pod, '--', 'sh', '-c', script]);
  const condition = (pod: any, type: string) => pod.status?.conditions?.find((c: any) => c.type === type)?.status;

  it('restarts a container whose liveness probe fails, with the Unhealthy and Killing events', async () => {
    // sh as PID 1 ignores TERM: the probe's 1 s of grace, not the pod's 30 s, lets it go.
    await ctx.apply(busyboxPod('live', 'touch /tmp/healthy; sleep 2; rm /tmp/healthy; sleep 3600', { terminationGracePeriodSeconds: 30 }, {
      livenessProbe: execProbe('/tmp/healthy', { terminationGracePeriodSeconds: 1 }),
    }));
    const pod = await pollUntil('a restart after the liveness probe failed', async () => {
      const p = await ctx.pod('live');
      return containerStatus(p)?.restartCount >= 1 ? p : false;
    }, 40_000, 250);
    const cs = containerStatus(pod);
    assert.ok(cs.lastState.terminated, `last state: ${JSON.stringify(cs.lastState)}`);
    assert.equal(cs.lastState.terminated.exitCode, 137, 'killed at the end of the probe\'s grace');
    const ran = (Date.parse(cs.lastState.terminated.finishedAt) - Date.parse(cs.lastState.terminated.startedAt)) / 1000;
    assert.ok(ran < 20, `the first container ran ${ran} s: the probe's grace (1 s, at least 2), not the pod's 30 s`);
    assert.equal(pod.status.phase, 'Running');
    const events = await pollUntil('the Killing event', async () => {
      const ev = await podEvents(ctx, 'live');
      return ev.some((e) => e.startsWith('Killing:')) ? ev : false;
    }, 10_000, 250);
    assert.ok(events.some((e) => /^Unhealthy: Liveness probe failed: cat: can't open '\/tmp\/healthy': No such file or directory/.test(e)), events.join('\n'));
    assert.ok(events.includes('Killing: Container c failed liveness probe, will be restarted'), events.join('\n'));
  });

  it('keeps an unready pod out of the Service\'s endpoints, in once ready, out again when unready', async () => {
    await ctx.apply(JSON.stringify({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'rd' },
      spec: { selector: { app: 'rd' }, ports: [{ port: 80, targetPort: 8080 }] },
    }));
    const rdPod = (name: string, script: string) => JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'rd' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'c', image: 'kite.local/busybox:1.35', command: ['sh', '-c', script], readinessProbe: execProbe('/tmp/ready') }],
      },
    });
    await ctx.apply(rdPod('rd-a', 'touch /tmp/ready; sleep 3600'));
    await ctx.apply(rdPod('rd-b', 'sleep 3600'));
    await ready('rd-a');
    const ip = async (name: string) => pollUntil(`${name}'s IP`, async () => (await ctx.pod(name)).status?.podIP as string | undefined, 30_000, 250);
    const ipA = await ip('rd-a');
    const ipB = await ip('rd-b');
    await pollUntil('rd-b running', async () => containerStatus(await ctx.pod('rd-b'))?.state?.running, 30_000, 250);

    const endpoints = async () => {
      const ep = JSON.parse((await ctx.kite.kubectl(['get', 'endpoints', '-n', ctx.ns, 'rd', '-o', 'json'])).stdout);
      const list = (key: string) => (ep.subsets ?? []).flatMap((s: any) => (s[key] ?? []).map((a: any) => a.ip as string)).sort();
      return { ready: list('addresses'), notReady: list('notReadyAddresses') };
    };
    const sliceReady = async () => {
      const slices = JSON.parse((await ctx.kite.kubectl(['get', 'endpointslices', '-n', ctx.ns, '-l', 'kubernetes.io/service-name=rd', '-o', 'json'])).stdout).items;
      return slices.flatMap((s: any) => (s.endpoints ?? []).filter((e: any) => e.conditions?.ready).flatMap((e: any) => e.addresses)).sort();
    };
    const expect = async (what: string, readyIPs: string[], notReady: string[]) => {
      const want = JSON.stringify({ ready: [...readyIPs].sort(), notReady: [...notReady].sort() });
      await pollUntil(`${what}: endpoints ${want}`, async () => JSON.stringify(await endpoints()) === want, 20_000, 250);
      await pollUntil(`${what}: the EndpointSlice's ready endpoints ${readyIPs}`, async () => JSON.stringify(await sliceReady()) === JSON.stringify([...readyIPs].sort()), 20_000, 250);
      const row = parseTable((await ctx.kite.kubectl(['get', 'endpoints', '-n', ctx.ns, 'rd'])).stdout)[0];
      assert.equal(row?.ENDPOINTS, readyIPs.length ? [...readyIPs].sort().map((a) => `${a}:8080`).join(',') : '<none>', what);
    };

    await expect('rd-b unready', [ipA], [ipB]);
    assert.equal(condition(await ctx.pod('rd-b'), 'Ready'), 'False');
    assert.equal(condition(await ctx.pod('rd-b'), 'ContainersReady'), 'False');
    assert.equal(containerStatus(await ctx.pod('rd-b')).ready, false);

    await exec('rd-b', 'touch /tmp/ready');
    await ready('rd-b');
    await expect('rd-b ready', [ipA, ipB], []);
    assert.equal(containerStatus(await ctx.pod('rd-b')).ready, true);

    await exec('rd-b', 'rm /tmp/ready');
    await pollUntil('rd-b Ready=False', async () => condition(await ctx.pod('rd-b'), 'Ready') === 'False', 20_000, 250);
    await expect('rd-b unready again', [ipA], [ipB]);
    assert.equal(containerStatus(await ctx.pod('rd-b')).restartCount, 0, 'readiness never restarts');
    const events = await podEvents(ctx, 'rd-b');
    assert.ok(events.some((e) => e.startsWith('Unhealthy: Readiness probe failed: ')), events.join('\n'));
  });

  it('holds liveness back until the startup probe succeeds; a failing startup probe restarts the container', async () => {
    // Liveness would fail at once (no /tmp/alive for 3 s), were it not held back by the startup probe.
    await ctx.apply(busyboxPod('slow', 'sleep 3; touch /tmp/alive /tmp/started; sleep 3600', { terminationGracePeriodSeconds: 1 }, {
      startupProbe: execProbe('/tmp/started', { failureThreshold: 30 }),
      livenessProbe: execProbe('/tmp/alive'),
    }));
    await ctx.apply(busyboxPod('never', 'sleep 3600', { terminationGracePeriodSeconds: 30 }, {
      startupProbe: execProbe('/tmp/started', { failureThreshold: 2, terminationGracePeriodSeconds: 1 }),
    }));
    const early = await pollUntil('slow to run', async () => {
      const cs = containerStatus(await ctx.pod('slow'));
      return cs?.state?.running ? cs : false;
    }, 30_000, 100);
    assert.equal(early.started, false);
    assert.equal(early.ready, false);
    await ready('slow');
    const cs = containerStatus(await ctx.pod('slow'));
    assert.equal(cs.started, true);
    assert.equal(cs.restartCount, 0);
    const slowEvents = await podEvents(ctx, 'slow');
    assert.equal(slowEvents.filter((e) => e.startsWith('Unhealthy: Liveness')).length, 0, slowEvents.join('\n'));
    assert.equal(slowEvents.filter((e) => e.startsWith('Killing:')).length, 0, slowEvents.join('\n'));

    await pollUntil('never to be restarted', async () => containerStatus(await ctx.pod('never'))?.restartCount >= 1, 40_000, 250);
    const events = await podEvents(ctx, 'never');
    assert.ok(events.some((e) => e.startsWith('Unhealthy: Startup probe failed: ')), events.join('\n'));
    assert.ok(events.includes('Killing: Container c failed startup probe, will be restarted'), events.join('\n'));
  });

  it('runs init containers in order to completion before the app container; a failing one fails a Never pod', async () => {
    const busybox = 'kite.local/busybox:1.35';
    const mount = [{ name: 'work', mountPath: '/work' }];
    await ctx.apply(JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'inits' },
      spec: {
        terminationGracePeriodSeconds: 1,
        volumes: [{ name: 'work', emptyDir: {} }],
        initContainers: [
          { name: 'first', image: busybox, command: ['sh', '-c', 'sleep 1; echo one > /work/seq'], volumeMounts: mount },
          { name: 'second', image: busybox, command: ['sh', '-c', 'cat /work/seq; echo two >> /work/seq'], volumeMounts: mount },
        ],
        containers: [{ name: 'app', image: busybox, command: ['sh', '-c', 'cat /work/seq; sleep 3600'], volumeMounts: mount }],
      },
    }));
    await ctx.apply(JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'init-fails' },
      spec: {
        restartPolicy: 'Never',
        initContainers: [{ name: 'broken', image: busybox, command: ['sh', '-c', 'echo failing; exit 3'] }],
        containers: [{ name: 'app', image: busybox, command: ['sleep', '3600'] }],
      },
    }));
    await ready('inits');
    const pod = await ctx.pod('inits');
    const [first, second] = pod.status.initContainerStatuses;
    assert.deepEqual([first.name, second.name], ['first', 'second']);
    for (const s of [first, second]) {
      assert.equal(s.state.terminated?.reason, 'Completed', JSON.stringify(s.state));
      assert.equal(s.state.terminated.exitCode, 0);
      assert.equal(s.ready, true);
      assert.equal(s.restartCount, 0);
    }
    const at = (t: string) => Date.parse(t);
    assert.ok(at(second.state.terminated.startedAt) >= at(first.state.terminated.finishedAt), 'second started after first finished');
    assert.ok(at(containerStatus(pod).state.running.startedAt) >= at(second.state.terminated.finishedAt), 'app started after second finished');
    assert.equal(condition(pod, 'Initialized'), 'True');
    assert.equal((await ctx.kite.kubectl(['logs', '-n', ctx.ns, 'inits', '-c', 'second'])).stdout, 'one\n');
    const appLog = await pollUntil('the app log', async () => {
      const { stdout } = await ctx.kite.kubectl(['logs', '-n', ctx.ns, 'inits', '-c', 'app']);
      return stdout.includes('two') ? stdout : false;
    }, 10_000, 250);
    assert.equal(appLog, 'one\ntwo\n');

    const failed = await pollUntil('init-fails to fail', async () => {
      const p = await ctx.pod('init-fails');
      return p.status?.phase === 'Failed' ? p : false;
    }, 30_000, 250);
    const broken = failed.status.initContainerStatuses[0];
    assert.equal(broken.state.terminated.exitCode, 3);
    assert.equal(broken.state.terminated.reason, 'Error');
    assert.equal(containerStatus(failed).state.running, undefined, 'the app container never ran');
    assert.equal(condition(failed, 'Initialized'), 'False');
    const row = parseTable((await ctx.kite.kubectl(['get', 'pod', '-n', ctx.ns, 'init-fails'])).stdout)[0];
    assert.equal(row?.STATUS, 'Init:Error');
  });

  it('gives a hostNetwork pod the node\'s InternalIP and the host\'s interfaces', async () => {
    await ctx.apply(busyboxPod('hostnet', 'sleep 3600', { hostNetwork: true, terminationGracePeriodSeconds: 1 }));
    await ready('hostnet');
    const pod = await ctx.pod('hostnet');
    const node = JSON.parse((await ctx.kite.kubectl(['get', 'node', AGENT_NODE, '-o', 'json'])).stdout);
    const internal = node.status.addresses.find((a: any) => a.type === 'InternalIP')?.address;
    assert.ok(internal);
    assert.equal(pod.status.podIP, internal);
    assert.deepEqual(pod.status.podIPs, [{ ip: internal }]);
    assert.equal(pod.status.hostIP, internal);
    const { stdout } = await exec('hostnet', 'cat /proc/net/dev');
    const inside = new Set(stdout.split('\n').slice(2).map((l) => l.split(':')[0]!.trim()).filter(Boolean));
    // The pods' veths come and go; the host's other interfaces are all there.
    const host = readdirSync('/sys/class/net').filter((n) => !n.startsWith('veth'));
    for (const name of [...host, AGENT_BRIDGE]) assert.ok(inside.has(name), `${name} is seen from the pod: ${[...inside]}`);
    assert.equal((await exec('hostnet', 'hostname')).stdout.trim(), hostname(), 'the node\'s hostname');
  });
});
