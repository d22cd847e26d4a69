import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newNodeInfo } from '../../framework/nodeinfo.js';
import { Code } from '../../framework/status.js';
import { CycleState } from '../../framework/types.js';
import { makeNode, makePod } from '../helper/testing.js';
import { ERR_REASON, NodePorts } from './index.js';

type Port = { port: number; ip?: string; protocol?: string };

test('NodePorts rejects nodes where a wanted hostPort is taken', () => {
  const cases: { name: string; wanted: Port[]; used: Port[]; code: Code }[] = [
    { name: 'free port', wanted: [{ port: 80 }], used: [{ port: 8080 }], code: Code.Success },
    { name: 'same port, both wildcard', wanted: [{ port: 80 }], used: [{ port: 80 }], code: Code.Unschedulable },
    { name: 'same port, other protocol', wanted: [{ port: 53, protocol: 'UDP' }], used: [{ port: 53 }], code: Code.Success },
    { name: 'same port, different specific IPs', wanted: [{ port: 80, ip: '10.0.0.1' }], used: [{ port: 80, ip: '10.0.0.2' }], code: Code.Success },
    { name: 'same port, same specific IP', wanted: [{ port: 80, ip: '10.0.0.1' }], used: [{ port: 80, ip: '10.0.0.1' }], code: Code.Unschedulable },
    { name: 'wanted wildcard vs used specific IP', wanted: [{ port: 80 }], used: [{ port: 80, ip: '10.0.0.1' }], code: Code.Unschedulable },
    { name: 'wanted specific IP vs used wildcard', wanted: [{ port: 80, ip: '10.0.0.1' }], used: [{ port: 80, ip: '0.0.0.0' }], code: Code.Unschedulable },
    { name: 'one of several conflicts', wanted: [{ port: 81 }, { port: 82 }], used: [{ port: 82 }], code: Code.Unschedulable },
  ];
  const plugin = new NodePorts();
  for (const c of cases) {
    const pod = makePod('p', { hostPorts: c.wanted });
    const node = newNodeInfo(makeNode('n'), [makePod('other', { hostPorts: c.used })]);
    const state = new CycleState();
    assert.ok(plugin.preFilter(state, pod, [node]).status.isSuccess(), c.name);
    const s = plugin.filter(state, pod, node);
    assert.equal(s.code, c.code, c.name);
    if (!s.isSuccess()) assert.deepEqual(s.reasons, [ERR_REASON], c.name);
  }
});

test('NodePorts skips pods without hostPorts', () => {
  assert.ok(new NodePorts().preFilter(new CycleState(), makePod('p'), []).status.isSkip());
  assert.equal(ERR_REASON, "node(s) didn't have free ports for the requested pod ports");
});
