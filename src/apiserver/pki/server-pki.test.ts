import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { x509 } from './x509.js';
import { ensureServerPKI, issueClientCertificate, pkiFiles } from './server-pki.js';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kite-pki-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'server', 'tls');
}

test('ensureServerPKI issues a CA, a serving certificate with the SANs and an admin certificate', async (t) => {
  const dir = await tempDir(t);
  const pki = await ensureServerPKI(dir, { hostnames: ['node-a.example'], ips: ['10.1.2.3'] });

  const ca = new X509Certificate(pki.caCert);
  assert.equal(ca.ca, true);
  assert.match(ca.subject, /CN=kite-ca/);
  const caYears = (Date.parse(ca.validTo) - Date.now()) / (365 * 24 * 3600 * 1000);
  assert.ok(caYears > 9.9 && caYears < 10.1, `CA valid for ${caYears} years`);
  const caExt = new x509.X509Certificate(pki.caCert);
  const caUsage = caExt.getExtension(x509.KeyUsagesExtension);
  assert.ok(caUsage && (caUsage.usages & x509.KeyUsageFlags.keyCertSign), 'CA key usage has certSign');
  assert.equal(caExt.getExtension(x509.BasicConstraintsExtension)?.critical, true);

  const serving = new X509Certificate(pki.servingCert);
  assert.equal(serving.ca, false);
  assert.match(serving.subject, /CN=kite-apiserver/);
  assert.ok(serving.verify(ca.publicKey), 'serving certificate is signed by the CA');
  assert.ok(serving.checkIssued(ca));
  for (const name of ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'node-a.example']) {
    assert.ok(serving.subjectAltName?.includes(`DNS:${name}`), `SAN has ${name}: ${serving.subjectAltName}`);
  }
  assert.equal(serving.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(serving.checkIP('::1'), '::1');
  assert.equal(serving.checkIP('10.1.2.3'), '10.1.2.3');
  assert.equal(serving.checkIP('10.9.9.9'), undefined);
  assert.deepEqual(serving.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.ok(serving.checkPrivateKey(createPrivateKey(pki.servingKey)));
  assert.equal(createPrivateKey(pki.servingKey).asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.match(pki.servingKey, /^-----BEGIN PRIVATE KEY-----/);

  const admin = new X509Certificate(pki.adminCert);
  assert.ok(admin.verify(ca.publicKey));
  assert.match(admin.subject, /CN=system:admin/);
  assert.match(admin.subject, /O=system:masters/);
  assert.deepEqual(admin.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.ok(admin.checkPrivateKey(createPrivateKey(pki.adminKey)));
});

test('ensureServerPKI writes keys 0600 in a 0700 directory', async (t) => {
  const dir = await tempDir(t);
  await ensureServerPKI(dir, { hostnames: [], ips: [] });
  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  for (const f of [pkiFiles.caKey, pkiFiles.servingKey, pkiFiles.adminKey]) {
    assert.equal((await stat(join(dir, f))).mode & 0o777, 0o600, f);
  }
  assert.equal((await stat(join(dir, pkiFiles.caCert))).mode & 0o777, 0o644);
});

test('ensureServerPKI reuses the files on a second call', async (t) => {
  const dir = await tempDir(t);
  const first = await ensureServerPKI(dir, { hostnames: ['h1'], ips: ['10.0.0.1'] });
  const second = await ensureServerPKI(dir, { hostnames: ['h1'], ips: ['10.0.0.1'] });
  assert.deepEqual(second, first);
  assert.equal(await readFile(join(dir, pkiFiles.servingCert), 'utf8'), first.servingCert);
});

test('ensureServerPKI reissues only the serving certificate when the names change', async (t) => {
  const dir = await tempDir(t);
  const first = await ensureServerPKI(dir, { hostnames: ['h1'], ips: [] });
  const second = await ensureServerPKI(dir, { hostnames: ['h2'], ips: ['192.168.7.7'] });
  assert.equal(second.caCert, first.caCert);
  assert.equal(second.adminCert, first.adminCert);
  assert.notEqual(second.servingCert, first.servingCert);
  const serving = new X509Certificate(second.servingCert);
  assert.ok(serving.subjectAltName?.includes('DNS:h2'));
  assert.equal(serving.checkIP('192.168.7.7'), '192.168.7.7');
  assert.ok(serving.verify(new X509Certificate(first.caCert).publicKey));
});

test('ensureServerPKI replaces a serving certificate whose key does not match', async (t) => {
  const dir = await tempDir(t);
  const first = await ensureServerPKI(dir, { hostnames: [], ips: [] });
  await writeFile(join(dir, pkiFiles.servingKey), first.adminKey);
  const second = await ensureServerPKI(dir, { hostnames: [], ips: [] });
  assert.notEqual(second.servingCert, first.servingCert);
  assert.ok(new X509Certificate(second.servingCert).checkPrivateKey(createPrivateKey(second.servingKey)));
});

test('ensureServerPKI starts over with a new CA when the CA key is gone', async (t) => {
  const dir = await tempDir(t);
  const first = await ensureServerPKI(dir, { hostnames: [], ips: [] });
  await rm(join(dir, pkiFiles.caKey));
  const second = await ensureServerPKI(dir, { hostnames: [], ips: [] });
  assert.notEqual(second.caCert, first.caCert);
  const ca = new X509Certificate(second.caCert);
  assert.ok(new X509Certificate(second.servingCert).verify(ca.publicKey));
  assert.ok(new X509Certificate(second.adminCert).verify(ca.publicKey));
});

test('issueClientCertificate signs CN and several O with the CA', async (t) => {
  const dir = await tempDir(t);
  const pki = await ensureServerPKI(dir, { hostnames: [], ips: [] });
  const { cert, key } = await issueClientCertificate(pki, { commonName: 'system:node:n1', organizations: ['system:nodes', 'team-a'] });
  const x = new X509Certificate(cert);
  assert.ok(x.verify(new X509Certificate(pki.caCert).publicKey));
  assert.match(x.subject, /CN=system:node:n1/);
  assert.match(x.subject, /O=system:nodes/);
  assert.match(x.subject, /O=team-a/);
  assert.ok(x.checkPrivateKey(createPrivateKey(key)));
});

test('ensureServerPKI issues the kubelet client certificate and the service account key, and keeps them', async (t) => {
  const dir = await tempDir(t);
  const pki = await ensureServerPKI(dir, { hostnames: [], ips: [] });
  const client = new X509Certificate(pki.kubeletClientCert);
  assert.ok(client.verify(new X509Certificate(pki.caCert).publicKey));
  assert.match(client.subject, /CN=kube-apiserver-kubelet-client/);
  assert.match(client.subject, /O=system:masters/);
  assert.deepEqual(client.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.ok(client.checkPrivateKey(createPrivateKey(pki.kubeletClientKey)));
  const sa = createPrivateKey(pki.serviceAccountKey);
  assert.equal(sa.asymmetricKeyType, 'rsa');
  assert.equal(sa.asymmetricKeyDetails?.modulusLength, 2048);
  assert.match(pki.serviceAccountPublicKey, /^-----BEGIN PUBLIC KEY-----/);
  for (const f of [pkiFiles.kubeletClientKey, 'service-account.key', 'service-account.pub']) {
    assert.equal((await stat(join(dir, f))).mode & 0o777, 0o600, f);
  }
  const again = await ensureServerPKI(dir, { hostnames: [], ips: [] });
  assert.equal(again.kubeletClientCert, pki.kubeletClientCert);
  assert.equal(again.serviceAccountKey, pki.serviceAccountKey);
});
