import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeCondition } from 'kubernetes-types/core/v1.js';
import { conditionEventReasons, conditionsChanged, nodeConditions, runtimeErrors, type RuntimeStatus } from './conditions.js';

const T0 = '2026-03-01T00:00:00Z';
const T1 = '2026-03-01T00:00:10Z';

describe('runtime errors', () => {
  const table: { name: string; status: RuntimeStatus | undefined; want: string[] }[] = [
    { name: 'none when runtime and network are ready', status: { runtimeReady: true, networkReady: true }, want: [] },
    { name: 'runtime down when it does not answer', status: undefined, want: ['container runtime is down'] },
    { name: 'runtime down when not ready without a reason', status: { runtimeReady: false, networkReady: true }, want: ['container runtime is down'] },
    {
      name: 'network not ready with the CRI reason and message',
      status: { runtimeReady: true, networkReady: false, reason: 'NetworkPluginNotReady', message: 'Network plugin returns error: cni plugin not initialized' },
      want: ['container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized'],
    },
    {
      name: 'runtime not ready with its reason',
      status: { runtimeReady: false, networkReady: true, reason: 'ContainerdNotReady', message: 'shutting down' },
      want: ['container runtime not ready: RuntimeReady=false reason:ContainerdNotReady message:shutting down'],
    },
  ];
  for (const t of table) it(t.name, () => assert.deepEqual(runtimeErrors(t.status), t.want));
});

describe('node conditions', () => {
  const byType = (cs: NodeCondition[]) => Object.fromEntries(cs.map((c) => [c.type, c]));

  it('reports no pressure and Ready last, as the kubelet words them', () => {
    const cs = nodeConditions(undefined, [], T0);
    assert.deepEqual(cs.map((c) => [c.type, c.status, c.reason, c.message]), [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
      ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
    ]);
    for (const c of cs) assert.deepEqual([c.lastHeartbeatTime, c.lastTransitionTime], [T0, T0]);
  });

  const table: { name: string; errors: string[]; want: Partial<NodeCondition> }[] = [
    { name: 'keeps the transition time while the status holds', errors: [], want: { status: 'True', lastTransitionTime: T0, lastHeartbeatTime: T1 } },
    {
      name: 'moves the transition time when Ready turns False',
      errors: ['container runtime is down'],
      want: { status: 'False', reason: 'KubeletNotReady', message: 'container runtime is down', lastTransitionTime: T1 },
    },
    {
      name: 'joins several problems as one aggregate message',
      errors: ['container runtime is down', 'container runtime network not ready: NetworkReady=false reason:x message:y'],
      want: { message: '[container runtime is down, container runtime network not ready: NetworkReady=false reason:x message:y]' },
    },
  ];
  for (const t of table) {
    it(t.name, () => {
      const ready = byType(nodeConditions(nodeConditions(undefined, [], T0), t.errors, T1)).Ready!;
      for (const [k, v] of Object.entries(t.want)) assert.equal(ready[k as keyof NodeCondition], v, k);
    });
  }

  it('keeps conditions others own, before its own', () => {
    const others: NodeCondition = { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated', lastTransitionTime: T0 };
    const cs = nodeConditions([others, ...nodeConditions(undefined, [], T0)], [], T1);
    assert.deepEqual(cs[0], others);
    assert.equal(cs.length, 5);
    assert.equal(cs.at(-1)!.type, 'Ready');
  });

  it('sees a change in status but not in heartbeats', () => {
    const a = nodeConditions(undefined, [], T0);
    assert.equal(conditionsChanged(a, nodeConditions(a, [], T1)), false);
    assert.equal(conditionsChanged(a, nodeConditions(a, ['container runtime is down'], T1)), true);
  });
});

describe('node condition events', () => {
  it('names the conditions that appeared or changed status, as the kubelet records them', () => {
    const first = nodeConditions(undefined, [], T0);
    assert.deepEqual(conditionEventReasons(undefined, first), ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID', 'NodeReady']);
    assert.deepEqual(conditionEventReasons(first, nodeConditions(first, [], T1)), []);
    const down = nodeConditions(first, ['container runtime is down'], T1);
    assert.deepEqual(conditionEventReasons(first, down), ['NodeNotReady']);
    assert.deepEqual(conditionEventReasons(down, nodeConditions(down, [], T1)), ['NodeReady']);
  });
});
