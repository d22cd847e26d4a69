import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { createCertificateAuthority, issueCertificate } from './certificates.js';
import { identityFromCertificate, identityFromSocket } from './identity.js';
import { ensureServerPKI } from './server-pki.js';

test('identityFromCertificate reads CN as user and O as groups', () => {
  assert.deepEqual(identityFromCertificate({ subject: { CN: 'alice', O: 'dev' } } as never), { user: 'alice', groups: ['dev'] });
  assert.deepEqual(identityFromCertificate({ subject: { CN: 'bob', O: ['a', 'b'] } } as never), { user: 'bob', groups: ['a', 'b'] });
  assert.deepEqual(identityFromCertificate({ subject: { CN: 'carol' } } as never), { user: 'carol', groups: [] });
  assert.equal(identityFromCertificate({}), undefined);
  assert.equal(identityFromCertificate(null), undefined);
  assert.equal(identityFromCertificate({ subject: { O: 'x' } } as never), undefined);
});

interface Seen {
  authorized: boolean;
  identity: ReturnType<typeof identityFromCertificate>;
  socketIdentity: ReturnType<typeof identityFromSocket>;
}

test('a TLS server with the serving certificate sees the admin identity and rejects another CA', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'kite-tls-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const pki = await ensureServerPKI(join(root, 'tls'), { hostnames: [], ips: [] });

  const seen: Seen[] = [];
  const server = createServer(
    { cert: pki.servingCert, key: pki.servingKey, ca: pki.caCert, requestCert: true, rejectUnauthorized: false },
    (socket: TLSSocket) => {
      seen.push({
        authorized: socket.authorized,
        identity: identityFromCertificate(socket.getPeerCertificate()),
        socketIdentity: identityFromSocket(socket),
      });
      socket.end('bye');
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;

  const handshake = async (cert: string, key: string) => {
    // The client verifies the server against our CA and by IP SAN (no servername override).
    const socket = connect({ host: '127.0.0.1', port, ca: pki.caCert, cert, key });
    await once(socket, 'secureConnect');
    assert.equal(socket.authorized, true, `server certificate rejected: ${String(socket.authorizationError)}`);
    socket.resume();
    await once(socket, 'end');
    socket.destroy();
  };

  await handshake(pki.adminCert, pki.adminKey);
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.authorized, true);
  assert.deepEqual(seen[0]!.identity, { user: 'system:admin', groups: ['system:masters'] });
  assert.deepEqual(seen[0]!.socketIdentity, { user: 'system:admin', groups: ['system:masters'] });

  const otherCA = await createCertificateAuthority('other-ca');
  const stranger = await issueCertificate(otherCA, { commonName: 'mallory', organizations: ['system:masters'], usage: 'client' });
  await handshake(stranger.cert, stranger.key);
  assert.equal(seen.length, 2);
  assert.equal(seen[1]!.authorized, false);
  assert.equal(seen[1]!.socketIdentity, undefined);
});
