import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnDefinitions, rowCells } from './printer-columns.js';

const now = Date.parse('2024-05-01T12:00:00Z');
const obj = {
  metadata: { name: 'w', creationTimestamp: '2024-05-01T11:55:00Z' },
  spec: { replicas: 3, ratio: 0.5, ready: true, image: 'nginx', tags: ['a', 'b'], limits: { cpu: '1' },
    containers: [{ name: 'a', port: 80 }, { name: 'b', port: 8080 }] },
  status: { startedAt: '2024-04-30T12:00:00Z', bad: 'yesterday', empty: '' },
};

test('columnDefinitions serves Age when a version declares no columns', () => {
  const cols = columnDefinitions(undefined);
  assert.equal(cols.length, 1);
  assert.equal(cols[0]!.name, 'Age');
  assert.equal(cols[0]!.type, 'date');
  assert.match(cols[0]!.description ?? '', /^CreationTimestamp is a timestamp/);
  assert.deepEqual(rowCells(undefined, obj, now), ['5m']);
});

test('columnDefinitions keeps type, format, description and priority', () => {
  assert.deepEqual(columnDefinitions([{ name: 'Replicas', type: 'integer', format: 'int32', description: 'd', priority: 1, jsonPath: '.spec.replicas' }]),
    [{ name: 'Replicas', type: 'integer', format: 'int32', description: 'd', priority: 1 }]);
});

const cases: [string, string, unknown][] = [
  ['integer', '.spec.replicas', 3],
  ['integer', '.spec.ratio', 0],
  ['number', '.spec.replicas', 3],
  ['boolean', '.spec.ready', true],
  ['string', '.spec.image', 'nginx'],
  ['string', '.spec.replicas', '3'],
  ['string', '.spec.tags', '["a","b"]'],
  ['string', '.spec.limits', '{"cpu":"1"}'],
  ['string', '.spec.containers[0]', '{"name":"a","port":80}'],
  ['string', '.spec.tags[1]', 'b'],
  ['string', '.spec.tags[-1]', 'b'],
  ['integer', '.spec.containers[?(@.name=="b")].port', 8080],
  ['string', '.spec.containers[*].name', 'a'],
  ['date', '.status.startedAt', '24h'],
  ['date', '.status.bad', '<invalid>'],
  ['date', '.status.empty', '<unknown>'],
  ['string', '.spec.missing', null],
  ['integer', '.spec.image', null],
];

for (const [type, jsonPath, want] of cases) {
  test(`rowCells renders ${type} column ${jsonPath} as ${JSON.stringify(want)}`, () => {
    assert.deepEqual(rowCells([{ name: 'C', type, jsonPath }], obj, now), [want]);
  });
}
