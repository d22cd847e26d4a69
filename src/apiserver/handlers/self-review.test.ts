import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../testing/fixture.js';
import { NO_AUTHORIZATION_REASON } from './self-review.js';

const SSAR = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
const SSRR = '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews';
const SSR = '/apis/authentication.k8s.io/v1/selfsubjectreviews';

describe('self reviews', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.close(); });

  test('a SelfSubjectAccessReview is allowed, with the reason, and not stored', async () => {
    const res = await s.request('POST', SSAR, { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'default' } } });
    assert.equal(res.status, 201, res.body);
    assert.deepEqual(res.json.status, { allowed: true, reason: NO_AUTHORIZATION_REASON });
    assert.equal(res.json.spec.resourceAttributes.verb, 'get');
    assert.equal((await s.request('GET', SSAR)).status, 405);
  });

  test('a SelfSubjectAccessReview needs exactly one of resource and non-resource attributes', async () => {
    const res = await s.request('POST', SSAR, { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: {} });
    assert.equal(res.status, 422, res.body);
    assert.match(res.json.message, /exactly one of nonResourceAttributes or resourceAttributes must be specified/);
  });

  test('a SelfSubjectRulesReview lists everything', async () => {
    const res = await s.request('POST', SSRR, { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } });
    assert.equal(res.status, 201, res.body);
    assert.deepEqual(res.json.status.resourceRules, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
    assert.equal(res.json.status.incomplete, false);
  });

  test('a SelfSubjectReview returns the requesting user', async () => {
    const res = await s.request('POST', SSR, { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    assert.equal(res.status, 201, res.body);
    assert.ok(res.json.status.userInfo.username);
    assert.ok(Array.isArray(res.json.status.userInfo.groups));
  });
});
