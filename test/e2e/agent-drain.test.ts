// `kubectl drain` against the node agent's node, through the real kubectl (its evictions are
// policy/v1 Eviction bodies in protobuf): a Deployment's pods and a bare pod are evicted, the node
// is cordoned so the replacements stay Pending, and after uncordoning a PodDisruptionBudget that
// allows no disruption makes a second drain give up with the budget's message. Needs root and
// containerd (else skipped).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AGENT_NODE, busyboxPod, describeWithAgent, type AgentSuiteContext } from './agent-suite.js';
import { pollUntil } from './polling.js';

const REPLICAS = 2;
// sh as PID 1 ignores TERM: a short grace keeps the evictions quick.
const GRACE = { terminationGracePeriodSeconds: 1 };

const deployment = JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'sleeper' },
  spec: {
    replicas: REPLICAS, selector: { matchLabels: { app: 'sleeper' } },
    template: {
      metadata: { labels: { app: 'sleeper' } },
      spec: { ...GRACE, containers: [{ name: 'c', image: 'kite.local/busybox:1.35', command: ['sh', '-c', 'sleep 3600'] }] },
    },
  },
});

async function podsOf(ctx: AgentSuiteContext, selector?: string): Promise<any[]> {
  const args = ['get', 'pods', '-n', ctx.ns, '-o', 'json', ...(selector ? ['-l', selector] : [])];
  return JSON.parse((await ctx.kite.kubectl(args)).stdout).items;
}

async function unschedulable(ctx: AgentSuiteContext): Promise<boolean> {
  const node = JSON.parse((await ctx.kite.kubectl(['get', 'node', AGENT_NODE, '-o', 'json'])).stdout);
  return node.spec?.unschedulable === true;
}

async function rollout(ctx: AgentSuiteContext): Promise<void> {
  await ctx.kite.kubectl(['rollout', 'status', '-n', ctx.ns, 'deployment/sleeper', '--timeout=90s'], { timeoutMs: 100_000 });
}

describeWithAgent('node agent: kubectl drain', (ctx) => {
  it('drains the node: evicts a Deployment\'s pods and a bare pod, cordons it, and the replacements stay Pending', async () => {
    await ctx.apply(deployment);
    await ctx.apply(busyboxPod('bare', 'sleep 3600', GRACE));
    await rollout(ctx);
    await ctx.kite.kubectl(['wait', '-n', ctx.ns, '--for=condition=Ready', 'pod/bare', '--timeout=60s'], { timeoutMs: 70_000 });
    const before = (await podsOf(ctx)).map((p) => p.metadata.name as string).sort();
    assert.equal(before.length, REPLICAS + 1, before.join(', '));

    const { stdout, stderr } = await ctx.kite.kubectl(
      ['drain', AGENT_NODE, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=60s'], { timeoutMs: 90_000 });
    const out = `${stdout}\n${stderr}`;
    assert.match(out, new RegExp(`node/${AGENT_NODE} cordoned`), out);
    for (const name of before) {
      assert.match(out, new RegExp(`evicting pod ${ctx.ns}/${name}\\b`), out);
      assert.match(out, new RegExp(`pod/${name} evicted`), out);
    }
    assert.match(out, new RegExp(`node/${AGENT_NODE} drained`), out);
    assert.equal(await unschedulable(ctx), true, 'the node is cordoned');

    const left = (await podsOf(ctx)).filter((p) => before.includes(p.metadata.name));
    assert.deepEqual(left.map((p) => p.metadata.name), [], 'the drained pods are gone');
    // The ReplicaSet makes replacements, which nothing can schedule while the only node is cordoned.
    const replacements = await pollUntil(`${REPLICAS} replacement pods`, async () => {
      const pods = await podsOf(ctx, 'app=sleeper');
      return pods.length === REPLICAS ? pods : false;
    }, 30_000, 250);
    for (const pod of replacements) {
      assert.equal(pod.status?.phase, 'Pending', JSON.stringify(pod.status));
      assert.equal(pod.spec.nodeName, undefined);
    }
    assert.equal((await podsOf(ctx)).some((p) => p.metadata.name === 'bare'), false, 'the bare pod is not replaced');
  });

  it('refuses a second drain while a PodDisruptionBudget allows no disruption, and uncordons', async () => {
    await ctx.apply(deployment);
    await ctx.kite.kubectl(['uncordon', AGENT_NODE]);
    assert.equal(await unschedulable(ctx), false, 'the node is uncordoned');
    await rollout(ctx);
    await ctx.apply(JSON.stringify({
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'sleeper' },
      spec: { minAvailable: REPLICAS, selector: { matchLabels: { app: 'sleeper' } } },
    }));
    await pollUntil('the budget to count every pod healthy', async () => {
      const res = await ctx.kite.request('GET', `/apis/policy/v1/namespaces/${ctx.ns}/poddisruptionbudgets/sleeper`);
      const status = res.json().status ?? {};
      return status.observedGeneration === res.json().metadata.generation && status.currentHealthy === REPLICAS && status.disruptionsAllowed === 0;
    }, 30_000, 250);
    const running = (await podsOf(ctx, 'app=sleeper')).map((p) => p.metadata.uid as string).sort();

    const res = await ctx.kite.kubectl(
      ['drain', AGENT_NODE, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=8s'], { allowFail: true, timeoutMs: 60_000 });
    const out = `${res.stdout}\n${res.stderr}`;
    assert.notEqual(res.code, 0, out);
    assert.match(out, /error when evicting pods\/"sleeper-[^"]+" -n "[^"]+" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./, out);
    assert.equal(await unschedulable(ctx), true, 'the failed drain still cordoned the node');
    const after = (await podsOf(ctx, 'app=sleeper'));
    assert.deepEqual(after.map((p) => p.metadata.uid as string).sort(), running, 'no pod was evicted');
    assert.ok(after.every((p) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp));

    await ctx.kite.kubectl(['uncordon', AGENT_NODE]);
    assert.equal(await unschedulable(ctx), false, 'the node is uncordoned');
    await ctx.kite.kubectl(['delete', 'poddisruptionbudget', '-n', ctx.ns, 'sleeper']);
    await ctx.kite.kubectl(['delete', 'deployment', '-n', ctx.ns, 'sleeper', '--grace-period=1', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
  });
});
