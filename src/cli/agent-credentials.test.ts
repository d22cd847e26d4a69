import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { silentLogger } from '../apimachinery/log.js';
import { CredentialsError, credentialFiles, ensureAgentCredentials, loadAgentCredentials, nodeNameOf } from './agent-credentials.js';
import { startJoinServer } from '../../test/support/join-server.js';

const startCluster = (t: { after(fn: () => Promise<void>): void }) => startJoinServer(t, 'kite-agent-creds-');

test('the first start checks the CA against the token, obtains certificates for keys of its own and keeps them 0600', async (t) => {
  const c = await startCluster(t);
  const dir = join(c.dir, 'agent', 'credentials');
  const creds = await ensureAgentCredentials({ dir, server: c.url, token: c.token, nodeName: 'worker-1', addresses: ['10.0.0.7', 'worker-1.lan'], logger: silentLogger });

  assert.equal(creds.nodeName, 'worker-1');
  assert.equal(creds.caCert, c.pki.caCert);
  const ca = new X509Certificate(c.pki.caCert);
  const client = new X509Certificate(creds.clientCert);
  assert.ok(client.verify(ca.publicKey), 'the client certificate is signed by the cluster CA');
  assert.match(client.subject, /O=system:nodes/);
  assert.equal(nodeNameOf(creds.clientCert), 'worker-1');
  assert.ok(client.checkPrivateKey(createPrivateKey(creds.clientKey)), 'the client key was made here and fits the certificate');
  const serving = new X509Certificate(creds.servingCert);
  assert.ok(serving.verify(ca.publicKey));
  assert.ok(serving.checkPrivateKey(createPrivateKey(creds.servingKey)));
  assert.match(serving.subjectAltName ?? '', /IP Address:10\.0\.0\.7/);
  assert.match(serving.subjectAltName ?? '', /DNS:worker-1/);

  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  for (const path of Object.values(credentialFiles(dir))) {
    assert.equal((await stat(path)).mode & 0o777, 0o600, `${path} is 0600`);
  }
  const kubeconfig = parse(await readFile(credentialFiles(dir).kubeconfig, 'utf8'));
  assert.equal(kubeconfig.clusters[0].cluster.server, c.url);
  assert.equal(Buffer.from(kubeconfig.users[0].user['client-certificate-data'], 'base64').toString(), creds.clientCert);
});

test('later starts reuse the stored credentials without a token or the server', async (t) => {
  const c = await startCluster(t);
  const dir = join(c.dir, 'creds');
  const first = await ensureAgentCredentials({ dir, server: c.url, token: c.token, nodeName: 'n1', addresses: [], logger: silentLogger });
  await c.stop();
  const again = await ensureAgentCredentials({ dir, server: c.url, nodeName: 'n1', addresses: [], logger: silentLogger });
  assert.deepEqual(again, first);
  assert.deepEqual(await loadAgentCredentials(dir), first);
});

test('a token whose CA hash does not match the server is refused before the token is sent', async (t) => {
  const c = await startCluster(t);
  const dir = join(c.dir, 'creds');
  const wrongHash = c.token.replace(/^K10[0-9a-f]{4}/, 'K100000');
  await assert.rejects(
    ensureAgentCredentials({ dir, server: c.url, token: wrongHash, nodeName: 'n1', addresses: [], logger: silentLogger }),
    (err: unknown) => err instanceof CredentialsError && /is not the one the token names/.test(err.message) && /refusing to join/.test(err.message),
  );
  assert.equal(existsSync(dir), false, 'nothing is written');
});

test('a wrong secret is answered 401 and reported as a refused token', async (t) => {
  const c = await startCluster(t);
  const dir = join(c.dir, 'creds');
  const wrongSecret = c.token.replace(/::node:.*$/, '::node:not-the-secret');
  await assert.rejects(
    ensureAgentCredentials({ dir, server: c.url, token: wrongSecret, nodeName: 'n1', addresses: [], logger: silentLogger }),
    (err: unknown) => err instanceof CredentialsError && /refused the token \(401\)/.test(err.message),
  );
  assert.equal(existsSync(dir), false);
});

test('without stored credentials for this node a token is required, and a malformed one is named', async (t) => {
  const c = await startCluster(t);
  const dir = join(c.dir, 'creds');
  await assert.rejects(ensureAgentCredentials({ dir, server: c.url, nodeName: 'n1', addresses: [], logger: silentLogger }), /no node credentials yet .*pass --token/);
  await ensureAgentCredentials({ dir, server: c.url, token: c.token, nodeName: 'n1', addresses: [], logger: silentLogger });
  await assert.rejects(ensureAgentCredentials({ dir, server: c.url, nodeName: 'n2', addresses: [], logger: silentLogger }), /stored credentials are for node n1/);
  await assert.rejects(ensureAgentCredentials({ dir, server: c.url, token: 'K10zz::', nodeName: 'n2', addresses: [], logger: silentLogger }), /--token is not a node token/);
  const renamed = await ensureAgentCredentials({ dir, server: c.url, token: c.token, nodeName: 'n2', addresses: [], logger: silentLogger });
  assert.equal(nodeNameOf(renamed.clientCert), 'n2');
});
