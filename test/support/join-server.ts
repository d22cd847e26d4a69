// A real API server that agents can join: the cluster CA and a node token in a temp dir, HTTPS on a
// free loopback port, stopped and removed after the test.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNodeToken, ensureServerPKI, type ServerPKI } from '../../src/apiserver/pki/index.js';
import { ApiServer } from '../../src/apiserver/server.js';
import { MemoryBackend } from '../../src/storage/memory/memory.js';

export interface JoinServer {
  url: string;
  token: string;
  pki: ServerPKI;
  dir: string;
  server: ApiServer;
  /** Stops the server early (also done after the test). */
  stop(): Promise<void>;
}

export async function startJoinServer(t: { after(fn: () => Promise<void>): void }, prefix = 'kite-join-'): Promise<JoinServer> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const pki = await ensureServerPKI(join(dir, 'tls'), { hostnames: [], ips: [] });
  const token = await ensureNodeToken(join(dir, 'node-token'), pki.caCert);
  const abort = new AbortController();
  const server = new ApiServer({
    backend: new MemoryBackend(), bindAddress: '127.0.0.1', port: 0,
    tls: { cert: pki.servingCert, key: pki.servingKey, clientCA: pki.caCert },
    identity: { ca: { cert: pki.caCert, key: pki.caKey }, nodeToken: token },
  });
  await server.start(abort.signal);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    abort.abort();
    await server.stopped;
  };
  t.after(async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  });
  return { url: `https://127.0.0.1:${server.address().port}`, token, pki, dir, server, stop };
}
