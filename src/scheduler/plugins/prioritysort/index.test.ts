import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueuedPodInfo } from '../../framework/interface.js';
import { makePod } from '../helper/testing.js';
import { NAME, PrioritySort } from './index.js';

function info(name: string, priority: number | undefined, timestamp: number): QueuedPodInfo {
  return { pod: makePod(name, { priority }), initialAttemptTimestamp: timestamp, timestamp, attempts: 0, unschedulablePlugins: new Set() };
}

test('PrioritySort orders by priority, then by queue timestamp', () => {
  const cases: { name: string; a: QueuedPodInfo; b: QueuedPodInfo; less: boolean }[] = [
    { name: 'higher priority first', a: info('a', 10, 200), b: info('b', 5, 100), less: true },
    { name: 'lower priority later', a: info('a', 5, 100), b: info('b', 10, 200), less: false },
    { name: 'same priority, earlier first', a: info('a', 5, 100), b: info('b', 5, 200), less: true },
    { name: 'same priority, later second', a: info('a', 5, 300), b: info('b', 5, 200), less: false },
    { name: 'equal is not less', a: info('a', 5, 100), b: info('b', 5, 100), less: false },
    { name: 'missing priority counts as 0', a: info('a', undefined, 100), b: info('b', -1, 50), less: true },
  ];
  const plugin = new PrioritySort();
  assert.equal(plugin.name, NAME);
  assert.equal(NAME, 'PrioritySort');
  for (const c of cases) assert.equal(plugin.less(c.a, c.b), c.less, c.name);
});
