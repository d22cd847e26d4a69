import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allResources } from '../registry.js';
import { decodeObject, encodeObject } from './index.js';
import { coreFixtures, meta } from './fixtures-core.js';
import { groupFixtures } from './fixtures-groups.js';

const fixtures = { ...coreFixtures, ...groupFixtures };
const fixtureOf = (group: string, kind: string) => fixtures[group === 'events.k8s.io' ? 'EventsEvent' : kind];

const roundTrip = (obj: Record<string, unknown>, def: string) => decodeObject(encodeObject(obj, def), def);

test('every served kind and its List survive JSON → protobuf → JSON unchanged', () => {
  for (const rt of allResources()) {
    const obj = fixtureOf(rt.group, rt.kind);
    assert.ok(obj, `a fixture for ${rt.kind}`);
    assert.deepEqual(roundTrip(obj, rt.schema), obj, rt.schema);
    if (rt.verbs && !rt.verbs.includes('list')) continue;
    const list = { metadata: { resourceVersion: '42', continue: 'eyJydiI6NDJ9', remainingItemCount: 0 }, items: [obj, { metadata: { name: 'second' } }] };
    assert.deepEqual(roundTrip(list, `${rt.schema}List`), list, `${rt.schema}List`);
  }
});

const extras: [string, Record<string, unknown>][] = [
  ['io.k8s.apimachinery.pkg.apis.meta.v1.Status', { metadata: {}, status: 'Failure', message: 'pods "x" not found', reason: 'NotFound', details: { name: 'x', kind: 'pods', causes: [{ reason: 'FieldValueInvalid', message: 'bad', field: 'spec' }], retryAfterSeconds: 1 }, code: 404 }],
  ['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', { gracePeriodSeconds: 0, preconditions: { uid: 'u1', resourceVersion: '' }, propagationPolicy: 'Foreground', dryRun: ['All'] }],
  ['io.k8s.api.policy.v1.Eviction', { metadata: { name: 'web-1', namespace: 'default' }, deleteOptions: { gracePeriodSeconds: 30 } }],
  ['io.k8s.api.autoscaling.v1.Scale', { metadata: meta('web', 'default'), spec: { replicas: 0 }, status: { replicas: 3, selector: 'app=web' } }],
  ['io.k8s.api.authentication.v1.TokenRequest', { metadata: { name: 'web' }, spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web-1', uid: 'u1' } }, status: { token: 'eyJ', expirationTimestamp: '2025-03-04T06:06:07Z' } }],
  ['io.k8s.api.authorization.v1.SelfSubjectAccessReview', { metadata: {}, spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } }, status: { allowed: true, reason: 'yes' } }],
  ['io.k8s.api.authentication.v1.SelfSubjectReview', { metadata: {}, status: { userInfo: { username: 'admin', groups: ['system:masters'], extra: { scopes: ['a', 'b'], empty: [] } } } }],
];

test('Status, options and the non-stored request kinds survive a round trip', () => {
  for (const [def, obj] of extras) assert.deepEqual(roundTrip(obj, def), obj, def);
});

test('wire forms: times, micro times, quantities, int-or-strings and embedded JSON', () => {
  const lease = { spec: { renewTime: '2025-03-04T05:10:07.000001Z', acquireTime: '1969-12-31T23:59:59.500000Z' } };
  assert.deepEqual(roundTrip(lease, 'io.k8s.api.coordination.v1.Lease'), lease);
  const withOffset = { metadata: { creationTimestamp: '2025-03-04T07:06:07+02:00' } };
  assert.deepEqual(roundTrip(withOffset, 'io.k8s.api.core.v1.ConfigMap'), { metadata: { creationTimestamp: '2025-03-04T05:06:07Z' } });
  const quantities = { spec: { hard: { cpu: 2, memory: '1.5Gi' } } };
  assert.deepEqual(roundTrip(quantities, 'io.k8s.api.core.v1.ResourceQuota'), { spec: { hard: { cpu: '2', memory: '1.5Gi' } } });
  const negative = { spec: { priority: -5, containers: [{ name: 'a' }] } };
  assert.deepEqual(roundTrip(negative, 'io.k8s.api.core.v1.Pod'), negative);
});
