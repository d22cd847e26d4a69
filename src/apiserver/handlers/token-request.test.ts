import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { jwtVerify } from 'jose';
import { startTestServer, type TestServer } from '../testing/fixture.js';
import { generateServiceAccountKey } from '../pki/service-account-key.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const NS = '/api/v1/namespaces/default';
const AUD = 'https://kubernetes.default.svc.cluster.local';

describe('serviceaccounts/token (TokenRequest)', () => {
  let s: TestServer;
  let publicKey: string;
  before(async () => {
    const key = await generateServiceAccountKey();
    publicKey = key.publicKey;
    s = await startTestServer(undefined, { identity: { serviceAccount: { signingKey: key.privateKey } } });
    assert.equal((await s.request('POST', `${NS}/serviceaccounts`, { metadata: { name: 'robot' } })).status, 201);
  });
  after(async () => { await s.close(); });

  const tokenFor = (sa: string, spec: unknown = {}) =>
    s.request('POST', `${NS}/serviceaccounts/${sa}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec });
  const claimsOf = async (token: string) => (await jwtVerify(token, createPublicKey(publicKey), { algorithms: ['RS256'] })).payload as any;

  test('issues a token with the default audience and an hour of life', async () => {
    const sa = (await s.request('GET', `${NS}/serviceaccounts/robot`)).json;
    const r = await tokenFor('robot');
    assert.equal(r.status, 201, r.body);
    assert.equal(r.json.kind, 'TokenRequest');
    assert.equal(r.json.apiVersion, 'authentication.k8s.io/v1');
    assert.deepEqual(r.json.spec.audiences, [AUD]);
    assert.equal(r.json.spec.expirationSeconds, 3600);
    assert.equal(r.json.metadata.uid, sa.metadata.uid);
    const c = await claimsOf(r.json.status.token);
    assert.equal(c.iss, AUD);
    assert.equal(c.sub, 'system:serviceaccount:default:robot');
    assert.deepEqual(c.aud, [AUD]);
    assert.equal(c.exp - c.iat, 3600);
    assert.equal(c.nbf, c.iat);
    assert.equal(typeof c.jti, 'string');
    assert.deepEqual(c['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'robot', uid: sa.metadata.uid } });
    assert.equal(Date.parse(r.json.status.expirationTimestamp), c.exp * 1000);
  });

  test('takes audiences and a lifetime, and refuses less than ten minutes with 422', async () => {
    const r = await tokenFor('robot', { audiences: ['vault'], expirationSeconds: 7200 });
    assert.equal(r.status, 201, r.body);
    const c = await claimsOf(r.json.status.token);
    assert.deepEqual(c.aud, ['vault']);
    assert.equal(c.exp - c.iat, 7200);
    const short = await tokenFor('robot', { expirationSeconds: 60 });
    assert.equal(short.status, 422, short.body);
    assert.equal(short.json.message, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes');
  });

  test('answers 404 for a missing service account', async () => {
    const r = await tokenFor('ghost');
    assert.equal(r.status, 404);
    assert.equal(r.json.message, 'serviceaccounts "ghost" not found');
  });

  test('binds a token to a pod (with its node) or a secret, checking existence and uid', async () => {
    const pod = (await s.request('POST', `${NS}/pods`, {
      metadata: { name: 'worker' }, spec: { serviceAccountName: 'robot', nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
    })).json;
    const node = (await s.request('POST', '/api/v1/nodes', { metadata: { name: 'n1' } })).json;
    const r = await tokenFor('robot', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'worker', uid: pod.metadata.uid } });
    assert.equal(r.status, 201, r.body);
    const k = (await claimsOf(r.json.status.token))['kubernetes.io'];
    assert.deepEqual(k.pod, { name: 'worker', uid: pod.metadata.uid });
    assert.deepEqual(k.node, { name: 'n1', uid: node.metadata.uid });

    const secret = (await s.request('POST', `${NS}/secrets`, { metadata: { name: 'keys' } })).json;
    const rs = await tokenFor('robot', { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'keys' } });
    assert.equal(rs.status, 201, rs.body);
    assert.deepEqual((await claimsOf(rs.json.status.token))['kubernetes.io'].secret, { name: 'keys', uid: secret.metadata.uid });

    const wrongUid = await tokenFor('robot', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'worker', uid: 'other' } });
    assert.equal(wrongUid.status, 409, wrongUid.body);
    assert.equal((await tokenFor('robot', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'nobody' } })).status, 404);
    const kind = await tokenFor('robot', { boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'x' } });
    assert.equal(kind.status, 400, kind.body);

    await s.request('POST', `${NS}/serviceaccounts`, { metadata: { name: 'other' } });
    const otherSA = await tokenFor('other', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'worker' } });
    assert.equal(otherSA.status, 400);
    assert.equal(otherSA.json.message, 'cannot bind token for serviceaccount "other" to pod running with different serviceaccount name.');
  });
});
