import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unknownPatchSchema } from '../apimachinery/patch/schema.js';
import { patchSchemaFor } from './patch-schema.js';

const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';

function podSpec() {
  const spec = patchSchemaFor(DEPLOYMENT).field('spec')?.schema?.field('template')?.schema?.field('spec')?.schema;
  assert.ok(spec);
  return spec;
}

test('PodSpec containers merge by name and their env by name', () => {
  const containers = podSpec().field('containers');
  assert.deepEqual(containers?.strategies, ['merge']);
  assert.equal(containers?.mergeKey, 'name');
  const container = containers?.schema;
  assert.equal(container?.field('env')?.mergeKey, 'name');
  assert.equal(container?.field('ports')?.mergeKey, 'containerPort');
  assert.equal(container?.field('volumeMounts')?.mergeKey, 'mountPath');
  assert.deepEqual(container?.field('args')?.strategies, []);
  assert.equal(container?.field('noSuchField'), undefined);
});

test('PodSpec volumes merge by name and retain keys', () => {
  const volumes = podSpec().field('volumes');
  assert.deepEqual(volumes?.strategies, ['merge', 'retainKeys']);
  assert.equal(volumes?.mergeKey, 'name');
  assert.deepEqual(podSpec().field('tolerations')?.strategies, []);
});

test('ObjectMeta finalizers merge as a set of primitives; owner references by uid', () => {
  const meta = patchSchemaFor('io.k8s.api.core.v1.Pod').field('metadata')?.schema;
  const finalizers = meta?.field('finalizers');
  assert.deepEqual(finalizers?.strategies, ['merge']);
  assert.equal(finalizers?.mergeKey, undefined);
  assert.equal(finalizers?.schema, undefined);
  assert.equal(meta?.field('ownerReferences')?.mergeKey, 'uid');
});

test('Deployment strategy retains keys', () => {
  const strategy = patchSchemaFor(DEPLOYMENT).field('spec')?.schema?.field('strategy');
  assert.deepEqual(strategy?.strategies, ['retainKeys']);
  assert.ok(strategy?.schema?.field('rollingUpdate'));
});

test('status conditions merge by type', () => {
  const status = patchSchemaFor(DEPLOYMENT).field('status')?.schema;
  assert.equal(status?.field('conditions')?.mergeKey, 'type');
  const node = patchSchemaFor('io.k8s.api.core.v1.Node').field('status')?.schema;
  assert.equal(node?.field('conditions')?.mergeKey, 'type');
  assert.equal(node?.field('addresses')?.mergeKey, 'type');
});

test('map fields describe their values; opaque values merge like JSON', () => {
  const meta = patchSchemaFor('io.k8s.api.core.v1.Pod').field('metadata')?.schema;
  const labels = meta?.field('labels');
  assert.deepEqual(labels?.strategies, []);
  assert.deepEqual(labels?.schema?.field('app'), { strategies: [] });
  const data = patchSchemaFor('io.k8s.api.apps.v1.ControllerRevision').field('data');
  assert.equal(data?.schema, unknownPatchSchema);
});

test('patch schemas are cached', () => {
  assert.equal(patchSchemaFor(DEPLOYMENT), patchSchemaFor(DEPLOYMENT));
  assert.equal(podSpec().field('containers'), podSpec().field('containers'));
});
