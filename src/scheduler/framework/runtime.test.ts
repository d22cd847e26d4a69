import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../apimachinery/clock.js';
import { silentLogger } from '../../apimachinery/log.js';
import type { ApiClient } from '../../client/rest.js';
import { Snapshot } from '../cache/snapshot.js';
import { FitError } from './fiterror.js';
import type { BindPlugin, FilterPlugin, PermitPlugin, PluginRegistry, PostFilterPlugin, PreFilterPlugin, ScorePlugin } from './interface.js';
import { newNodeInfo } from './nodeinfo.js';
import type { SchedulerProfile } from './profile.js';
import { Framework, numFeasibleNodesToFind } from './runtime.js';
import { Code, Status } from './status.js';
import { CycleState, type NodeScore } from './types.js';

function node(name: string, labels: Record<string, string> = {}): Node {
  return { metadata: { name, labels }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } };
}
const pod: Pod = { metadata: { name: 'p', namespace: 'default', uid: 'uid-p' }, spec: { containers: [] } };

/** Rejects nodes by the reason in their `reject` label; `unresolvable` ones as unresolvable. */
const labelFilter: FilterPlugin = {
  name: 'LabelFilter',
  filter: (_s, _p, n) => {
    const r = n.node.metadata?.labels?.reject;
    if (!r) return Status.success();
    return n.node.metadata?.labels?.unresolvable ? Status.unresolvable(r) : Status.unschedulable(r);
  },
};

/** Scores the node's `score` label, normalized so the best is 100. */
const labelScore: ScorePlugin = {
  name: 'LabelScore',
  score: (_s, _p, n) => ({ score: Number(n.node.metadata?.labels?.score ?? 0), status: Status.success() }),
  normalizeScore: (_s, _p, scores: NodeScore[]) => {
    const max = Math.max(...scores.map((s) => s.score), 1);
    for (const s of scores) s.score = Math.floor((s.score * 100) / max);
    return Status.success();
  },
};

/** Scores the `bonus` label as is. */
const bonusScore: ScorePlugin = {
  name: 'Bonus',
  score: (_s, _p, n) => ({ score: Number(n.node.metadata?.labels?.bonus ?? 0), status: Status.success() }),
};

function recordingBinder(binds: string[]): BindPlugin {
  return { name: 'RecordingBinder', bind: async (_s, p, n) => { binds.push(`${p.metadata?.name}->${n}`); return Status.success(); } };
}

const preemptionNotHelpful: PostFilterPlugin = {
  name: 'FakePreemption',
  postFilter: async (_s, _p, filtered) => ({ status: Status.unschedulable(`preemption: 0/${filtered.size} nodes are available: ${filtered.size} Preemption is not helpful for scheduling.`) }),
};

function framework(profile: Partial<SchedulerProfile>, extra: PluginRegistry = {}, opts: { random?: () => number; clock?: FakeClock } = {}): { fwk: Framework; binds: string[] } {
  const binds: string[] = [];
  const registry: PluginRegistry = {
    LabelFilter: () => labelFilter, LabelScore: () => labelScore, Bonus: () => bonusScore,
    RecordingBinder: () => recordingBinder(binds), FakePreemption: () => preemptionNotHelpful, ...extra,
  };
  const fwk = new Framework(
    { schedulerName: 'test', plugins: [{ name: 'LabelFilter' }, { name: 'LabelScore', weight: 2 }, { name: 'Bonus' }, { name: 'RecordingBinder' }], ...profile },
    registry,
    { client: {} as ApiClient, clock: opts.clock ?? new FakeClock(), logger: silentLogger, recorder: { event() {} } },
    { random: opts.random ?? (() => 0.99) },
  );
  return { fwk, binds };
}

const snap = (nodes: Node[]): Snapshot => Snapshot.of(nodes.map((n) => newNodeInfo(n)));

test('the framework picks the node with the highest weighted score', () => {
  const cases: { name: string; nodes: Node[]; want: string }[] = [
    { name: 'highest label score', nodes: [node('a', { score: '1' }), node('b', { score: '5' }), node('c', { score: '3' })], want: 'b' },
    { name: 'filtered node is not chosen', nodes: [node('a', { score: '1' }), node('b', { score: '5', reject: 'no' })], want: 'a' },
    // a: 2×100 + 0 = 200; b: 2×50 + 90 = 190.
    { name: 'weights are applied after normalizing', nodes: [node('a', { score: '10', bonus: '0' }), node('b', { score: '5', bonus: '90' })], want: 'a' },
    { name: 'single feasible node skips scoring', nodes: [node('a', { reject: 'x' }), node('b')], want: 'b' },
  ];
  for (const c of cases) {
    const { fwk } = framework({});
    assert.equal(fwk.schedulePod(new CycleState(), pod, snap(c.nodes)).suggestedHost, c.want, c.name);
  }
});

test('ties are broken by the random source', () => {
  const nodes = [node('a'), node('b'), node('c')];
  const pick = (r: number) => framework({}, {}, { random: () => r }).fwk.schedulePod(new CycleState(), pod, snap(nodes)).suggestedHost;
  assert.equal(pick(0.99), 'a');
  assert.equal(pick(0), 'c');
});

test('a pod that fits nowhere gets Kubernetes’ aggregated message', async () => {
  const nodes = [
    node('n1', { reject: 'node(s) had untolerated taint {key: value}' }),
    node('n2', { reject: 'Insufficient cpu' }),
    node('n3', { reject: 'Insufficient cpu' }),
  ];
  const cases: { name: string; profile: Partial<SchedulerProfile>; want: string }[] = [
    {
      name: 'with preemption',
      profile: { plugins: [{ name: 'LabelFilter' }, { name: 'FakePreemption' }, { name: 'RecordingBinder' }] },
      want: '0/3 nodes are available: 1 node(s) had untolerated taint {key: value}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    },
    {
      name: 'without PostFilter',
      profile: { plugins: [{ name: 'LabelFilter' }, { name: 'RecordingBinder' }] },
      want: '0/3 nodes are available: 1 node(s) had untolerated taint {key: value}, 2 Insufficient cpu.',
    },
  ];
  for (const c of cases) {
    const { fwk } = framework(c.profile);
    const state = new CycleState();
    let err: unknown;
    try { fwk.schedulePod(state, pod, snap(nodes)); } catch (e) { err = e; }
    assert.ok(err instanceof FitError, c.name);
    assert.deepEqual([...err.diagnosis.unschedulablePlugins], ['LabelFilter'], c.name);
    if (fwk.hasPostFilterPlugins()) {
      const r = await fwk.runPostFilter(state, pod, err.diagnosis.nodeToStatus);
      err.diagnosis.postFilterMsg = r.status.message();
    }
    assert.equal(new FitError(3, err.diagnosis).message, c.want, c.name);
  }
});

test('PreFilter results intersect and reject the nodes left out', () => {
  const only = (name: string, names: string[]): PreFilterPlugin => ({
    name, preFilter: () => ({ result: { nodeNames: new Set(names) }, status: Status.success() }),
  });
  const cases: { name: string; sets: string[][]; want?: string; message?: string }[] = [
    { name: 'one set', sets: [['b']], want: 'b' },
    { name: 'intersection', sets: [['a', 'b'], ['b', 'c']], want: 'b' },
    { name: 'empty intersection', sets: [['a'], ['c']], message: "0/3 nodes are available: node(s) didn't satisfy plugin(s) [P0 P1] simultaneously." },
  ];
  for (const c of cases) {
    const extra: PluginRegistry = {};
    c.sets.forEach((s, i) => { extra[`P${i}`] = () => only(`P${i}`, s); });
    const { fwk } = framework({ plugins: [...c.sets.map((_, i) => ({ name: `P${i}` })), { name: 'LabelScore' }, { name: 'RecordingBinder' }] }, extra);
    try {
      const r = fwk.schedulePod(new CycleState(), pod, snap([node('a'), node('b'), node('c')]));
      assert.equal(r.suggestedHost, c.want, c.name);
    } catch (e) {
      assert.equal((e as Error).message, c.message, c.name);
    }
  }
});

test('numFeasibleNodesToFind follows the adaptive percentage', () => {
  const cases: [number, number, number][] = [
    [0, 50, 50], [0, 100, 100], [0, 1000, 420], [0, 5000, 500], [0, 6000, 300], [0, 200, 100], [30, 1000, 300], [100, 5000, 5000], [10, 500, 100],
  ];
  for (const [pct, nodes, want] of cases) assert.equal(numFeasibleNodesToFind(pct, nodes), want, `${pct}% of ${nodes}`);
});

test('filtering stops once enough feasible nodes are found and rotates its start', () => {
  const nodes = Array.from({ length: 300 }, (_, i) => node(`n${String(i).padStart(3, '0')}`));
  const { fwk } = framework({ percentageOfNodesToScore: 10 });
  const r1 = fwk.schedulePod(new CycleState(), pod, snap(nodes));
  assert.equal(r1.feasibleNodes, 100);
  assert.equal(r1.evaluatedNodes, 100);
  // Ties go to the first node examined (random 0.99), which moves with the start index.
  assert.equal(r1.suggestedHost, 'n000');
  assert.equal(fwk.schedulePod(new CycleState(), pod, snap(nodes)).suggestedHost, 'n100');
});

test('Permit waits until allowed, and rejects on timeout', async () => {
  const clock = new FakeClock();
  const waiter: PermitPlugin = { name: 'Gate', permit: () => ({ status: new Status(Code.Wait), timeoutMs: 10_000 }) };
  const { fwk } = framework({ plugins: [{ name: 'Gate' }, { name: 'RecordingBinder' }] }, { Gate: () => waiter }, { clock });
  assert.equal(fwk.runPermit(new CycleState(), pod, 'a').code, Code.Wait);
  fwk.waitingPods.get('uid-p')!.allow('Gate');
  assert.equal((await fwk.waitOnPermit(pod)).isSuccess(), true);

  assert.equal(fwk.runPermit(new CycleState(), pod, 'a').code, Code.Wait);
  const decision = fwk.waitOnPermit(pod);
  clock.advance(10_000);
  const s = await decision;
  assert.equal(s.code, Code.Unschedulable);
  assert.equal(s.plugin, 'Gate');
  assert.match(s.message(), /timeout/);
});

test('Reserve failures unreserve in reverse order; Bind skips to the next binder', async () => {
  const calls: string[] = [];
  const reserve = (name: string, ok: boolean) => ({
    name,
    reserve: () => { calls.push(`reserve ${name}`); return ok ? Status.success() : Status.unschedulable('no'); },
    unreserve: () => { calls.push(`unreserve ${name}`); },
  });
  const skipper: BindPlugin = { name: 'Skipper', bind: async () => Status.skip() };
  const { fwk, binds } = framework(
    { plugins: { reserve: { enabled: [{ name: 'R1' }, { name: 'R2' }] }, bind: { enabled: [{ name: 'Skipper' }, { name: 'RecordingBinder' }] } } },
    { R1: () => reserve('R1', true), R2: () => reserve('R2', false), Skipper: () => skipper },
  );
  const s = fwk.runReserve(new CycleState(), pod, 'a');
  assert.equal(s.plugin, 'R2');
  fwk.runUnreserve(new CycleState(), pod, 'a');
  assert.deepEqual(calls, ['reserve R1', 'reserve R2', 'unreserve R2', 'unreserve R1']);
  assert.equal((await fwk.runBind(new CycleState(), pod, 'a')).isSuccess(), true);
  assert.deepEqual(binds, ['p->a']);
});

test('profiles resolve multiPoint and explicit extension points', () => {
  const cases: { name: string; profile: SchedulerProfile['plugins']; error?: RegExp }[] = [
    { name: 'unknown plugin', profile: [{ name: 'Nope' }, { name: 'RecordingBinder' }], error: /not registered/ },
    { name: 'no binder', profile: [{ name: 'LabelFilter' }], error: /Bind plugin/ },
    { name: 'wrong point', profile: { filter: { enabled: [{ name: 'LabelScore' }] }, bind: { enabled: [{ name: 'RecordingBinder' }] } }, error: /does not implement filter/ },
    { name: 'disabled multiPoint', profile: { multiPoint: { enabled: [{ name: 'LabelFilter' }, { name: 'RecordingBinder' }] }, filter: { disabled: [{ name: 'LabelFilter' }] } } },
  ];
  for (const c of cases) {
    const build = () => framework({ plugins: c.profile });
    if (c.error) assert.throws(build, c.error, c.name);
    else {
      const { fwk } = build();
      // LabelFilter is disabled at filter: the rejecting node is chosen.
      assert.equal(fwk.schedulePod(new CycleState(), pod, snap([node('a', { reject: 'x' })])).suggestedHost, 'a', c.name);
    }
  }
});
