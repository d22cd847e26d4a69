import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildNodeStatus, statusChanged, statusImages, type StatusInput } from './status.js';

describe('node status images', () => {
  it('lists the largest first, at most 50, with at most 5 names each', () => {
    const images = Array.from({ length: 60 }, (_, i) => ({ names: [`img-${i}:latest`], sizeBytes: i * 1000 }));
    images[3]!.names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    images[3]!.sizeBytes = 10_000_000;
    const got = statusImages(images);
    assert.equal(got.length, 50);
    assert.deepEqual(got[0], { names: ['a', 'b', 'c', 'd', 'e'], sizeBytes: 10_000_000 });
    assert.deepEqual(got[1]!.names, ['img-59:latest']);
    assert.ok(got.every((g, i) => i === 0 || g.sizeBytes! <= got[i - 1]!.sizeBytes!));
  });
});

describe('node status', () => {
  const input = (over: Partial<StatusInput> = {}): StatusInput => ({
    capacity: { cpu: '4', memory: '1Gi', pods: '110' },
    allocatable: { cpu: '4', memory: '924Mi', pods: '110' },
    addresses: [{ type: 'InternalIP', address: '10.0.0.5' }, { type: 'Hostname', address: 'n1' }],
    nodeInfo: {
      machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: 'k', osImage: 'o', containerRuntimeVersion: 'containerd://1.6.20',
      kubeletVersion: 'v1.32.0', kubeProxyVersion: 'v1.32.0', operatingSystem: 'linux', architecture: 'amd64',
    },
    images: [],
    kubeletPort: 10250,
    errors: [],
    nowIso: '2026-03-01T00:00:00Z',
    ...over,
  });

  it('carries the daemon endpoint, node info, resources and addresses', () => {
    const s = buildNodeStatus(undefined, input({ kubeletPort: 10260 }));
    assert.deepEqual(s.daemonEndpoints, { kubeletEndpoint: { Port: 10260 } });
    assert.equal(s.nodeInfo?.containerRuntimeVersion, 'containerd://1.6.20');
    assert.equal(s.allocatable?.memory, '924Mi');
    assert.equal(s.addresses?.[0]?.address, '10.0.0.5');
  });

  const table: { name: string; over: Partial<StatusInput>; changed: boolean }[] = [
    { name: 'a heartbeat alone is no change', over: { nowIso: '2026-03-01T00:00:10Z' }, changed: false },
    { name: 'Ready turning False is a change', over: { errors: ['container runtime is down'] }, changed: true },
    { name: 'a new image is a change', over: { images: [{ names: ['x'], sizeBytes: 1 }] }, changed: true },
    { name: 'a new address is a change', over: { addresses: [{ type: 'InternalIP', address: '10.0.0.6' }] }, changed: true },
    { name: 'resources in another order are no change', over: { capacity: { pods: '110', memory: '1Gi', cpu: '4' } }, changed: false },
  ];
  for (const t of table) {
    it(t.name, () => {
      const posted = buildNodeStatus(undefined, input());
      assert.equal(statusChanged(posted, buildNodeStatus(posted, input(t.over))), t.changed);
    });
  }
});
