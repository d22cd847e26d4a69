import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { etcdBinaryAvailable, startEtcdProcess } from './process.js';

const MISSING = 'etcd binary /usr/bin/etcd not installed (apt-get install -y etcd-server)';
const available = await etcdBinaryAvailable();

test('startEtcdProcess serves on loopback and stop() ends that process and removes its directory',
  { skip: !available && !process.env.CI ? MISSING : false }, async () => {
    assert.ok(available, MISSING);
    const etcd = await startEtcdProcess();
    assert.match(etcd.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    const health = (await (await fetch(`${etcd.endpoint}/health`)).json()) as { health: string };
    assert.equal(health.health, 'true');
    assert.ok(existsSync(etcd.dataDir));
    await etcd.stop();
    assert.throws(() => process.kill(etcd.pid, 0), { code: 'ESRCH' });
    assert.equal(existsSync(etcd.dataDir), false);
  });

test('startEtcdProcess rejects when the binary is missing', async () => {
  await assert.rejects(startEtcdProcess({ binary: '/nonexistent/etcd' }), /etcd binary not found/);
});
