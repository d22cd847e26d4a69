import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pruneObject } from './prune.js';
import type { JSONSchemaProps } from './schema-types.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer' },
        list: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { fixed: { type: 'object', properties: { a: { type: 'string' } } } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
      },
    },
  },
};

test('pruneObject drops unspecified fields and reports their paths', () => {
  const obj: Record<string, unknown> = {
    apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x', bogus: 1 }, extra: true,
    spec: { replicas: 1, foo: 'bar', list: [{ name: 'a', junk: 1 }], labels: { a: 'b' } },
  };
  const pruned = pruneObject(schema, obj);
  assert.deepEqual(pruned.sort(), ['extra', 'metadata.bogus', 'spec.foo', 'spec.list[0].junk']);
  assert.deepEqual(obj, {
    apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x' },
    spec: { replicas: 1, list: [{ name: 'a' }], labels: { a: 'b' } },
  });
});

test('pruneObject keeps unknown fields under preserve-unknown-fields but prunes inside specified ones', () => {
  const obj: Record<string, unknown> = { spec: { free: { anything: { deep: 1 }, fixed: { a: 'x', b: 'y' } } } };
  assert.deepEqual(pruneObject(schema, obj), ['spec.free.fixed.b']);
  assert.deepEqual(obj, { spec: { free: { anything: { deep: 1 }, fixed: { a: 'x' } } } });
});

test('pruneObject keeps an embedded resource\'s type meta and cuts its metadata to ObjectMeta', () => {
  const obj: Record<string, unknown> = {
    spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { a: 'b' }, nope: 1 }, spec: {}, other: 1 } },
  };
  assert.deepEqual(pruneObject(schema, obj).sort(), ['spec.template.metadata.nope', 'spec.template.other']);
  assert.deepEqual(obj, { spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { a: 'b' } }, spec: {} } } });
});
