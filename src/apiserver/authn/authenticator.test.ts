import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../apimachinery/clock.js';
import { startTestServer, type TestServer } from '../testing/fixture.js';
import { ServiceAccountTokens } from './service-account-token.js';
import { generateServiceAccountKey } from '../pki/service-account-key.js';

const NS = '/api/v1/namespaces/default';

describe('bearer service account tokens', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    for (const name of ['app', 'doomed']) {
      assert.equal((await s.request('POST', `${NS}/serviceaccounts`, { metadata: { name } })).status, 201);
    }
  });
  after(async () => { await s.close(); });

  const token = async (sa: string, spec: unknown = {}) => {
    const r = await s.request('POST', `${NS}/serviceaccounts/${sa}/token`, { spec });
    assert.equal(r.status, 201, r.body);
    return r.json.status.token as string;
  };
  const asBearer = (method: string, path: string, t: string, body?: unknown) =>
    s.request(method, path, body, { Authorization: `Bearer ${t}` }, { anonymous: true });

  test('a token authenticates a request without a client certificate', async () => {
    const t = await token('app');
    const r = await asBearer('GET', `${NS}/pods`, t);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.kind, 'PodList');
    // Twice: the second answer comes from the verified-token cache.
    assert.equal((await asBearer('GET', `${NS}/pods`, t)).status, 200);
    // The WebSocket subprotocol form, for clients that cannot set headers.
    const ws = await s.request('GET', `${NS}/pods`, undefined,
      { 'Sec-WebSocket-Protocol': `base64url.bearer.authorization.k8s.io.${Buffer.from(t).toString('base64url')}, v5.channel.k8s.io` }, { anonymous: true });
    assert.equal(ws.status, 200);
  });

  test('an authenticated service account may also write (no authorization is enforced)', async () => {
    const t = await token('app');
    const cm = await asBearer('POST', `${NS}/configmaps`, t, { metadata: { name: 'written-by-sa' } });
    assert.equal(cm.status, 201, cm.body);
  });

  test('a token bound to a pod stops working once the pod is deleted', async () => {
    const pod = (await s.request('POST', `${NS}/pods`, { metadata: { name: 'bound' }, spec: { serviceAccountName: 'app', containers: [{ name: 'c', image: 'busybox' }] } })).json;
    const t = await token('app', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'bound', uid: pod.metadata.uid } });
    assert.equal((await asBearer('GET', `${NS}/pods`, t)).status, 200);
    assert.equal((await s.request('DELETE', `${NS}/pods/bound?gracePeriodSeconds=0`)).status, 200);
    const r = await asBearer('GET', `${NS}/pods`, t);
    assert.equal(r.status, 401);
    assert.equal(r.json.reason, 'Unauthorized');
    // A new pod of the same name has another uid: the token stays invalid.
    await s.request('POST', `${NS}/pods`, { metadata: { name: 'bound' }, spec: { serviceAccountName: 'app', containers: [{ name: 'c', image: 'busybox' }] } });
    assert.equal((await asBearer('GET', `${NS}/pods`, t)).status, 401);
  });

  test('a token stops working once its service account is deleted', async () => {
    const t = await token('doomed');
    assert.equal((await asBearer('GET', `${NS}/pods`, t)).status, 200);
    assert.equal((await s.request('DELETE', `${NS}/serviceaccounts/doomed`)).status, 200);
    assert.equal((await asBearer('GET', `${NS}/pods`, t)).status, 401);
  });

  test('garbage, foreign-audience and foreign-key tokens answer 401 as a Status', async () => {
    const foreignAudience = await token('app', { audiences: ['vault'] });
    const other = new ServiceAccountTokens({ signingKey: (await generateServiceAccountKey()).privateKey });
    const sa = (await s.request('GET', `${NS}/serviceaccounts/app`)).json;
    const forged = (await other.issue({ namespace: 'default', serviceaccount: { name: 'app', uid: sa.metadata.uid } }, [other.issuer], 3600)).token;
    for (const t of ['garbage', 'a.b.c', foreignAudience, forged]) {
      const r = await asBearer('GET', `${NS}/pods`, t);
      assert.equal(r.status, 401, t);
      assert.equal(r.json.kind, 'Status');
    }
    assert.equal((await s.request('GET', `${NS}/pods`, undefined, {}, { anonymous: true })).status, 401);
  });
});

test('ServiceAccountTokens refuses an expired token, also after caching it', async () => {
  const clock = new FakeClock(Date.parse('2025-01-01T00:00:00Z'));
  const tokens = new ServiceAccountTokens({ clock });
  const claim = { namespace: 'ns', serviceaccount: { name: 'sa', uid: 'u1' } };
  const { token, claims } = await tokens.issue(claim, tokens.audiences, 600);
  assert.deepEqual((await tokens.verify(token))?.['kubernetes.io'], claim);
  assert.equal(claims.exp - claims.iat, 600);
  clock.advance(599_000);
  assert.ok(await tokens.verify(token));
  clock.advance(2_000);
  assert.equal(await tokens.verify(token), undefined);
  const wrongAudience = await tokens.issue(claim, ['elsewhere'], 600);
  assert.equal(await tokens.verify(wrongAudience.token), undefined);
});
