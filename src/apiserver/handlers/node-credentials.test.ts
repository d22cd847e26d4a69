import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, webcrypto } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { startTestServer, type TestServer } from '../testing/fixture.js';
import type { ServerPKI } from '../pki/index.js';
import { caCertificateHash, formatNodeToken } from '../pki/node-token.js';
import { x509 } from '../pki/x509.js';

const SECRET = '0123456789abcdef0123456789abcdef';
const CREDS = '/v1-kite/node-credentials';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

describe('node identity endpoints', () => {
  let s: TestServer;
  let ca: ServerPKI;
  let token: string;
  before(async () => {
    // The fixture's certificates, so node certificates chain to the CA the server trusts.
    const probe = await startTestServer();
    ca = probe.pki;
    await probe.close();
    token = formatNodeToken(ca.caCert, SECRET);
    s = await startTestServer(undefined, { identity: { ca: { cert: ca.caCert, key: ca.caKey }, nodeToken: token } });
  });
  after(async () => {
    await s.close();
  });

  const post = (body: unknown, auth?: string) =>
    s.request('POST', CREDS, body, auth === undefined ? {} : { Authorization: auth }, { anonymous: true });

  test('GET /cacerts answers the CA without a client certificate, matching the token hash', async () => {
    const r = await s.request('GET', '/cacerts', undefined, {}, { anonymous: true });
    assert.equal(r.status, 200);
    assert.equal(r.body, ca.caCert);
    assert.equal(caCertificateHash(r.body), token.slice(3, 67));
  });

  test('issues client and serving certificates signed by the CA for the node', async () => {
    const r = await post({ nodeName: 'node-1', addresses: ['10.0.0.7', 'node-1.example'] }, `Bearer ${token}`);
    assert.equal(r.status, 200, r.body);
    const caX = new X509Certificate(ca.caCert);
    assert.equal(r.json.caCert, ca.caCert);

    const client = new X509Certificate(r.json.clientCert);
    assert.ok(client.verify(caX.publicKey) && client.checkIssued(caX));
    assert.match(client.subject, /CN=system:node:node-1/);
    assert.match(client.subject, /O=system:nodes/);
    assert.deepEqual(client.keyUsage, [CLIENT_AUTH]);
    assert.ok(client.checkPrivateKey(createPrivateKey(r.json.clientKey)));

    const serving = new X509Certificate(r.json.servingCert);
    assert.ok(serving.verify(caX.publicKey));
    assert.deepEqual(serving.keyUsage, [SERVER_AUTH]);
    assert.equal(serving.checkHost('node-1'), 'node-1');
    assert.equal(serving.checkHost('node-1.example'), 'node-1.example');
    assert.equal(serving.checkIP('10.0.0.7'), '10.0.0.7');
    assert.equal(serving.checkIP('10.0.0.8'), undefined);
    assert.ok(serving.checkPrivateKey(createPrivateKey(r.json.servingKey)));
  });

  test('accepts the short node:<secret> credential', async () => {
    const r = await post({ nodeName: 'node-2' }, `Bearer node:${SECRET}`);
    assert.equal(r.status, 200, r.body);
  });

  test('signs the key of a certificate signing request and returns no key', async () => {
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
    const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=whatever', keys, signingAlgorithm: alg });
    const r = await post({ nodeName: 'node-3', clientCSR: csr.toString('pem') }, `Bearer ${token}`);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.clientKey, undefined);
    assert.ok(typeof r.json.servingKey === 'string');
    const client = new X509Certificate(r.json.clientCert);
    assert.match(client.subject, /CN=system:node:node-3/);
    const spki = Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey));
    assert.deepEqual(client.publicKey.export({ format: 'der', type: 'spki' }), spki);

    const bad = await post({ nodeName: 'node-3', clientCSR: 'not a csr' }, `Bearer ${token}`);
    assert.equal(bad.status, 400, bad.body);
  });

  test('answers 401 as a Status without the right token', async () => {
    for (const auth of [undefined, 'Bearer nope', `Bearer node:${SECRET.replace('0', '1')}`, `Basic ${SECRET}`, `Bearer K10${'0'.repeat(64)}::node:${SECRET}`]) {
      const r = await post({ nodeName: 'node-x' }, auth);
      assert.equal(r.status, 401, `${auth}: ${r.body}`);
      assert.equal(r.json.kind, 'Status');
      assert.equal(r.json.reason, 'Unauthorized');
    }
  });

  test('refuses a missing or invalid node name and GET', async () => {
    assert.equal((await post({}, `Bearer ${token}`)).status, 400);
    assert.equal((await post({ nodeName: 'Not_A_Name' }, `Bearer ${token}`)).status, 400);
    assert.equal((await post({ nodeName: 'n', addresses: ['bad address!'] }, `Bearer ${token}`)).status, 400);
    assert.equal((await s.request('GET', CREDS, undefined, { Authorization: `Bearer ${token}` }, { anonymous: true })).status, 405);
  });

  test('the node certificate authenticates to the API server', async () => {
    const r = await post({ nodeName: 'node-4' }, `Bearer ${token}`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest({
        host: '127.0.0.1', port: s.port, path: '/api/v1/namespaces/default/pods', ca: ca.caCert,
        cert: r.json.clientCert, key: r.json.clientKey,
      }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 200);
  });
});
