import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { WaitingPodHandle } from '../../framework/interface.js';
import { Code } from '../../framework/status.js';
import { makeNode, makePod } from '../helper/testing.js';
import { ERR_NO_VICTIMS, ERR_NOT_HELPFUL, ERR_PREEMPTION_NEVER, ERR_TERMINATING_ON_NOMINATED, MSG_PREFIX, NAME } from './index.js';
import { REASON_PREEMPTION_BY_SCHEDULER } from './prepare.js';
import { failedCycle, pdb, setup, snapshotOf, type SetupOptions } from './testing.js';

const small = { cpu: '1', memory: '1Gi', pods: '10' };
const nodes = (...names: string[]) => names.map((n) => makeNode(n, { allocatable: small }));
const onNode = (name: string, node: string, priority: number, labels?: Record<string, string>): Pod => {
  const p = makePod(name, { node, priority, requests: [{ cpu: '1' }] });
  if (labels) p.metadata!.labels = labels;
  return p;
};
const preemptor = (o: { nominated?: string; never?: boolean; nodeName?: string } = {}): Pod => {
  const p = makePod('preemptor', { priority: 10, requests: [{ cpu: '1' }], ...(o.nodeName ? { node: o.nodeName } : {}) });
  return {
    ...p,
    spec: { ...p.spec!, ...(o.never ? { preemptionPolicy: 'Never' } : {}) },
    ...(o.nominated ? { status: { nominatedNodeName: o.nominated } } : {}),
  };
};
const terminatingByPreemption = (p: Pod): Pod => ({
  ...p,
  metadata: { ...p.metadata, deletionTimestamp: '2026-06-01T00:00:00Z' },
  status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: REASON_PREEMPTION_BY_SCHEDULER }] },
});

async function run(o: SetupOptions, nodeNames: string[], pods: Pod[], pod: Pod) {
  const s = setup(o);
  const { state, filtered } = failedCycle(s.fwk, pod, snapshotOf(nodes(...nodeNames), pods));
  const r = await s.plugin.postFilter(state, pod, filtered);
  return { ...s, r };
}

test('DefaultPreemption reports why it cannot help', async () => {
  const cases: { name: string; nodes: string[]; pods: Pod[]; pod: Pod; message: string }[] = [
    { name: 'preemptionPolicy Never', nodes: ['n1'], pods: [onNode('low', 'n1', 1)], pod: preemptor({ never: true }), message: ERR_PREEMPTION_NEVER },
    {
      name: 'a victim is still terminating on the nominated node',
      nodes: ['n1', 'n2'], pods: [terminatingByPreemption(onNode('low', 'n1', 1)), onNode('low2', 'n2', 1)],
      pod: preemptor({ nominated: 'n1' }), message: ERR_TERMINATING_ON_NOMINATED,
    },
    {
      name: 'no lower-priority pods, or nodes preemption cannot fix',
      nodes: ['n1', 'n2', 'n3'], pods: [onNode('high', 'n1', 20), onNode('low', 'n2', 1)], pod: preemptor({ nodeName: 'n1' }),
      message: `0/3 nodes are available: 1 ${ERR_NO_VICTIMS}, 2 ${ERR_NOT_HELPFUL}.`,
    },
    {
      name: 'preemptor too big for any node',
      nodes: ['n1', 'n2'], pods: [onNode('low', 'n1', 1)], pod: { ...preemptor(), spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '2' } } }], priority: 10 } },
      message: `0/2 nodes are available: 1 Insufficient cpu, 1 ${ERR_NO_VICTIMS}.`,
    },
  ];
  for (const c of cases) {
    const { r, requests, events } = await run({}, c.nodes, c.pods, c.pod);
    assert.equal(r.status.code, Code.Unschedulable, c.name);
    assert.equal(r.status.message(), MSG_PREFIX + c.message, c.name);
    assert.equal(r.nominatedNodeName, undefined, c.name);
    assert.deepEqual(requests, [], c.name);
    assert.deepEqual(events, [], c.name);
  }
});

test('DefaultPreemption tries again when the nominated node cannot take the pod any more', async () => {
  // n1 was nominated but now fails NodeName (unresolvable); n2 has a victim.
  const pod = { ...preemptor({ nominated: 'n1', nodeName: 'n2' }) };
  const { r } = await run({}, ['n1', 'n2'], [terminatingByPreemption(onNode('low', 'n1', 1)), onNode('low2', 'n2', 1)], pod);
  assert.equal(r.status.code, Code.Success);
  assert.equal(r.nominatedNodeName, 'n2');
});

test('DefaultPreemption evicts the best candidate’s victims and nominates its node', async () => {
  const cases: { name: string; pods: Pod[]; pdbs?: PodDisruptionBudget[]; node: string; victims: string[] }[] = [
    { name: 'lower-priority victim preferred', pods: [onNode('mid', 'n1', 5), onNode('low', 'n2', 1)], node: 'n2', victims: ['low'] },
    {
      name: 'budget-respecting candidate preferred',
      pods: [onNode('mid', 'n1', 5), onNode('web', 'n2', 1, { app: 'web' })], pdbs: [pdb('web', { app: 'web' }, 0)], node: 'n1', victims: ['mid'],
    },
    {
      name: 'budget violated when nothing else helps',
      pods: [onNode('web1', 'n1', 1, { app: 'web' }), onNode('web2', 'n2', 1, { app: 'web' })], pdbs: [pdb('web', { app: 'web' }, 0)], node: 'n1', victims: ['web1'],
    },
  ];
  for (const c of cases) {
    const { r, requests, events } = await run({ pdbs: c.pdbs }, ['n1', 'n2'], c.pods, preemptor());
    assert.equal(r.status.code, Code.Success, `${c.name}: ${r.status.message()}`);
    assert.equal(r.nominatedNodeName, c.node, c.name);
    const want = c.victims.flatMap((v) => [
      { method: 'PATCH', path: `/api/v1/namespaces/default/pods/${v}/status` },
      { method: 'DELETE', path: `/api/v1/namespaces/default/pods/${v}` },
    ]);
    assert.deepEqual(requests.map(({ method, path }) => ({ method, path })), want, c.name);
    const cond = (requests[0]!.body as { status: { conditions: Record<string, string>[] } }).status.conditions[0]!;
    assert.deepEqual(
      { type: cond.type, status: cond.status, reason: cond.reason, message: cond.message },
      { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: 'default-scheduler: preempting to accommodate a higher priority pod' },
      c.name,
    );
    assert.deepEqual((requests[1]!.body as { preconditions: unknown }).preconditions, { uid: `uid-${c.victims[0]}` }, c.name);
    assert.deepEqual(events, c.victims.map((v) => ({ name: v, reason: 'Preempted', message: `Preempted by pod uid-preemptor on node ${c.node}` })), c.name);
  }
});

test('DefaultPreemption rejects victims waiting at Permit instead of deleting them', async () => {
  const rejected: string[] = [];
  const waiting: WaitingPodHandle = { pod: onNode('low', 'n1', 1), nodeName: 'n1', reject: (plugin, msg) => rejected.push(`${plugin}: ${msg}`) };
  const { r, requests, events } = await run({ waiting: { 'uid-low': waiting } }, ['n1'], [onNode('low', 'n1', 1)], preemptor());
  assert.equal(r.nominatedNodeName, 'n1');
  assert.deepEqual(rejected, [`${NAME}: preempted`]);
  assert.deepEqual(requests, []);
  assert.equal(events[0]?.reason, 'Preempted');
});

test('DefaultPreemption skips victims already terminating or gone', async () => {
  const deleting = { ...onNode('a', 'n1', 1), metadata: { ...onNode('a', 'n1', 1).metadata, deletionTimestamp: '2026-06-01T00:00:00Z' } };
  const nodeAllocatable = { cpu: '2', memory: '1Gi', pods: '10' };
  const s = setup({ missing: new Set(['/api/v1/namespaces/default/pods/b/status']) });
  const pod = { ...preemptor(), spec: { ...preemptor().spec!, containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '2' } } }] } };
  const snap = snapshotOf([makeNode('n1', { allocatable: nodeAllocatable })], [deleting, onNode('b', 'n1', 1)]);
  const { state, filtered } = failedCycle(s.fwk, pod, snap);
  const r = await s.plugin.postFilter(state, pod, filtered);
  assert.equal(r.nominatedNodeName, 'n1');
  assert.deepEqual(s.requests.map((q) => `${q.method} ${q.path}`), ['PATCH /api/v1/namespaces/default/pods/b/status']);
  assert.deepEqual(s.events, []);
});

test('DefaultPreemption preempts all victims of a node, each patched before it is deleted', async () => {
  const cases: { name: string; missing: string[]; preempted: string[] }[] = [
    { name: 'both victims', missing: [], preempted: ['a', 'b'] },
    { name: 'one victim gone meanwhile', missing: ['/api/v1/namespaces/default/pods/a/status'], preempted: ['b'] },
  ];
  for (const c of cases) {
    const s = setup({ missing: new Set(c.missing) });
    const pod = { ...preemptor(), spec: { ...preemptor().spec!, containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '2' } } }] } };
    const snap = snapshotOf([makeNode('n1', { allocatable: { cpu: '2', memory: '1Gi', pods: '10' } })], [onNode('a', 'n1', 1), onNode('b', 'n1', 1)]);
    const { state, filtered } = failedCycle(s.fwk, pod, snap);
    const r = await s.plugin.postFilter(state, pod, filtered);
    assert.equal(r.nominatedNodeName, 'n1', c.name);
    for (const v of ['a', 'b']) {
      const mine = s.requests.filter((q) => q.path.startsWith(`/api/v1/namespaces/default/pods/${v}`)).map((q) => q.method);
      assert.deepEqual(mine, c.preempted.includes(v) ? ['PATCH', 'DELETE'] : ['PATCH'], `${c.name}: ${v}`);
    }
    assert.deepEqual(s.events.map((e) => e.name).sort(), c.preempted, c.name);
  }
});

test('DefaultPreemption clears the nominations of lower-priority pods on the chosen node', async () => {
  const nominatedLow = { ...makePod('nom-low', { priority: 2, requests: [{ cpu: '1' }] }), status: { nominatedNodeName: 'n1' } };
  const nominatedHigh = { ...makePod('nom-high', { priority: 50, requests: [{ cpu: '1' }] }), status: { nominatedNodeName: 'n1' } };
  const { r, requests, nominator } = await run({ nominated: { n1: [nominatedLow, nominatedHigh] } }, ['n1'], [onNode('low', 'n1', 1)], preemptor());
  assert.equal(r.nominatedNodeName, undefined, 'the higher nominated pod takes the room: no candidate');
  assert.equal(requests.length, 0);

  const s = await run({ nominated: { n1: [nominatedLow] } }, ['n1'], [onNode('low', 'n1', 1)], preemptor());
  assert.equal(s.r.nominatedNodeName, 'n1');
  assert.deepEqual(s.nominator.deleted, ['nom-low']);
  const clear = s.requests.find((q) => q.path === '/api/v1/namespaces/default/pods/nom-low/status');
  assert.deepEqual(clear?.body, { status: { nominatedNodeName: null } });
  assert.deepEqual(nominator.deleted, []);
});

test('DefaultPreemption drops the preemptor’s own stale nomination when nothing helps', async () => {
  const pod = preemptor({ nominated: 'n1' });
  const { r, requests, nominator } = await run({}, ['n1'], [onNode('high', 'n1', 20)], pod);
  assert.equal(r.status.code, Code.Unschedulable);
  assert.deepEqual(nominator.deleted, ['preemptor']);
  assert.deepEqual(requests.map((q) => `${q.method} ${q.path}`), ['PATCH /api/v1/namespaces/default/pods/preemptor/status']);
});

test('DefaultPreemption validates its arguments', () => {
  assert.throws(() => setup({ args: { minCandidateNodesPercentage: 101 } }), /minCandidateNodesPercentage/);
  assert.throws(() => setup({ args: { minCandidateNodesAbsolute: -1 } }), /minCandidateNodesAbsolute/);
  assert.throws(() => setup({ args: { minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0 } }), /both be zero/);
});
