// The scheduler end to end: the real kubectl against `kite server` (which runs the scheduler
// in-process, here with a config file adding a second profile) and four fake nodes in three zones.
// Unschedulable pods stay Pending with Kubernetes' PodScheduled condition and FailedScheduling
// event, and schedule once a node fits; required anti-affinity, zone spread, taints and
// tolerations, and priority preemption place pods as Kubernetes would.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { stringify } from 'yaml';
import { startFakeNodes, type FakeNodes } from './fake-nodes.js';
import { createNamespace } from './fixtures.js';
import { parseTable } from './kubectl.js';
import { pollUntil } from './polling.js';
import type { Kite } from './server-process.js';
import { describeWithServer, uniqueName, type SuiteContext } from './suites.js';

const ZONE = 'topology.kubernetes.io/zone';
const HOSTNAME = 'kubernetes.io/hostname';
const IMAGE = 'busybox:1.36';

// Kept until the process ends: the server reads it at start.
const configDir = mkdtempSync(join(tmpdir(), 'kite-e2e-scheduler-'));
const configFile = join(configDir, 'scheduler.yaml');
writeFileSync(configFile, stringify({
  apiVersion: 'kubescheduler.config.k8s.io/v1',
  kind: 'KubeSchedulerConfiguration',
  profiles: [
    { schedulerName: 'default-scheduler' },
    { schedulerName: 'no-image-locality', plugins: { multiPoint: { disabled: [{ name: 'ImageLocality' }] } } },
  ],
}));
process.on('exit', () => rmSync(configDir, { recursive: true, force: true }));

interface PodOptions {
  labels?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  tolerations?: object[];
  cpu?: string;
  priorityClassName?: string;
  schedulerName?: string;
}

function podSpec(o: PodOptions): object {
  return {
    terminationGracePeriodSeconds: 1,
    ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
    ...(o.tolerations ? { tolerations: o.tolerations } : {}),
    ...(o.priorityClassName ? { priorityClassName: o.priorityClassName } : {}),
    ...(o.schedulerName ? { schedulerName: o.schedulerName } : {}),
    containers: [{ name: 'c', image: IMAGE, command: ['sleep', '3600'], ...(o.cpu ? { resources: { requests: { cpu: o.cpu } } } : {}) }],
  };
}

function pod(ns: string, name: string, o: PodOptions = {}): object {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, ...(o.labels ? { labels: o.labels } : {}) }, spec: podSpec(o) };
}

function deployment(ns: string, name: string, replicas: number, extra: object): object {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { ...podSpec({}), ...extra } } },
  };
}

const apply = (kite: Kite, ...objects: object[]) =>
  kite.kubectl(['apply', '-f', '-'], { input: objects.map((o) => stringify(o)).join('---\n') });

describeWithServer('scheduler', 'sqlite', (ctx: SuiteContext) => {
  let nodes: FakeNodes;
  // Zones a, a, b, c: two nodes share zone a.
  const zones = ['a', 'a', 'b', 'c'];
  const names = zones.map(() => uniqueName('sched'));
  const kite = (): Kite => ctx.kite;

  before(async () => {
    nodes = await startFakeNodes(ctx.kite, { names, labels: (_n, i) => ({ [ZONE]: `zone-${zones[i]}` }) });
  });
  after(async () => {
    await nodes?.close();
  });

  const namespace = async (prefix: string) => {
    const ns = uniqueName(prefix);
    await createNamespace(kite(), ns);
    return ns;
  };
  const getPod = async (ns: string, name: string) => (await kite().request('GET', `/api/v1/namespaces/${ns}/pods/${name}`)).json();
  const podsOf = async (ns: string) => (await kite().request('GET', `/api/v1/namespaces/${ns}/pods`)).json().items as any[];
  const running = (ns: string, name: string) =>
    pollUntil(`${ns}/${name} Running`, async () => { const p = await getPod(ns, name); return p.status?.phase === 'Running' ? p : false; }, 20_000, 200);
  const scheduledCondition = (p: any) => p.status?.conditions?.find((c: any) => c.type === 'PodScheduled');
  /** The pod's PodScheduled=False message, once the scheduler has given up on it. */
  const unschedulable = (ns: string, name: string) => pollUntil(`${ns}/${name} PodScheduled=False`, async () => {
    const c = scheduledCondition(await getPod(ns, name));
    return c?.status === 'False' && c.reason === 'Unschedulable' ? String(c.message) : false;
  }, 20_000, 200);
  const failedSchedulingEvents = async (ns: string, name: string) => {
    const { stdout } = await kite().kubectl(['get', 'events', '-n', ns, '--field-selector', `reason=FailedScheduling,involvedObject.name=${name}`, '-o', 'json']);
    return (JSON.parse(stdout).items as any[]).map((e) => ({ type: e.type, message: e.message, source: e.source?.component ?? e.reportingComponent }));
  };

  it('keeps a pod whose nodeSelector no node matches Pending, and schedules it once a node is labelled to match', async () => {
    const ns = await namespace('selector');
    await apply(kite(), pod(ns, 'picky', { nodeSelector: { disk: 'ssd' } }));
    const message = await unschedulable(ns, 'picky');
    const want = "0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.";
    assert.equal(message, want);
    const events = await pollUntil('a FailedScheduling event', async () => { const e = await failedSchedulingEvents(ns, 'picky'); return e.length > 0 ? e : false; });
    assert.deepEqual(events[0], { type: 'Warning', message: want, source: 'default-scheduler' });
    const { stdout } = await kite().kubectl(['get', 'pod', 'picky', '-n', ns]);
    assert.equal(parseTable(stdout)[0]!.STATUS, 'Pending');

    await kite().kubectl(['label', 'node', names[2]!, 'disk=ssd']);
    const p = await running(ns, 'picky');
    assert.equal(p.spec.nodeName, names[2]);
    assert.equal(scheduledCondition(p).status, 'True');
    const described = (await kite().kubectl(['describe', 'pod', 'picky', '-n', ns])).stdout;
    assert.match(described, new RegExp(`Successfully assigned ${ns}/picky to ${names[2]}`));
    await kite().kubectl(['label', 'node', names[2]!, 'disk-']);
  });

  it('spreads a Deployment with required pod anti-affinity one replica per node, leaving the extra one Pending', async () => {
    const ns = await namespace('anti');
    const antiAffinity = {
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: HOSTNAME }] },
    };
    await apply(kite(), deployment(ns, 'web', 5, { affinity: antiAffinity }));
    const pods = await pollUntil('4 running replicas and 1 unschedulable', async () => {
      const items = await podsOf(ns);
      const run = items.filter((p) => p.status?.phase === 'Running');
      const stuck = items.filter((p) => scheduledCondition(p)?.status === 'False');
      return items.length === 5 && run.length === 4 && stuck.length === 1 ? { run, stuck } : false;
    }, 30_000, 200);
    assert.deepEqual(pods.run.map((p) => p.spec.nodeName).sort(), [...names].sort());
    assert.equal(pods.stuck[0].spec.nodeName, undefined);
    assert.match(scheduledCondition(pods.stuck[0]).message, /^0\/4 nodes are available: 4 node\(s\) didn't match pod anti-affinity rules\. preemption: /);
    await kite().kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it('keeps the zones of a Deployment with a DoNotSchedule zone spread constraint within maxSkew', async () => {
    const ns = await namespace('spread');
    const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'spread' } } }] };
    await apply(kite(), deployment(ns, 'spread', 6, spread));
    const pods = await pollUntil('6 running replicas', async () => {
      const items = (await podsOf(ns)).filter((p) => p.status?.phase === 'Running');
      return items.length === 6 ? items : false;
    }, 30_000, 200);
    const perZone = new Map<string, number>(zones.map((z) => [`zone-${z}`, 0]));
    for (const p of pods) {
      const z = `zone-${zones[names.indexOf(p.spec.nodeName)]}`;
      perZone.set(z, perZone.get(z)! + 1);
    }
    // Six pods over three zones with maxSkew 1 can only be two per zone.
    assert.deepEqual(Object.fromEntries(perZone), { 'zone-a': 2, 'zone-b': 2, 'zone-c': 2 });
    await kite().kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it('keeps a pod off a NoSchedule node unless it tolerates the taint', async () => {
    const ns = await namespace('taint');
    const tainted = names[3]!;
    await kite().kubectl(['taint', 'node', tainted, 'dedicated=gpu:NoSchedule']);
    try {
      const onTainted = { [HOSTNAME]: tainted };
      await apply(kite(), pod(ns, 'plain', { nodeSelector: onTainted }));
      assert.equal(await unschedulable(ns, 'plain'),
        "0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 3 node(s) didn't match Pod's node affinity/selector. "
        + 'preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.');
      await apply(kite(), pod(ns, 'tolerant', { nodeSelector: onTainted, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }));
      assert.equal((await running(ns, 'tolerant')).spec.nodeName, tainted);
      assert.equal((await getPod(ns, 'plain')).spec.nodeName, undefined);
    } finally {
      await kite().kubectl(['taint', 'node', tainted, 'dedicated=gpu:NoSchedule-']);
    }
    // Untainted, the node takes the plain pod too.
    assert.equal((await running(ns, 'plain')).spec.nodeName, tainted);
  });

  it('schedules pods of a second profile from the config file', async () => {
    const ns = await namespace('profile');
    await apply(kite(), pod(ns, 'other', { schedulerName: 'no-image-locality' }));
    const p = await running(ns, 'other');
    assert.ok(names.includes(p.spec.nodeName));
    await apply(kite(), pod(ns, 'nobody', { schedulerName: 'not-configured' }));
    await new Promise((r) => setTimeout(r, 1000));
    const nobody = await getPod(ns, 'nobody');
    assert.equal(nobody.spec.nodeName, undefined);
    assert.equal(scheduledCondition(nobody), undefined, 'no profile of ours, so no condition either');
  });

  it('preempts a lower-priority pod for a higher-priority one that fits nowhere else', async () => {
    const ns = await namespace('preempt');
    const node = names[0]!;
    const priorityClass = (name: string, value: number) => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value });
    const low = uniqueName('low');
    const high = uniqueName('high');
    await apply(kite(), priorityClass(low, 100), priorityClass(high, 1_000_000));
    try {
      const onNode = { [HOSTNAME]: node };
      await apply(kite(), pod(ns, 'victim', { nodeSelector: onNode, cpu: '3', priorityClassName: low }));
      const victim = await running(ns, 'victim');
      assert.equal(victim.spec.priority, 100);
      await apply(kite(), pod(ns, 'preemptor', { nodeSelector: onNode, cpu: '3', priorityClassName: high }));
      const p = await running(ns, 'preemptor');
      assert.equal(p.spec.nodeName, node);
      assert.equal(p.spec.priority, 1_000_000);
      await pollUntil('the victim gone', async () => (await kite().request('GET', `/api/v1/namespaces/${ns}/pods/victim`)).status === 404, 20_000, 200);
      const { stdout } = await kite().kubectl(['get', 'events', '-n', ns, '--field-selector', 'reason=Preempted', '-o', 'json']);
      const preempted = (JSON.parse(stdout).items as any[]).map((e) => `${e.involvedObject.name}: ${e.message}`);
      assert.deepEqual(preempted, [`victim: Preempted by pod ${p.metadata.uid} on node ${node}`]);
    } finally {
      await kite().kubectl(['delete', 'priorityclass', low, high, '--ignore-not-found']);
    }
  });
}, { extraArgs: ['--scheduler-config', configFile] });
