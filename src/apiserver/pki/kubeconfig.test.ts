import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { writeKubeconfig } from './kubeconfig.js';

const opts = { server: 'https://127.0.0.1:6443', caCert: 'CA PEM\n', clientCert: 'CERT PEM\n', clientKey: 'KEY PEM\n' };

test('writeKubeconfig writes one kite cluster, user and context with base64 PEM data', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kite-kubeconfig-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'kubeconfig.yaml');
  await writeKubeconfig(path, opts);

  const doc = parse(await readFile(path, 'utf8'));
  assert.equal(doc.apiVersion, 'v1');
  assert.equal(doc.kind, 'Config');
  assert.equal(doc['current-context'], 'kite');
  assert.deepEqual(doc.clusters, [{ name: 'kite', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('CA PEM\n').toString('base64') } }]);
  assert.equal(Buffer.from(doc.users[0].user['client-certificate-data'], 'base64').toString(), 'CERT PEM\n');
  assert.equal(Buffer.from(doc.users[0].user['client-key-data'], 'base64').toString(), 'KEY PEM\n');
  assert.equal(doc.users[0].name, 'kite');
  assert.deepEqual(doc.contexts, [{ name: 'kite', context: { cluster: 'kite', user: 'kite', namespace: 'default' } }]);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
});

test('writeKubeconfig replaces an existing world-readable file with a 0600 one', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kite-kubeconfig-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'kubeconfig.yaml');
  await writeFile(path, 'old', { mode: 0o644 });
  await writeKubeconfig(path, { ...opts, server: 'https://10.0.0.1:7443' });
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.equal(parse(await readFile(path, 'utf8')).clusters[0].cluster.server, 'https://10.0.0.1:7443');
});
