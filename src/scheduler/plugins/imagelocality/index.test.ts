import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newNodeInfo } from '../../framework/nodeinfo.js';
import { CycleState } from '../../framework/types.js';
import { makeNode, makePod, snapshotHandle } from '../helper/testing.js';
import { calculatePriority, ImageLocality, MAX_CONTAINER_THRESHOLD, MIN_THRESHOLD, normalizedImageName } from './index.js';

const MB = 1024 * 1024;

test('ImageLocality scores image bytes on the node, weighted by how widely they are spread', () => {
  const cases: { name: string; images: string[]; nodes: Record<string, number>[]; want: number[] }[] = [
    { name: 'no images anywhere', images: ['app:1'], nodes: [{}, {}], want: [0, 0] },
    // 300MB × 2/3 of the nodes = 200MB: (200 − 23) / (1000 − 23) of the range.
    { name: 'image on two of three nodes', images: ['app:1'], nodes: [{ 'app:1': 300 * MB }, { 'app:1': 300 * MB }, {}], want: [18, 18, 0] },
    { name: 'sum above the maximum caps at 100', images: ['big:1'], nodes: [{ 'big:1': 2000 * MB }], want: [100] },
    { name: 'small images score 0', images: ['tiny:1'], nodes: [{ 'tiny:1': 10 * MB }], want: [0] },
    { name: 'untagged images mean :latest', images: ['nginx'], nodes: [{ 'nginx:latest': 600 * MB }, {}], want: [28, 0] },
    // 2 containers raise the maximum to 2000MB: (1000 − 23) / (2000 − 23).
    { name: 'the maximum grows with the containers', images: ['a:1', 'b:1'], nodes: [{ 'a:1': 500 * MB, 'b:1': 500 * MB }], want: [49] },
  ];
  for (const c of cases) {
    const nodes = c.nodes.map((images, i) => newNodeInfo(makeNode(`n${i}`, { images })));
    const plugin = new ImageLocality(snapshotHandle(nodes));
    const pod = makePod('p', { images: c.images });
    const state = new CycleState();
    assert.ok(plugin.preScore(state, pod, nodes).isSuccess());
    assert.deepEqual(nodes.map((n) => plugin.score(state, pod, n).score), c.want, c.name);
  }
});

test('ImageLocality helpers', () => {
  const cases: { name: string; got: unknown; want: unknown }[] = [
    { name: 'tagged name kept', got: normalizedImageName('registry:5000/app:1'), want: 'registry:5000/app:1' },
    { name: 'registry port is not a tag', got: normalizedImageName('registry:5000/app'), want: 'registry:5000/app:latest' },
    { name: 'digest kept', got: normalizedImageName('app@sha256:abc'), want: 'app@sha256:abc' },
    { name: 'priority at the minimum', got: calculatePriority(MIN_THRESHOLD, 1), want: 0 },
    { name: 'priority at the maximum', got: calculatePriority(MAX_CONTAINER_THRESHOLD, 1), want: 100 },
  ];
  for (const c of cases) assert.deepEqual(c.got, c.want, c.name);
});
