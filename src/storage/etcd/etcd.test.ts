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

  test('etcd backend keeps serving after many watches are cancelled at once', async () => {
    const backend = new EtcdBackend({ endpoints: [etcd.endpoint], prefix: `/kite-test-${++n}` });
    await backend.start();
    try {
      const seen: number[] = [];
      const from = (await backend.currentRevision()) + 1;
      const watches = Array.from({ length: 8 }, () => backend.watch('/w/', { startRevision: from, onEvents: (e) => seen.push(e.length), onError: () => {} }));
      await backend.create('/w/a', new TextEncoder().encode('1'));
      const deadline = Date.now() + 5000;
      while (seen.length < watches.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(seen.length, watches.length);
      for (const w of watches) w.cancel();
      // Right after, writes and reads still go through (no tripped circuit breaker).
      for (let i = 0; i < 5; i++) await backend.create(`/w/after-${i}`, new TextEncoder().encode('x'));
      assert.equal(await backend.count('/w/'), 6);
    } finally {
      await backend.close();
    }
  });
}
