import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../apimachinery/clock.js';
import { SchedulerCache } from './cache.js';

function node(name: string, cpu = '4'): Node {
  return { metadata: { name }, status: { allocatable: { cpu, memory: '8Gi', pods: '110' } } };
}

function pod(name: string, nodeName?: string, cpu = '100m'): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { nodeName, containers: [{ name: 'c', image: 'i', resources: { requests: { cpu } } }] },
  };
}

function cpuOn(c: SchedulerCache, n: string): number | undefined {
  return c.snapshot().get(n)?.requested.milliCPU;
}

test('cache tracks bound and assumed pods per node', () => {
  type Step = (c: SchedulerCache, clock: FakeClock) => void;
  const cases: { name: string; steps: Step[]; want: Record<string, number | undefined>; assumed?: string[] }[] = [
    { name: 'bound pod counts', steps: [(c) => c.addNode(node('n1')), (c) => c.addPod(pod('a', 'n1'))], want: { n1: 100 } },
    { name: 'pod before its node', steps: [(c) => c.addPod(pod('a', 'n1')), (c) => c.addNode(node('n1'))], want: { n1: 100 } },
    { name: 'assumed pod counts', steps: [(c) => c.addNode(node('n1')), (c) => c.assume(pod('a'), 'n1')], want: { n1: 100 }, assumed: ['a'] },
    { name: 'forget drops the assumption', steps: [(c) => c.addNode(node('n1')), (c) => c.assume(pod('a'), 'n1'), (c) => c.forget(pod('a'))], want: { n1: 0 } },
    {
      name: 'binding seen confirms the assumption',
      steps: [(c) => c.addNode(node('n1')), (c) => c.assume(pod('a'), 'n1'), (c) => c.finishBinding(pod('a')), (c) => c.addPod(pod('a', 'n1')), (_c, k) => k.advance(60_000), (c) => c.cleanupExpired()],
      want: { n1: 100 },
    },
    {
      name: 'bound elsewhere moves the pod',
      steps: [(c) => c.addNode(node('n1')), (c) => c.addNode(node('n2')), (c) => c.assume(pod('a'), 'n1'), (c) => c.addPod(pod('a', 'n2'))],
      want: { n1: 0, n2: 100 },
    },
    {
      name: 'assumption expires after the ttl once binding finished',
      steps: [(c) => c.addNode(node('n1')), (c) => c.assume(pod('a'), 'n1'), (c) => c.finishBinding(pod('a')), (_c, k) => k.advance(30_000), (c) => c.cleanupExpired()],
      want: { n1: 0 },
    },
    {
      name: 'assumption without finished binding does not expire',
      steps: [(c) => c.addNode(node('n1')), (c) => c.assume(pod('a'), 'n1'), (_c, k) => k.advance(60_000), (c) => c.cleanupExpired()],
      want: { n1: 100 }, assumed: ['a'],
    },
    { name: 'removed pod', steps: [(c) => c.addNode(node('n1')), (c) => c.addPod(pod('a', 'n1')), (c) => c.removePod(pod('a', 'n1'))], want: { n1: 0 } },
    { name: 'removed node leaves the snapshot', steps: [(c) => c.addNode(node('n1')), (c) => c.addPod(pod('a', 'n1')), (c) => c.removeNode(node('n1'))], want: { n1: undefined } },
    { name: 'pending pods without a node are ignored', steps: [(c) => c.addNode(node('n1')), (c) => c.addPod(pod('a'))], want: { n1: 0 } },
  ];
  for (const tc of cases) {
    const clock = new FakeClock(1000);
    const c = new SchedulerCache(clock);
    for (const s of tc.steps) s(c, clock);
    for (const [n, cpu] of Object.entries(tc.want)) assert.equal(cpuOn(c, n), cpu, `${tc.name}: ${n}`);
    for (const a of tc.assumed ?? []) assert.equal(c.isAssumed(pod(a)), true, `${tc.name}: ${a} assumed`);
  }
});

test('snapshot clones only changed nodes and keeps earlier clones unchanged', () => {
  const c = new SchedulerCache(new FakeClock());
  for (let i = 0; i < 50; i++) c.addNode(node(`n${i}`));
  const s1 = c.snapshot();
  const before = s1.list().slice();
  const n3 = s1.get('n3');
  c.addPod(pod('a', 'n3'));
  const s2 = c.snapshot();
  const after = s2.list();
  assert.equal(after.length, 50);
  assert.deepEqual(after.map((n) => n.name), before.map((n) => n.name));
  const changed = after.filter((n, i) => n !== before[i]).map((n) => n.name);
  assert.deepEqual(changed, ['n3']);
  assert.equal(n3?.requested.milliCPU, 0, 'the clone the earlier cycle saw did not change');
  assert.equal(s2.get('n3')?.requested.milliCPU, 100);
});

test('snapshot tracks pods with affinity', () => {
  const c = new SchedulerCache(new FakeClock());
  c.addNode(node('n1'));
  c.addNode(node('n2'));
  assert.equal(c.snapshot().havePodsWithRequiredAntiAffinity().length, 0);
  const p = pod('a', 'n2');
  p.spec!.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname' }] } };
  c.addPod(p);
  assert.deepEqual(c.snapshot().havePodsWithRequiredAntiAffinity().map((n) => n.name), ['n2']);
  assert.deepEqual(c.snapshot().havePodsWithAffinity().map((n) => n.name), ['n2']);
  c.removePod(p);
  assert.equal(c.snapshot().havePodsWithAffinity().length, 0);
});

test('runCleanup sweeps on the clock', () => {
  const clock = new FakeClock();
  const c = new SchedulerCache(clock, 5_000);
  c.addNode(node('n1'));
  c.assume(pod('a'), 'n1');
  c.finishBinding(pod('a'));
  const ac = new AbortController();
  const expired: string[] = [];
  c.runCleanup(ac.signal, (p) => expired.push(p.metadata!.name!));
  clock.advance(4_000);
  assert.deepEqual(expired, []);
  clock.advance(2_000);
  assert.deepEqual(expired, ['a']);
  ac.abort();
  assert.equal(clock.pending(), 0);
});
