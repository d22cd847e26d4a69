import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { T0, makeNode } from './fixtures.js';
import { nodeResource } from './node.js';

const now = T0 + 2 * 86400_000;

describe('node printer', () => {
  const cases: [string, ReturnType<typeof makeNode>, string, string][] = [
    ['Ready', makeNode('n1', { ready: true }), 'Ready', '<none>'],
    ['NotReady', makeNode('n1', { ready: false }), 'NotReady', '<none>'],
    ['Unknown without a Ready condition', makeNode('n1'), 'Unknown', '<none>'],
    ['cordoned', makeNode('n1', { ready: true, unschedulable: true }), 'Ready,SchedulingDisabled', '<none>'],
    ['roles from labels', makeNode('n1', { ready: true, labels: {
      'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/etcd': 'true', 'kubernetes.io/role': 'master',
    } }), 'Ready', 'control-plane,etcd,master'],
  ];
  for (const [name, node, status, roles] of cases) {
    it(`prints ${name}`, () => {
      const row = nodeResource.row!(node as never, now);
      assert.deepEqual(row.slice(0, 4), [status, roles, '2d', 'v1.32.0']);
    });
  }

  it('prints addresses and system info in the wide columns', () => {
    assert.deepEqual(nodeResource.row!(makeNode('n1', { ready: true }) as never, now).slice(4), [
      '10.0.0.2', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', 'containerd://1.7.0',
    ]);
  });
});

describe('node validation and fields', () => {
  it('checks taints and keeps pod CIDRs once set', () => {
    const n = makeNode('n1');
    (n.spec as { taints?: unknown[] }).taints = [{ key: 'k', effect: 'Sometimes' }];
    assert.deepEqual(nodeResource.validate!(n as never).map((e) => `${e.field}: ${e.message}`), [
      'spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ]);
    const old = makeNode('n1');
    (old.spec as { podCIDRs?: string[] }).podCIDRs = ['10.42.0.0/24'];
    const next = structuredClone(old);
    (next.spec as { podCIDRs?: string[] }).podCIDRs = ['10.42.1.0/24'];
    assert.deepEqual(nodeResource.validateUpdate!(next as never, old as never).map((e) => e.field), ['spec.podCIDRs']);
  });

  it('selects on spec.unschedulable', () => {
    assert.equal(nodeResource.fields!['spec.unschedulable']!(makeNode('n1', { unschedulable: true }) as never), 'true');
    assert.equal(nodeResource.fields!['spec.unschedulable']!(makeNode('n1') as never), 'false');
  });

  it('defaults allocatable to capacity', () => {
    const n = makeNode('n1');
    (n.status as { capacity?: Record<string, string> }).capacity = { cpu: '4', memory: '8Gi' };
    nodeResource.setDefaults!(n as never);
    assert.deepEqual(n.status!.allocatable, { cpu: '4', memory: '8Gi' });
  });
});
