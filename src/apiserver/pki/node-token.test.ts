import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caCertificateHash, ensureNodeToken, nodeTokenMatches, parseNodeToken } from './node-token.js';

async function tempPath(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kite-node-token-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'server', 'node-token');
}

const CA_A = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
const CA_B = '-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n';

test('ensureNodeToken writes K10<CA sha256>::node:<32 hex> in a 0600 file', async (t) => {
  const path = await tempPath(t);
  const token = await ensureNodeToken(path, CA_A);
  const hash = createHash('sha256').update(CA_A).digest('hex');
  assert.match(token, new RegExp(`^K10${hash}::node:[0-9a-f]{32}$`));
  assert.equal((await readFile(path, 'utf8')).trim(), token);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.equal(caCertificateHash(CA_A), hash);
});

test('ensureNodeToken keeps the secret across restarts and follows a new CA', async (t) => {
  const path = await tempPath(t);
  const first = await ensureNodeToken(path, CA_A);
  assert.equal(await ensureNodeToken(path, CA_A), first);
  const renewed = await ensureNodeToken(path, CA_B);
  assert.equal(parseNodeToken(renewed)!.secret, parseNodeToken(first)!.secret);
  assert.equal(parseNodeToken(renewed)!.caHash, caCertificateHash(CA_B));
});

test('ensureNodeToken narrows a world-readable token file to 0600', async (t) => {
  const path = await tempPath(t);
  const first = await ensureNodeToken(path, CA_A);
  await writeFile(path, first, { mode: 0o644 });
  assert.equal(await ensureNodeToken(path, CA_A), first);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
});

test('parseNodeToken reads full and short tokens and refuses malformed ones', () => {
  const hash = 'a'.repeat(64);
  assert.deepEqual(parseNodeToken(`K10${hash}::node:s3cret`), { caHash: hash, username: 'node', secret: 's3cret' });
  assert.deepEqual(parseNodeToken('node:s3cret'), { username: 'node', secret: 's3cret' });
  assert.deepEqual(parseNodeToken('s3cret'), { username: 'node', secret: 's3cret' });
  assert.equal(parseNodeToken('K10zz::node:s'), undefined);
  assert.equal(parseNodeToken(''), undefined);
  assert.equal(parseNodeToken('node:'), undefined);
});

test('nodeTokenMatches compares the credential and a presented CA hash', () => {
  const token = `K10${caCertificateHash(CA_A)}::node:0123456789abcdef0123456789abcdef`;
  assert.equal(nodeTokenMatches(token, token), true);
  assert.equal(nodeTokenMatches(token, 'node:0123456789abcdef0123456789abcdef'), true);
  assert.equal(nodeTokenMatches(token, '0123456789abcdef0123456789abcdef'), true);
  assert.equal(nodeTokenMatches(token, 'node:0123456789abcdef0123456789abcdee'), false);
  assert.equal(nodeTokenMatches(token, `K10${caCertificateHash(CA_B)}::node:0123456789abcdef0123456789abcdef`), false);
  assert.equal(nodeTokenMatches(token, ''), false);
});
