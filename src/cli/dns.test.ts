import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKubeconfig } from '../apiserver/pki/index.js';
import { startTestServer, type TestServer } from '../apiserver/testing/fixture.js';
import { createLogger } from '../apimachinery/log.js';
import { queryUdp, startFakeUpstream } from '../dns/testing.js';
import { parseDnsFlags, runDns } from './dns.js';
import { FlagError } from './flags.js';

const env = { home: '/home/u', isTTY: false };

describe('kite dns', () => {
  test('flags: defaults, repeated addresses, and bad values refused', () => {
    const f = parseDnsFlags({}, env);
    assert.equal(f.kubeconfig, '/home/u/.kube/config');
    assert.deepEqual(f.listen, ['127.0.0.1:5353']);
    assert.equal(f.clusterDomain, 'cluster.local');
    assert.equal(f.upstreams, undefined);
    const g = parseDnsFlags({ listen: ['10.43.0.10:53', '127.0.0.1:53'], upstream: ['[::1]:53'], clusterDomain: 'corp.example.' }, { ...env, kubeconfigEnv: '/k.yaml' });
    assert.deepEqual(g.listen, ['10.43.0.10:53', '127.0.0.1:53']);
    assert.deepEqual(g.upstreams, ['[::1]:53']);
    assert.equal(g.clusterDomain, 'corp.example');
    assert.equal(g.kubeconfig, '/k.yaml');
    assert.throws(() => parseDnsFlags({ listen: ['nope'] }, env), FlagError);
    assert.throws(() => parseDnsFlags({ clusterDomain: 'bad domain' }, env), FlagError);
  });

  let s: TestServer;
  let dir: string;
  before(async () => {
    s = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'kite-dns-cli-'));
  });
  after(async () => {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('serves the cluster zone over HTTPS informers and forwards to the resolv.conf nameservers but itself', async () => {
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    await writeKubeconfig(kubeconfig, { server: `https://127.0.0.1:${s.port}`, caCert: s.pki.caCert, clientCert: s.pki.adminCert, clientKey: s.pki.adminKey });
    const upstream = await startFakeUpstream((q) => [{ type: 'A', name: q.name, ttl: 30, data: '192.0.2.7' }]);
    const resolvConf = join(dir, 'resolv.conf');
    await writeFile(resolvConf, `nameserver 10.43.0.10\nnameserver 127.0.0.1\n`);
    const lines: string[] = [];
    const logger = createLogger({ sink: { write: (l) => { lines.push(l); } }, human: false });
    const abort = new AbortController();
    // Port 53 of resolv.conf is not the fake upstream's: an explicit --upstream is used for that check.
    const flags = parseDnsFlags({ kubeconfig, listen: ['127.0.0.1:0'], upstream: [`127.0.0.1:${upstream.port}`], resolvConf }, env);
    const done = runDns(flags, { signal: abort.signal, logger });
    let port = 0;
    const deadline = Date.now() + 15_000;
    while (!port && Date.now() < deadline) {
      const serving = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'serving');
      if (serving) port = Number(String(serving.udp[0]).split(':').pop());
      else await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(port > 0, lines.join(''));
    const k = await queryUdp(port, 'kubernetes.default.svc.cluster.local', 'A');
    assert.equal(k.answers?.length, 1);
    const ext = await queryUdp(port, 'www.example.test', 'A');
    assert.deepEqual(ext.answers?.map((a) => (a as { data: string }).data), ['192.0.2.7']);
    abort.abort();
    assert.equal(await done, 0);
    await upstream.close();
  });
});
