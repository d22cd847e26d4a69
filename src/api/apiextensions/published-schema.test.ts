import { test } from 'node:test';
import assert from 'node:assert/strict';
import { publishedVersionSchema } from './published-schema.js';

const crd = {
  spec: {
    group: 'example.com', names: { kind: 'Widget', plural: 'widgets' },
    versions: [{
      name: 'v1', served: true, storage: true,
      schema: { openAPIV3Schema: {
        type: 'object', description: 'A widget.',
        properties: {
          metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } },
          spec: { type: 'object', description: 'What the widget should be.', properties: {
            replicas: { type: 'integer', minimum: 0, description: 'How many.' },
            template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
          } },
        },
      } },
    }],
  },
};

test('publishedVersionSchema keeps descriptions and adds type meta and the group-version-kind', () => {
  const s = publishedVersionSchema(crd, 'v1') as { properties: Record<string, Record<string, unknown>> } & Record<string, unknown>;
  assert.equal(s.description, 'A widget.');
  assert.deepEqual(s['x-kubernetes-group-version-kind'], [{ group: 'example.com', kind: 'Widget', version: 'v1' }]);
  assert.equal(s.properties.apiVersion!.type, 'string');
  assert.match(String(s.properties.apiVersion!.description), /^APIVersion defines the versioned schema/);
  assert.match(String(s.properties.kind!.description), /^Kind is a string value representing the REST resource/);
  assert.deepEqual(s.properties.metadata!.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
  const spec = s.properties.spec as { description: string; properties: Record<string, Record<string, unknown>> };
  assert.equal(spec.description, 'What the widget should be.');
  assert.deepEqual(spec.properties.replicas, { type: 'integer', minimum: 0, description: 'How many.' });
  const template = spec.properties.template as { properties: Record<string, unknown> };
  assert.deepEqual(Object.keys(template.properties).sort(), ['apiVersion', 'kind', 'metadata']);
});

test('publishedVersionSchema does not change the CRD it reads', () => {
  const before = JSON.stringify(crd);
  publishedVersionSchema(crd, 'v1');
  assert.equal(JSON.stringify(crd), before);
});
