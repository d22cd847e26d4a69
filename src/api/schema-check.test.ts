import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkStructure } from './schema-check.js';

const POD = 'io.k8s.api.core.v1.Pod';
const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';

function pod(spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec };
}

test('a well-formed pod has no structural errors', () => {
  const errs = checkStructure(pod({
    containers: [{
      name: 'web', image: 'nginx', ports: [{ containerPort: 80, name: 'http' }],
      resources: { limits: { cpu: '500m', memory: 128974848 } },
      readinessProbe: { httpGet: { port: 'http', path: '/' } },
      env: [{ name: 'A', value: 'b' }],
    }],
    nodeSelector: { zone: 'a' },
    hostNetwork: false,
  }), POD);
  assert.deepEqual(errs, []);
});

test('a wrong scalar type is reported with the schema validation message', () => {
  const errs = checkStructure({ spec: { replicas: 'three', selector: {}, template: {} } }, DEPLOYMENT);
  assert.deepEqual(errs, [{
    type: 'FieldValueTypeInvalid',
    field: 'spec.replicas',
    message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
  }]);
});

test('nested type errors carry indexed paths', () => {
  const errs = checkStructure(pod({
    containers: [{ name: 'a', ports: [{ containerPort: 1.5 }] }, { name: 'b', args: 'not-a-list' }],
    hostNetwork: 'yes',
  }), POD);
  assert.deepEqual(errs.map((e) => [e.type, e.field]), [
    ['FieldValueTypeInvalid', 'spec.containers[0].ports[0].containerPort'],
    ['FieldValueTypeInvalid', 'spec.containers[1].args'],
    ['FieldValueTypeInvalid', 'spec.hostNetwork'],
  ]);
  assert.match(errs[1].message, /must be of type array: "string"/);
});

test('a container without a name is missing a required value', () => {
  const errs = checkStructure(pod({ containers: [{ image: 'nginx' }] }), POD);
  assert.deepEqual(errs, [{ type: 'FieldValueRequired', field: 'spec.containers[0].name', message: 'Required value' }]);
});

test('required checks can be turned off, and null counts as absent', () => {
  const obj = pod({ containers: [{ image: 'nginx', name: null }] });
  assert.equal(checkStructure(obj, POD).length, 1);
  assert.deepEqual(checkStructure(obj, POD, { required: false }), []);
});

test('int-or-string accepts numbers and strings but not booleans', () => {
  const svc = (targetPort: unknown) => ({ spec: { ports: [{ port: 80, targetPort }] } });
  const SERVICE = 'io.k8s.api.core.v1.Service';
  assert.deepEqual(checkStructure(svc(8080), SERVICE), []);
  assert.deepEqual(checkStructure(svc('http'), SERVICE), []);
  const errs = checkStructure(svc(true), SERVICE);
  assert.equal(errs.length, 1);
  assert.equal(errs[0].field, 'spec.ports[0].targetPort');
  assert.match(errs[0].message, /must be of type integer or string: "boolean"/);
});

test('quantities accept strings and numbers; map values are checked with a keyed path', () => {
  const withLimits = (limits: unknown) => pod({ containers: [{ name: 'c', resources: { limits } }] });
  assert.deepEqual(checkStructure(withLimits({ cpu: 1, memory: '1Gi' }), POD), []);
  const errs = checkStructure(withLimits({ cpu: { amount: 1 } }), POD);
  assert.deepEqual(errs.map((e) => e.field), ['spec.containers[0].resources.limits[cpu]']);
  const labels = checkStructure({ metadata: { labels: { app: 7 } } }, POD);
  assert.deepEqual(labels.map((e) => e.field), ['metadata.labels[app]']);
});

test('a schema given directly is checked, including enums', () => {
  const schema = {
    type: 'object', required: ['mode'],
    properties: { mode: { type: 'string', enum: ['Fast', 'Slow'] } },
  };
  assert.deepEqual(checkStructure({ mode: 'Fast' }, schema), []);
  assert.deepEqual(checkStructure({ mode: 'Medium' }, schema), [{
    type: 'FieldValueNotSupported', field: 'mode',
    message: 'Unsupported value: "Medium": supported values: "Fast", "Slow"',
  }]);
  assert.deepEqual(checkStructure({}, schema).map((e) => e.type), ['FieldValueRequired']);
});

test('an unknown definition name throws', () => {
  assert.throws(() => checkStructure({}, 'io.k8s.api.core.v1.Nope'), /unknown schema definition/);
});
