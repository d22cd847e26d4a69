import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pruneUnknownFields, strictDecodingError, unknownFieldMessage } from './schema-prune.js';

const POD = 'io.k8s.api.core.v1.Pod';

test('unknown fields are removed in place and their paths returned', () => {
  const obj = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', bogusMeta: 1 },
    spec: {
      foo: 'bar',
      containers: [{ name: 'a', image: 'x' }, { name: 'b', bogus: true, env: [{ name: 'E', valu: 'typo' }] }],
    },
    extraTop: {},
  };
  const pruned = pruneUnknownFields(obj, POD);
  assert.deepEqual(pruned, [
    'metadata.bogusMeta', 'spec.foo', 'spec.containers[1].bogus', 'spec.containers[1].env[0].valu', 'extraTop',
  ]);
  assert.deepEqual(obj, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', env: [{ name: 'E' }] }] },
  });
});

test('a known object is left untouched', () => {
  const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c' }] } };
  const copy = structuredClone(obj);
  assert.deepEqual(pruneUnknownFields(obj, POD), []);
  assert.deepEqual(obj, copy);
});

test('raw extensions and preserved values are never pruned', () => {
  const rev = { apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: 1, data: { spec: { anything: { goes: 1 } } } };
  assert.deepEqual(pruneUnknownFields(rev, 'io.k8s.api.apps.v1.ControllerRevision'), []);
  assert.deepEqual(rev.data, { spec: { anything: { goes: 1 } } });

  const crd = {
    spec: { versions: [{ name: 'v1', schema: { openAPIV3Schema: {
      type: 'object', 'x-kubernetes-preserve-unknown-fields': true, default: { free: { form: true } }, nope: 1,
    } } }] },
  };
  const pruned = pruneUnknownFields(crd, 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition');
  assert.deepEqual(pruned, ['spec.versions[0].schema.openAPIV3Schema.nope']);
  assert.deepEqual(crd.spec.versions[0].schema.openAPIV3Schema.default, { free: { form: true } });
  assert.equal(crd.spec.versions[0].schema.openAPIV3Schema['x-kubernetes-preserve-unknown-fields'], true);
});

test('a preserve-unknown-fields schema keeps unknown fields but prunes inside known ones', () => {
  const schema = {
    type: 'object', 'x-kubernetes-preserve-unknown-fields': true,
    properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
  };
  const obj = { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't', junk: 1 }, free: 1, spec: { size: 1, extra: 2 } };
  assert.deepEqual(pruneUnknownFields(obj, schema), ['metadata.junk', 'spec.extra']);
  assert.deepEqual(obj, { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't' }, free: 1, spec: { size: 1 } });
});

test('managed fields sets are opaque and kept whole', () => {
  const fieldsV1 = { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': {} };
  const obj = { metadata: { managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1 }] } };
  assert.deepEqual(pruneUnknownFields(obj, POD), []);
  assert.equal(obj.metadata.managedFields[0].fieldsV1, fieldsV1);
  assert.deepEqual(Object.keys(fieldsV1), ['f:metadata', 'f:spec']);
});

test('values of the wrong type are left for checkStructure to report', () => {
  const obj = { spec: { containers: { name: 'not-a-list', bogus: 1 } } };
  assert.deepEqual(pruneUnknownFields(obj, POD), []);
});

test('pruned paths are worded as Kubernetes words strict decoding errors', () => {
  assert.equal(unknownFieldMessage('spec.foo'), 'unknown field "spec.foo"');
  const err = strictDecodingError(['spec.foo', 'spec.containers[0].bogus']);
  assert.equal(err.code, 400);
  assert.equal(err.reason, 'BadRequest');
  assert.equal(err.message, 'strict decoding error: unknown field "spec.foo", unknown field "spec.containers[0].bogus"');
});
