import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERR_NO_NODES_AVAILABLE, fitErrorMessage } from './fiterror.js';
import { Status } from './status.js';

test('fitErrorMessage counts each reason over the nodes, sorted, and appends the PostFilter message', () => {
  const nodeToStatus = new Map([
    ['a', Status.unschedulable('Insufficient cpu')],
    ['b', Status.unschedulable('Insufficient cpu')],
    ['c', Status.unresolvable("node(s) didn't match Pod's node affinity/selector")],
  ]);
  const cases: { name: string; n: number; post?: string; pre?: string; want: string }[] = [
    { name: 'histogram', n: 3, want: "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu." },
    { name: 'with preemption', n: 3, post: 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
      want: "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling." },
    { name: 'prefilter message wins', n: 3, pre: "node(s) didn't satisfy plugin NodeName", want: "0/3 nodes are available: node(s) didn't satisfy plugin NodeName." },
    { name: 'no nodes at all', n: 0, post: 'preemption: ignored', want: ERR_NO_NODES_AVAILABLE },
  ];
  for (const c of cases) {
    assert.equal(fitErrorMessage(c.n, { nodeToStatus, preFilterMsg: c.pre, postFilterMsg: c.post }), c.want, c.name);
  }
});
