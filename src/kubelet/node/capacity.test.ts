import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nodeAllocatable, nodeCapacity } from './capacity.js';

describe('node capacity', () => {
  it('reports cpu, memory and ephemeral-storage as the kubelet does, with pods and zero hugepages', () => {
    assert.deepEqual(nodeCapacity({ cpus: 8, memoryBytes: 16_318_712 * 1024, diskBytes: 4096 * 25_000_000 }), {
      cpu: '8',
      'ephemeral-storage': '100000000Ki',
      'hugepages-1Gi': '0',
      'hugepages-2Mi': '0',
      memory: '16318712Ki',
      pods: '110',
    });
  });

  it('takes max-pods from the options', () => {
    assert.equal(nodeCapacity({ cpus: 1, memoryBytes: 1024, diskBytes: 4096, maxPods: 250 }).pods, '250');
  });
});

describe('node allocatable', () => {
  const cap = (memoryKi: number, diskBytes: number) => nodeCapacity({ cpus: 4, memoryBytes: memoryKi * 1024, diskBytes });
  const table: { name: string; capacity: Record<string, string>; opts?: Parameters<typeof nodeAllocatable>[1]; want: Record<string, string> }[] = [
    {
      name: 'holds back 100Mi of memory and 10% of the filesystem by default',
      capacity: cap(24_000_000, 102_400_000_000),
      want: { memory: '23897600Ki', 'ephemeral-storage': '90000000Ki', cpu: '4', pods: '110' },
    },
    {
      name: 'truncates the 10% to whole bytes and prints amounts that are not whole Ki in bytes',
      capacity: cap(24_000_000, 102_400_004_096),
      want: { 'ephemeral-storage': '92160003687' },
    },
    {
      name: 'subtracts kube and system reservations',
      capacity: cap(24_000_000, 102_400_000_000),
      opts: { kubeReserved: { cpu: '500m', memory: '1Gi' }, systemReserved: { cpu: '250m', 'ephemeral-storage': '1Gi' } },
      want: { cpu: '3250m', memory: '22849024Ki', 'ephemeral-storage': '88951424Ki' },
    },
    {
      name: 'never goes below zero',
      capacity: cap(50 * 1024, 102_400_000_000),
      want: { memory: '0' },
    },
    {
      name: 'follows other eviction thresholds',
      capacity: cap(24_000_000, 102_400_000_000),
      opts: { evictionHard: { memory: '0', ephemeralStoragePercent: 0 } },
      want: { memory: '24000000Ki', 'ephemeral-storage': '100000000Ki' },
    },
    {
      name: 'takes hugepages out of memory',
      capacity: { ...cap(24_000_000, 102_400_000_000), 'hugepages-2Mi': '1Gi' },
      want: { memory: '22849024Ki', 'hugepages-2Mi': '1Gi' },
    },
  ];
  for (const t of table) {
    it(t.name, () => {
      const got = nodeAllocatable(t.capacity, t.opts);
      for (const [k, v] of Object.entries(t.want)) assert.equal(got[k], v, k);
      assert.deepEqual(Object.keys(got).sort(), Object.keys(t.capacity).sort());
    });
  }
});
