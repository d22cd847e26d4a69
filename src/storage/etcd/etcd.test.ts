import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runBackendConformance } from '../conformance.js';
import { EtcdBackend } from './etcd.js';
import { etcdBinaryAvailable, startEtcdProcess, type EtcdProcess } from './process.js';

const MISSING = 'etcd binary /usr/bin/etcd not installed (apt-get install -y etcd-server)';

if (!(await etcdBinaryAvailable())) {
  // CI must run against a real etcd; elsewhere a missing binary only skips these tests.
  if (process.env.CI) test('etcd binary is installed', () => assert.fail(MISSING));
  else test('etcd backend conformance', { skip: MISSING }, () => {});
} else {
  let etcd: EtcdProcess;
  before(async () => { etcd = await startEtcdProcess(); });
  after(async () => { await etcd?.stop(); });

  // One etcd serves every test; a key prefix per test keeps them apart.
  let n = 0;
  runBackendConformance('etcd', async () => {
    const backend = new EtcdBackend({ endpoints: [etcd.endpoint], prefix: `/kite-test-${++n}` });
    return { backend, cleanup: () => backend.close() };
  });
}
