import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../apimachinery/clock.js';
import type { ClusterEvent, QueuedPodInfo } from '../framework/interface.js';
import { Status } from '../framework/status.js';
import { SchedulingQueue, eventMatches } from './queue.js';

function pod(name: string, priority = 0, extra: Partial<Pod['spec']> = {}): Pod {
  return { metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { containers: [], priority, ...extra } };
}

const names = (ps: Pod[]): string[] => ps.map((p) => p.metadata!.name!).sort();

async function popName(q: SchedulingQueue): Promise<string | undefined> {
  return (await q.pop())?.pod.metadata?.name;
}

test('pop orders by priority, then by arrival', async () => {
  const clock = new FakeClock(0);
  const q = new SchedulingQueue({ clock });
  const arrivals: [string, number][] = [['low', 0], ['high', 100], ['low2', 0], ['mid', 50], ['high2', 100]];
  for (const [n, prio] of arrivals) {
    q.add(pod(n, prio));
    clock.advance(10);
  }
  const got: (string | undefined)[] = [];
  for (let i = 0; i < arrivals.length; i++) got.push(await popName(q));
  assert.deepEqual(got, ['high', 'high2', 'mid', 'low', 'low2']);
});

test('pop waits for a pod and returns undefined once closed', async () => {
  const q = new SchedulingQueue({ clock: new FakeClock() });
  const waiting = q.pop();
  q.add(pod('a'));
  assert.equal((await waiting)?.pod.metadata?.name, 'a');
  assert.equal(q.schedulingCycle(), 1);
  const again = q.pop();
  q.close();
  assert.equal(await again, undefined);
});

test('backoff doubles from 1s to a 10s cap', () => {
  const q = new SchedulingQueue({ clock: new FakeClock() });
  const info = (attempts: number): QueuedPodInfo => ({ pod: pod('a'), attempts, timestamp: 0, initialAttemptTimestamp: 0, unschedulablePlugins: new Set() });
  const cases: [number, number][] = [[1, 1000], [2, 2000], [3, 4000], [4, 8000], [5, 10000], [12, 10000]];
  for (const [attempts, want] of cases) assert.equal(q.backoffDuration(info(attempts)), want, `attempts ${attempts}`);
});

test('a pod that failed with an error waits out its backoff', async () => {
  const clock = new FakeClock(0);
  const q = new SchedulingQueue({ clock });
  q.add(pod('a'));
  const p = (await q.pop())!;
  q.addUnschedulableIfNotPresent(p, q.schedulingCycle());
  assert.deepEqual(names(q.backoffPods()), ['a']);
  clock.advance(999);
  q.flushBackoffCompleted();
  assert.deepEqual(names(q.activePods()), []);
  clock.advance(1);
  q.flushBackoffCompleted();
  assert.deepEqual(names(q.activePods()), ['a']);
});

test('unschedulable pods move only on events that may help their plugins', async () => {
  const pluginEvents = new Map<string, ClusterEvent[]>([
    ['NodeResourcesFit', [{ resource: 'Node', action: 'Add' }, { resource: 'Node', action: 'UpdateNodeAllocatable' }, { resource: 'Pod', action: 'Delete' }]],
    ['TaintToleration', [{ resource: 'Node', action: 'Add' }, { resource: 'Node', action: 'UpdateNodeTaint' }]],
  ]);
  const cases: { name: string; plugins: string[]; event: ClusterEvent; moved: boolean }[] = [
    { name: 'fit, node added', plugins: ['NodeResourcesFit'], event: { resource: 'Node', action: 'Add' }, moved: true },
    { name: 'fit, node label changed', plugins: ['NodeResourcesFit'], event: { resource: 'Node', action: 'UpdateNodeLabel' }, moved: false },
    { name: 'fit, pod deleted', plugins: ['NodeResourcesFit'], event: { resource: 'Pod', action: 'Delete' }, moved: true },
    { name: 'taint, taint changed', plugins: ['TaintToleration'], event: { resource: 'Node', action: 'UpdateNodeTaint' }, moved: true },
    { name: 'taint, pod deleted', plugins: ['TaintToleration'], event: { resource: 'Pod', action: 'Delete' }, moved: false },
    { name: 'either plugin helps', plugins: ['TaintToleration', 'NodeResourcesFit'], event: { resource: 'Pod', action: 'Delete' }, moved: true },
    { name: 'unregistered plugin cares about all', plugins: ['Custom'], event: { resource: 'Service', action: 'Add' }, moved: true },
  ];
  for (const c of cases) {
    const clock = new FakeClock(0);
    const q = new SchedulingQueue({ clock, pluginEvents });
    q.add(pod('a'));
    const p = (await q.pop())!;
    p.unschedulablePlugins = new Set(c.plugins);
    const cycle = q.schedulingCycle();
    q.addUnschedulableIfNotPresent(p, cycle);
    assert.deepEqual(names(q.unschedulablePods()), ['a'], c.name);
    clock.advance(5_000);
    q.moveAllToActiveOrBackoff(c.event);
    assert.deepEqual(names(q.activePods()), c.moved ? ['a'] : [], c.name);
    assert.deepEqual(names(q.unschedulablePods()), c.moved ? [] : ['a'], c.name);
  }
});

test('a moved pod still backing off goes to the backoff queue', async () => {
  const clock = new FakeClock(0);
  const q = new SchedulingQueue({ clock });
  q.add(pod('a'));
  const p = (await q.pop())!;
  p.unschedulablePlugins = new Set(['X']);
  q.addUnschedulableIfNotPresent(p, q.schedulingCycle());
  q.moveAllToActiveOrBackoff({ resource: 'Node', action: 'Add' });
  assert.deepEqual(names(q.backoffPods()), ['a']);
});

test('a move request during the pod’s cycle sends it to backoff instead of unschedulable', async () => {
  const clock = new FakeClock(0);
  const q = new SchedulingQueue({ clock });
  q.add(pod('a'));
  const p = (await q.pop())!;
  const cycle = q.schedulingCycle();
  q.moveAllToActiveOrBackoff({ resource: 'Node', action: 'Add' });
  p.unschedulablePlugins = new Set(['X']);
  q.addUnschedulableIfNotPresent(p, cycle);
  assert.deepEqual(names(q.backoffPods()), ['a']);
});

test('unschedulable pods are flushed after five minutes', async () => {
  const clock = new FakeClock(0);
  const q = new SchedulingQueue({ clock, pluginEvents: new Map([['X', []]]) });
  const ac = new AbortController();
  q.run(ac.signal);
  q.add(pod('a'));
  const p = (await q.pop())!;
  p.unschedulablePlugins = new Set(['X']);
  q.addUnschedulableIfNotPresent(p, q.schedulingCycle());
  clock.advance(4 * 60_000);
  assert.deepEqual(names(q.unschedulablePods()), ['a']);
  clock.advance(90_000);
  assert.deepEqual(names(q.unschedulablePods()), []);
  assert.deepEqual(names(q.activePods()), ['a']);
  ac.abort();
  assert.equal(clock.pending(), 0);
});

test('updating an unschedulable pod’s spec retries it; a status-only update does not', async () => {
  const clock = new FakeClock(0);
  const q = new SchedulingQueue({ clock });
  q.add(pod('a'));
  const p = (await q.pop())!;
  p.unschedulablePlugins = new Set(['X']);
  q.addUnschedulableIfNotPresent(p, q.schedulingCycle());
  clock.advance(2_000);
  const statusOnly = { ...pod('a'), status: { phase: 'Pending' } };
  q.update(pod('a'), statusOnly);
  assert.deepEqual(names(q.unschedulablePods()), ['a']);
  q.update(statusOnly, pod('a', 0, { nodeSelector: { disk: 'ssd' } }));
  assert.deepEqual(names(q.activePods()), ['a']);
  q.delete(pod('a'));
  assert.equal(q.pendingCount(), 0);
});

test('PreEnqueue keeps gated pods out of the active queue', () => {
  let open = false;
  const q = new SchedulingQueue({
    clock: new FakeClock(),
    preEnqueue: () => (open ? Status.success() : Status.unresolvable('gated').withPlugin('SchedulingGates')),
    pluginEvents: new Map([['SchedulingGates', [{ resource: 'Pod', action: 'Update' }]]]),
  });
  q.add(pod('a'));
  assert.equal(q.isGated(pod('a')), true);
  assert.deepEqual(names(q.activePods()), []);
  open = true;
  q.update(pod('a'), pod('a', 0, { schedulingGates: [] }));
  assert.deepEqual(names(q.activePods()), ['a']);
});

test('nominated pods are listed per node', () => {
  const q = new SchedulingQueue({ clock: new FakeClock() });
  q.addNominatedPod(pod('a'), 'n1');
  q.addNominatedPod(pod('b'), 'n2');
  q.add({ ...pod('c'), status: { nominatedNodeName: 'n1' } });
  assert.deepEqual(names(q.nominatedPodsForNode('n1')), ['a', 'c']);
  q.deleteNominatedPodIfExists(pod('a'));
  q.delete(pod('c'));
  assert.deepEqual(names(q.nominatedPodsForNode('n1')), []);
});

test('eventMatches', () => {
  const cases: [ClusterEvent, ClusterEvent, boolean][] = [
    [{ resource: 'Node', action: 'All' }, { resource: 'Node', action: 'UpdateNodeLabel' }, true],
    [{ resource: 'Node', action: 'Update' }, { resource: 'Node', action: 'UpdateNodeTaint' }, true],
    [{ resource: 'Node', action: 'UpdateNodeLabel' }, { resource: 'Node', action: 'UpdateNodeTaint' }, false],
    [{ resource: 'Node', action: 'Add' }, { resource: 'Pod', action: 'Add' }, false],
    [{ resource: 'Pod', action: 'Delete' }, { resource: 'Pod', action: 'All' }, true],
  ];
  for (const [reg, ev, want] of cases) assert.equal(eventMatches(reg, ev), want, `${reg.action} vs ${ev.action}`);
});
