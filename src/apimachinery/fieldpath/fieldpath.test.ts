import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FieldSet, compareValues, fieldsOf, keyElement, pathString,
} from './index.js';

import { testSchema } from './test-schema.js';

test('FieldSet encodes and decodes FieldsV1 with the node marker', () => {
  const s = FieldSet.fromPaths([['f:data'], ['f:data', 'f:a'], ['f:metadata', 'f:labels', 'f:x']]);
  const v1 = s.toFieldsV1();
  assert.deepEqual(v1, { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:x': {} } } });
  assert.ok(FieldSet.fromFieldsV1(v1).equals(s));
  assert.throws(() => FieldSet.fromFieldsV1({ bad: {} }));
});

test('FieldSet union, difference, intersection and recursive difference', () => {
  const a = FieldSet.fromPaths([['f:a'], ['f:b', 'f:c'], ['f:b', 'f:d']]);
  const b = FieldSet.fromPaths([['f:b', 'f:c'], ['f:e']]);
  const cases: [string, FieldSet, string[][]][] = [
    ['union', a.union(b), [['f:a'], ['f:e'], ['f:b', 'f:c'], ['f:b', 'f:d']]],
    ['difference', a.difference(b), [['f:a'], ['f:b', 'f:d']]],
    ['intersection', a.intersection(b), [['f:b', 'f:c']]],
    ['recursive difference', a.recursiveDifference(FieldSet.fromPaths([['f:b']])), [['f:a']]],
  ];
  for (const [name, got, want] of cases) assert.deepEqual(got.paths(), want, name);
});

test('key elements sort their fields and paths print as Kubernetes prints them', () => {
  assert.equal(keyElement({ protocol: 'TCP', containerPort: 80 }), 'k:{"containerPort":80,"protocol":"TCP"}');
  assert.equal(pathString(['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image']), '.spec.containers[name="web"].image');
  assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"x"']), '.metadata.finalizers[="x"]');
  assert.equal(pathString(['f:data', 'f:key']), '.data.key');
});

test('fieldsOf lists leaves, map entries and list items', () => {
  const obj = {
    metadata: { name: 'a', labels: { app: 'x' } },
    spec: { replicas: 1, items: [{ name: 'one', image: 'i' }], tags: ['t'], args: ['x', 'y'], empty: {} },
  };
  assert.deepEqual(fieldsOf(obj, testSchema).toFieldsV1(), {
    'f:metadata': { 'f:labels': { 'f:app': {} }, 'f:name': {} },
    'f:spec': {
      'f:args': {}, 'f:empty': {},
      'f:items': { 'k:{"name":"one"}': { '.': {}, 'f:image': {}, 'f:name': {} } },
      'f:replicas': {},
      'f:tags': { 'v:"t"': {} },
    },
  });
});

test('compareValues finds added, modified and removed fields', () => {
  const cases: { name: string; lhs: unknown; rhs: unknown; added: string[]; modified: string[]; removed: string[] }[] = [
    { name: 'scalar change', lhs: { spec: { replicas: 1 } }, rhs: { spec: { replicas: 2 } }, added: [], modified: ['.spec.replicas'], removed: [] },
    { name: 'new map entry', lhs: { metadata: {} }, rhs: { metadata: { labels: { a: 'b' } } }, added: ['.metadata.labels', '.metadata.labels.a'], modified: [], removed: [] },
    { name: 'keyed item removed', lhs: { spec: { items: [{ name: 'a', image: 'x' }] } }, rhs: { spec: { items: [] } }, added: [], modified: [], removed: ['.spec.items[name="a"]', '.spec.items[name="a"].image', '.spec.items[name="a"].name'] },
    { name: 'atomic list', lhs: { spec: { args: ['a'] } }, rhs: { spec: { args: ['b'] } }, added: [], modified: ['.spec.args'], removed: [] },
    { name: 'set value', lhs: { spec: { tags: ['a'] } }, rhs: { spec: { tags: ['a', 'b'] } }, added: ['.spec.tags[="b"]'], modified: [], removed: [] },
    { name: 'struct appears', lhs: {}, rhs: { spec: { replicas: 1 } }, added: ['.spec.replicas'], modified: [], removed: [] },
  ];
  for (const c of cases) {
    const got = compareValues(c.lhs, c.rhs, testSchema);
    assert.deepEqual(got.added.paths().map(pathString), c.added, `${c.name}: added`);
    assert.deepEqual(got.modified.paths().map(pathString), c.modified, `${c.name}: modified`);
    assert.deepEqual(got.removed.paths().map(pathString), c.removed, `${c.name}: removed`);
  }
});
