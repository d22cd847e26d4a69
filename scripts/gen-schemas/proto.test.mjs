import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildProtoDescriptor, parseFieldTables } from './proto.mjs';

const ref = (name) => ({ $ref: `#/components/schemas/${name}` });
const definitions = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'ex.v1.Widget': {
    required: ['size'],
    properties: {
      size: { type: 'integer', format: 'int32' },
      name: { type: 'string' },
      ratio: { type: 'number', format: 'double' },
      blob: { type: 'string', format: 'byte' },
      tags: { type: 'array', items: { type: 'string' } },
      counts: { type: 'array', items: { type: 'integer' } },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      extra: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
      created: { allOf: [ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time')] },
      part: ref('ex.v1.Part'),
      orphan: ref('ex.v1.Unnumbered'),
      host: { type: 'string' },
      path: { type: 'string' },
    },
  },
  'ex.v1.Part': { properties: { $ref: { type: 'string' } } },
  'ex.v1.Unnumbered': { properties: {} },
};
const table = `# a comment
package ex.v1
# inline: rule=7 is message Rule; its fields appear directly in this message's JSON
Widget size=1 name=2 ratio=3 blob=4 tags=5 counts=6 rule=7! labels=8 extra=9 created=10 part=11 orphan=12 newer=13!
# not in schemas.json
Rule host=1 path=2
Part $ref=1
`;

test('the descriptor types every numbered field from the schema', () => {
  const { descriptor, skipped } = buildProtoDescriptor(definitions, parseFieldTables({ 'ex.txt': table }));
  const widget = descriptor.nested.ex.nested.v1.nested.Widget.fields;
  assert.deepEqual(widget.size, { type: 'int64', id: 1, options: { required: true } });
  assert.deepEqual(widget.ratio, { type: 'double', id: 3 });
  assert.deepEqual(widget.blob, { type: 'bytes', id: 4 });
  assert.deepEqual(widget.tags, { rule: 'repeated', type: 'string', id: 5 });
  assert.deepEqual(widget.counts, { rule: 'repeated', type: 'int64', id: 6, options: { packed: false } });
  assert.deepEqual(widget.labels, { keyType: 'string', type: 'string', id: 8 });
  assert.deepEqual(widget.extra, { keyType: 'string', type: '.ex.v1.Widget__extra_items', id: 9 });
  assert.deepEqual(widget.created, { type: '.io.k8s.apimachinery.pkg.apis.meta.v1.Time', id: 10 });
  assert.deepEqual(widget.rule, { type: '.ex.v1.Widget__inline_rule', id: 7, options: { inline: true } });
  assert.equal(widget.orphan, undefined);
  assert.ok(skipped.some((s) => s.startsWith('ex.v1.Widget.orphan')));
  const ns = descriptor.nested.ex.nested.v1.nested;
  assert.deepEqual(ns.Widget__inline_rule.fields, { host: { type: 'string', id: 1 }, path: { type: 'string', id: 2 } });
  assert.deepEqual(ns.Widget__extra_items, { options: { wire: 'list' }, fields: { items: { rule: 'repeated', type: 'string', id: 1 } } });
  assert.deepEqual(ns.Part.fields, { dollar_ref: { type: 'string', id: 1, options: { json: '$ref' } } });
  const time = descriptor.nested.io.nested.k8s.nested.apimachinery.nested.pkg.nested.apis.nested.meta.nested.v1.nested.Time;
  assert.deepEqual(time, { options: { wire: 'time' }, fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } });
});

test('a numbered field the schema lacks stops the build unless marked with !', () => {
  assert.throws(() => buildProtoDescriptor(definitions, parseFieldTables({ 'ex.txt': 'package ex.v1\nPart $ref=1 gone=2\n' })), /ex.txt:2: ex.v1.Part has no property "gone"/);
  assert.throws(() => parseFieldTables({ 'ex.txt': 'package ex.v1\nPart a=1 b=1\n' }), /repeats/);
  assert.throws(() => parseFieldTables({ 'ex.txt': 'Part a=1\n' }), /before the package line/);
});
