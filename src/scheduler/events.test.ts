import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { nodeUpdateEvents } from './events.js';

const base: Node = {
  metadata: { name: 'n', labels: { a: '1' } },
  spec: {},
  status: { allocatable: { cpu: '4' }, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-01-01T00:00:00Z' }] },
};

test('nodeUpdateEvents names the scheduling-relevant changes', () => {
  const cases: { name: string; change: (n: Node) => Node; want: string[] }[] = [
    { name: 'heartbeat only', change: (n) => ({ ...n, status: { ...n.status, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-01-01T00:01:00Z' }] } }), want: [] },
    { name: 'label', change: (n) => ({ ...n, metadata: { ...n.metadata, labels: { a: '2' } } }), want: ['UpdateNodeLabel'] },
    { name: 'taint', change: (n) => ({ ...n, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } }), want: ['UpdateNodeTaint'] },
    { name: 'cordon', change: (n) => ({ ...n, spec: { unschedulable: true } }), want: ['UpdateNodeTaint'] },
    { name: 'allocatable', change: (n) => ({ ...n, status: { ...n.status, allocatable: { cpu: '8' } } }), want: ['UpdateNodeAllocatable'] },
    { name: 'ready flips', change: (n) => ({ ...n, status: { ...n.status, conditions: [{ type: 'Ready', status: 'False' }] } }), want: ['UpdateNodeCondition'] },
  ];
  for (const c of cases) assert.deepEqual(nodeUpdateEvents(base, c.change(base)).map((e) => e.action), c.want, c.name);
});
