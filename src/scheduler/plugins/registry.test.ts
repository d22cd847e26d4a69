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
  assert.deepEqual(weights, { TaintToleration: 3, NodeAffinity: 2, NodeResourcesFit: 1, NodeResourcesBalancedAllocation: 1, ImageLocality: 1 });
  assert.equal(profile.plugins[0]!.name, 'PrioritySort');
  assert.equal(profile.plugins.at(-1)!.name, 'DefaultBinder');
  assert.ok(!profile.plugins.some((p) => p.name === 'InterPodAffinity'));

  // Plugins registered later join the profile with their default weights.
  const withMore = defaultProfile({ ...defaultRegistry(), InterPodAffinity: () => ({ name: 'InterPodAffinity' }) });
  assert.equal(withMore.plugins.find((p) => p.name === 'InterPodAffinity')?.weight, 2);
  assert.ok(profile.pluginConfig.NodeResourcesFit);
});
