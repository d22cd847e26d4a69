import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Toleration } from 'kubernetes-types/core/v1.js';
import { newNodeInfo } from '../../framework/nodeinfo.js';
import { Code } from '../../framework/status.js';
import { CycleState } from '../../framework/types.js';
import { makeNode, makePod } from '../helper/testing.js';
import { ERR_REASON_UNSCHEDULABLE, NodeUnschedulable, TAINT_NODE_UNSCHEDULABLE } from './index.js';

test('NodeUnschedulable rejects cordoned nodes unless the pod tolerates it', () => {
  const cases: { name: string; unschedulable: boolean; tolerations?: Toleration[]; code: Code }[] = [
    { name: 'schedulable node', unschedulable: false, code: Code.Success },
    { name: 'cordoned node', unschedulable: true, code: Code.UnschedulableAndUnresolvable },
    { name: 'exact toleration', unschedulable: true, tolerations: [{ key: TAINT_NODE_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' }], code: Code.Success },
    { name: 'toleration without effect', unschedulable: true, tolerations: [{ key: TAINT_NODE_UNSCHEDULABLE, operator: 'Exists' }], code: Code.Success },
    { name: 'tolerate everything', unschedulable: true, tolerations: [{ operator: 'Exists' }], code: Code.Success },
    { name: 'wrong effect', unschedulable: true, tolerations: [{ key: TAINT_NODE_UNSCHEDULABLE, operator: 'Exists', effect: 'NoExecute' }], code: Code.UnschedulableAndUnresolvable },
    { name: 'other key', unschedulable: true, tolerations: [{ key: 'x', operator: 'Exists' }], code: Code.UnschedulableAndUnresolvable },
  ];
  const plugin = new NodeUnschedulable();
  for (const c of cases) {
    const s = plugin.filter(new CycleState(), makePod('p', { tolerations: c.tolerations }), newNodeInfo(makeNode('n1', { unschedulable: c.unschedulable })));
    assert.equal(s.code, c.code, c.name);
    if (!s.isSuccess()) assert.deepEqual(s.reasons, [ERR_REASON_UNSCHEDULABLE], c.name);
  }
  assert.equal(ERR_REASON_UNSCHEDULABLE, 'node(s) were unschedulable');
  assert.ok(plugin.eventsToRegister().some((e) => e.resource === 'Node' && e.action === 'UpdateNodeTaint'));
});
