import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults } from './defaulting.js';
import type { JSONSchemaProps } from './schema-types.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object', default: {},
      properties: {
        replicas: { type: 'integer', default: 1 },
        mode: { type: 'string', default: 'auto', nullable: true },
        ports: { type: 'array', items: { type: 'object', properties: { protocol: { type: 'string', default: 'TCP' } } } },
        limits: { type: 'object', additionalProperties: { type: 'object', properties: { max: { type: 'integer', default: 10 } } } },
      },
    },
  },
};

test('applyDefaults fills an absent object and defaults inside what it filled in', () => {
  const obj: Record<string, unknown> = {};
  applyDefaults(schema, obj);
  assert.deepEqual(obj, { spec: { replicas: 1, mode: 'auto' } });
});

test('applyDefaults replaces null only where the schema is not nullable', () => {
  const obj: Record<string, unknown> = { spec: { replicas: null, mode: null } };
  applyDefaults(schema, obj);
  assert.deepEqual(obj, { spec: { replicas: 1, mode: null } });
});

test('applyDefaults reaches array items and additionalProperties values', () => {
  const obj: Record<string, unknown> = { spec: { replicas: 3, ports: [{}, { protocol: 'UDP' }], limits: { a: {} } } };
  applyDefaults(schema, obj);
  assert.deepEqual(obj, { spec: { replicas: 3, mode: 'auto', ports: [{ protocol: 'TCP' }, { protocol: 'UDP' }], limits: { a: { max: 10 } } } });
});

test('applyDefaults copies default values instead of sharing them', () => {
  const a: Record<string, unknown> = {};
  const b: Record<string, unknown> = {};
  applyDefaults(schema, a);
  applyDefaults(schema, b);
  (a.spec as Record<string, unknown>).replicas = 5;
  assert.equal((b.spec as Record<string, unknown>).replicas, 1);
});
