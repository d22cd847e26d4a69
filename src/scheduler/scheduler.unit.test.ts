import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../apimachinery/clock.js';
import { silentLogger } from '../apimachinery/log.js';
import type { ApiClient } from '../client/rest.js';
import type { BindPlugin, PluginRegistry, ReservePlugin } from './framework/interface.js';
import { Status } from './framework/status.js';
import { Scheduler } from './scheduler.js';

const node: Node = { metadata: { name: 'n1' }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } };
const pod: Pod = { metadata: { name: 'p', namespace: 'default', uid: 'uid-p' }, spec: { containers: [] } };

function setup(opts: { bindOk: boolean; reserveOk?: boolean }) {
  const clock = new FakeClock(0);
  const events: string[] = [];
  const patches: unknown[] = [];
  const client = { kind: () => ({ patch: async (_ns: string, _n: string, body: unknown) => { patches.push(body); return {}; } }) } as unknown as ApiClient;
  const binder: BindPlugin = { name: 'B', bind: async () => (opts.bindOk ? Status.success() : Status.error('connection refused')) };
  const reserve: ReservePlugin = { name: 'R', reserve: () => (opts.reserveOk === false ? Status.unschedulable('volume taken') : Status.success()), unreserve: () => {} };
  const registry: PluginRegistry = { B: () => binder, R: () => reserve };
  const s = new Scheduler({
    client, clock, logger: silentLogger, registry,
    recorder: { event: (_o, type, reason, message) => events.push(`${type} ${reason} ${message}`) },
    profiles: [{ schedulerName: 'default-scheduler', plugins: [{ name: 'R' }, { name: 'B' }] }],
  });
  s.cache.addNode(node);
  return { s, clock, events, patches };
}

test('a scheduling cycle ends in the cache and the queue as Kubernetes’ does', async () => {
  const cases: { name: string; bindOk: boolean; reserveOk?: boolean; assumed: boolean; backoff: string[]; unschedulable: string[]; event: string }[] = [
    { name: 'bound', bindOk: true, assumed: true, backoff: [], unschedulable: [], event: 'Normal Scheduled Successfully assigned default/p to n1' },
    { name: 'bind error', bindOk: false, assumed: false, backoff: ['p'], unschedulable: [], event: 'Warning FailedScheduling Binding rejected: running Bind plugin "B": connection refused' },
    { name: 'reserve rejects', bindOk: true, reserveOk: false, assumed: false, backoff: [], unschedulable: ['p'], event: 'Warning FailedScheduling volume taken' },
  ];
  for (const c of cases) {
    const { s, events, patches } = setup(c);
    s.queue.add(pod);
    const info = (await s.queue.pop())!;
    await s.scheduleOne(info);
    await s.idle();
    assert.equal(s.cache.isAssumed(pod), c.assumed, c.name);
    assert.deepEqual(s.queue.backoffPods().map((p) => p.metadata?.name), c.backoff, c.name);
    assert.deepEqual(s.queue.unschedulablePods().map((p) => p.metadata?.name), c.unschedulable, c.name);
    assert.deepEqual(events, [c.event], c.name);
    assert.equal(patches.length, c.event.startsWith('Warning') ? 1 : 0, c.name);
  }
});

test('only pods of its profiles are its responsibility', () => {
  const { s } = setup({ bindOk: true });
  const cases: [Pod, boolean][] = [
    [pod, true],
    [{ ...pod, spec: { containers: [], schedulerName: 'default-scheduler' } }, true],
    [{ ...pod, spec: { containers: [], schedulerName: 'other' } }, false],
  ];
  for (const [p, want] of cases) assert.equal(s.responsibleFor(p), want);
  s.podAdded({ ...pod, spec: { containers: [], schedulerName: 'other' } });
  s.podAdded({ ...pod, metadata: { ...pod.metadata, name: 'bound', uid: 'u2' }, spec: { containers: [], nodeName: 'n1' } });
  assert.equal(s.queue.pendingCount(), 0);
  assert.equal(s.cache.podCount(), 1);
});
