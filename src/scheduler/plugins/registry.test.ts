import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Handle, Plugin } from '../framework/interface.js';
import { snapshotHandle } from './helper/testing.js';
import { defaultProfile, defaultRegistry } from './registry.js';

test('defaultRegistry builds every plugin under its Kubernetes name', () => {
  const handle: Handle = snapshotHandle([]);
  const registry = defaultRegistry();
  const names = [
    'PrioritySort', 'NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodePorts',
    'NodeResourcesFit', 'NodeResourcesBalancedAllocation', 'ImageLocality', 'DefaultBinder',
    'PodTopologySpread', 'InterPodAffinity', 'DefaultPreemption', 'VolumeBinding',
  ];
  assert.deepEqual(Object.keys(registry).sort(), [...names].sort());
  for (const name of names) {
    const plugin: Plugin = registry[name]!(undefined, handle);
    assert.equal(plugin.name, name);
  }
});

test('defaultProfile lists the registered plugins with Kubernetes score weights', () => {
  const profile = defaultProfile();
  assert.equal(profile.schedulerName, 'default-scheduler');
  const weights = Object.fromEntries(profile.plugins.filter((p) => p.weight !== undefined).map((p) => [p.name, p.weight]));
  assert.deepEqual(weights, {
    TaintToleration: 3, NodeAffinity: 2, PodTopologySpread: 2, InterPodAffinity: 2,
    NodeResourcesFit: 1, NodeResourcesBalancedAllocation: 1, ImageLocality: 1,
  });
  assert.equal(profile.plugins[0]!.name, 'PrioritySort');
  assert.equal(profile.plugins.at(-1)!.name, 'DefaultBinder');

  // Plugins missing from a registry are left out of its profile.
  const { InterPodAffinity: _dropped, ...fewer } = defaultRegistry();
  const withLess = defaultProfile(fewer);
  assert.ok(!withLess.plugins.some((p) => p.name === 'InterPodAffinity'));
  assert.equal(withLess.plugins.find((p) => p.name === 'PodTopologySpread')?.weight, 2);
  assert.ok(profile.pluginConfig.NodeResourcesFit);
});
