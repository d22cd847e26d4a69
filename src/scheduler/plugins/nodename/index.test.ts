import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newNodeInfo } from '../../framework/nodeinfo.js';
import { Code } from '../../framework/status.js';
import { CycleState } from '../../framework/types.js';
import { makeNode, makePod } from '../helper/testing.js';
import { ERR_REASON, NodeName } from './index.js';

test('NodeName filters nodes other than spec.nodeName', () => {
  const cases: { name: string; podNode?: string; node: string; code: Code; reasons: string[] }[] = [
    { name: 'no nodeName fits any node', node: 'n1', code: Code.Success, reasons: [] },
    { name: 'matching nodeName fits', podNode: 'n1', node: 'n1', code: Code.Success, reasons: [] },
    { name: 'other nodeName is unresolvable', podNode: 'n2', node: 'n1', code: Code.UnschedulableAndUnresolvable, reasons: [ERR_REASON] },
  ];
  const plugin = new NodeName();
  for (const c of cases) {
    const s = plugin.filter(new CycleState(), makePod('p', { node: c.podNode }), newNodeInfo(makeNode(c.node)));
    assert.equal(s.code, c.code, c.name);
    assert.deepEqual(s.reasons, c.reasons, c.name);
  }
  assert.equal(ERR_REASON, "node(s) didn't match the requested node name");
  assert.deepEqual(plugin.eventsToRegister(), [{ resource: 'Node', action: 'Add' }]);
});
