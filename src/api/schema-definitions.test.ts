import assert from 'node:assert/strict';
import { test } from 'node:test';
import { definitions, deref, getDefinition, type Schema } from './schema-definitions.js';

const POD_SPEC = 'io.k8s.api.core.v1.PodSpec';

test('definitions cover the built-in groups under their upstream names', () => {
  for (const name of [
    'io.k8s.api.core.v1.Pod', 'io.k8s.api.apps.v1.Deployment', 'io.k8s.api.batch.v1.Job',
    'io.k8s.api.rbac.v1.ClusterRole', 'io.k8s.api.coordination.v1.Lease',
    'io.k8s.api.discovery.v1.EndpointSlice', 'io.k8s.api.autoscaling.v1.Scale',
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'io.k8s.apimachinery.pkg.api.resource.Quantity',
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString', 'io.k8s.apimachinery.pkg.runtime.RawExtension',
    'io.k8s.apimachinery.pkg.version.Info',
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
  ]) {
    assert.ok(getDefinition(name), name);
  }
  assert.equal(getDefinition('io.k8s.api.core.v1.NoSuchKind'), undefined);
  assert.equal(getDefinition('constructor'), undefined);
});

test('kinds carry their group-version-kind and lists of the same group too', () => {
  assert.deepEqual(getDefinition('io.k8s.api.apps.v1.Deployment')?.['x-kubernetes-group-version-kind'],
    [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.deepEqual(getDefinition('io.k8s.api.core.v1.PodList')?.['x-kubernetes-group-version-kind'],
    [{ group: '', kind: 'PodList', version: 'v1' }]);
  assert.deepEqual(getDefinition('io.k8s.apimachinery.pkg.apis.meta.v1.Status')?.['x-kubernetes-group-version-kind'],
    [{ group: '', kind: 'Status', version: 'v1' }]);
  const del = getDefinition('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions')?.['x-kubernetes-group-version-kind'] ?? [];
  assert.ok(del.some((g) => g.group === 'apps' && g.version === 'v1'));
  assert.equal(getDefinition(POD_SPEC)?.['x-kubernetes-group-version-kind'], undefined);
});

test('properties carry types, formats, required lists and descriptions', () => {
  const pod = getDefinition(POD_SPEC) as Schema;
  assert.deepEqual(pod.required, ['containers']);
  assert.match(pod.description ?? '', /pod/i);
  assert.equal(pod.properties?.hostNetwork?.type, 'boolean');
  assert.equal(pod.properties?.activeDeadlineSeconds?.type, 'integer');
  assert.equal(pod.properties?.nodeSelector?.type, 'object');
  assert.deepEqual(pod.properties?.nodeSelector?.additionalProperties, { type: 'string' });
  assert.equal(deref(pod.properties?.containers?.items as Schema), getDefinition('io.k8s.api.core.v1.Container'));
  assert.deepEqual(getDefinition('io.k8s.api.core.v1.Container')?.required, ['name']);

  assert.equal(getDefinition('io.k8s.apimachinery.pkg.apis.meta.v1.Time')?.format, 'date-time');
  const ios = getDefinition('io.k8s.apimachinery.pkg.util.intstr.IntOrString') as Schema;
  assert.equal(ios.format, 'int-or-string');
  assert.equal(ios['x-kubernetes-int-or-string'], true);
  const port = getDefinition('io.k8s.api.core.v1.ServicePort')?.properties?.targetPort as Schema;
  assert.equal(deref(port), ios);
  assert.equal((getDefinition('io.k8s.api.core.v1.Secret')?.properties?.data?.additionalProperties as Schema).format, 'byte');
});

test('a described reference is wrapped in allOf and deref sees through it', () => {
  const spec = getDefinition('io.k8s.api.apps.v1.Deployment')?.properties?.spec as Schema;
  assert.equal(spec.$ref, undefined);
  assert.equal(spec.allOf?.length, 1);
  assert.ok(spec.description);
  assert.equal(deref(spec), getDefinition('io.k8s.api.apps.v1.DeploymentSpec'));
  assert.deepEqual(deref({ $ref: '#/components/schemas/io.k8s.nope' }), {});
});

test('every reference resolves', () => {
  const defs = definitions();
  const missing: string[] = [];
  JSON.stringify(defs, (key, value: unknown) => {
    if (key === '$ref' && typeof value === 'string' && !defs[value.replace('#/components/schemas/', '')]) missing.push(value);
    return value;
  });
  assert.deepEqual(missing, []);
});
