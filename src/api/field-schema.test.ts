import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldsOf } from '../apimachinery/fieldpath/index.js';
import { mergeValues } from '../apimachinery/managedfields/index.js';
import { fieldSchemaFor } from './field-schema.js';

test('field schema of a Deployment keys containers by name and ports by port and protocol', () => {
  const schema = fieldSchemaFor('io.k8s.api.apps.v1.Deployment');
  const dep = {
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] } },
    },
  };
  assert.deepEqual(fieldsOf(dep, schema).toFieldsV1(), {
    'f:spec': {
      'f:selector': {},
      'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': {
        '.': {}, 'f:image': {}, 'f:name': {},
        'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
      } } } },
    },
  });
});

test('field schema merges finalizers as a set, env by name and ConfigMap data as a map', () => {
  const cm = fieldSchemaFor('io.k8s.api.core.v1.ConfigMap');
  assert.deepEqual(
    mergeValues({ metadata: { finalizers: ['a'] }, data: { x: '1' } }, { metadata: { finalizers: ['b'] }, data: { y: '2' } }, cm),
    { metadata: { finalizers: ['a', 'b'] }, data: { x: '1', y: '2' } },
  );
  const pod = fieldSchemaFor('io.k8s.api.core.v1.Pod');
  const merged = mergeValues(
    { spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'A', value: '1' }] }] } },
    { spec: { containers: [{ name: 'c', env: [{ name: 'B', value: '2' }] }] } },
    pod,
  );
  assert.deepEqual(merged, { spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] } });
});
