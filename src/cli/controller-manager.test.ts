import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../apiserver/testing/fixture.js';
import { writeKubeconfig } from '../apiserver/pki/index.js';
import { createLogger } from '../apimachinery/log.js';
import type { Controller } from '../client/controller.js';
import { resourceForKind } from '../client/rest.js';
import { FlagError } from './flags.js';
import { parseControllerManagerFlags, runControllerManager } from './controller-manager.js';

const env = { home: '/home/u', isTTY: false };

describe('parseControllerManagerFlags', () => {
  test('applies the Kubernetes defaults', () => {
    const f = parseControllerManagerFlags({}, env);
    assert.equal(f.kubeconfig, '/home/u/.kube/config');
    assert.equal(f.leaderElect, true);
    assert.equal(f.options.workers, 2);
    assert.equal(f.options.nodeMonitorGracePeriodSeconds, 40);
    assert.equal(f.options.defaultTolerationSeconds, 300);
    assert.equal(f.logFormat, 'json');
  });

  test('reads every flag, and $KUBECONFIG when --kubeconfig is absent', () => {
    const f = parseControllerManagerFlags({
      leaderElect: 'false', workers: '5', nodeMonitorGracePeriod: '1m30s', defaultTolerationSeconds: '60', logFormat: 'text',
    }, { ...env, kubeconfigEnv: '/etc/k.yaml:/other.yaml' });
    assert.equal(f.kubeconfig, '/etc/k.yaml');
    assert.equal(f.leaderElect, false);
    assert.equal(f.options.workers, 5);
    assert.equal(f.options.nodeMonitorGracePeriodSeconds, 90);
    assert.equal(f.options.defaultTolerationSeconds, 60);
    assert.equal(f.logFormat, 'text');
    assert.equal(parseControllerManagerFlags({ leaderElect: true, kubeconfig: 'x.yaml', nodeMonitorGracePeriod: '20' }, env).options.nodeMonitorGracePeriodSeconds, 20);
  });

  test('rejects bad values with the flag named', () => {
    assert.throws(() => parseControllerManagerFlags({ leaderElect: 'maybe' }, env), (e) => e instanceof FlagError && /--leader-elect/.test(e.message));
    assert.throws(() => parseControllerManagerFlags({ workers: '0' }, env), (e) => e instanceof FlagError && /--workers/.test(e.message));
    assert.throws(() => parseControllerManagerFlags({ nodeMonitorGracePeriod: '40x' }, env), (e) => e instanceof FlagError && /--node-monitor-grace-period/.test(e.message));
  });
});

describe('runControllerManager', () => {
  let s: TestServer;
  let dir: string;
  let kubeconfig: string;
  before(async () => {
    s = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'kite-cm-'));
    kubeconfig = join(dir, 'kubeconfig.yaml');
    await writeKubeconfig(kubeconfig, { server: `https://127.0.0.1:${s.port}`, caCert: s.pki.caCert, clientCert: s.pki.adminCert, clientKey: s.pki.adminKey });
  });
  after(async () => {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('runs the controllers over HTTPS behind the lease, then stops cleanly and releases it', async () => {
    let ranWith: { workers: number; synced: boolean } | undefined;
    const probe: Controller = {
      name: 'probe',
      async run(ctx, signal) {
        const informer = ctx.informers.informer(resourceForKind('v1', 'Namespace'));
        await ctx.informers.waitForSync(signal);
        ranWith = { workers: ctx.options.workers, synced: informer.hasSynced() };
        const ns = informer.store.get('default');
        if (ns) ctx.recorder('probe-controller').event(ns, 'Normal', 'Probed', 'seen by the probe');
        await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
      },
    };
    const lines: string[] = [];
    const logger = createLogger({ sink: { write: (l) => { lines.push(l); } }, human: true });
    const flags = parseControllerManagerFlags({ kubeconfig, workers: '3' }, env);
    const abort = new AbortController();
    const done = runControllerManager(flags, { signal: abort.signal, logger, hostname: 'cm-host', controllers: [probe] });
    const deadline = Date.now() + 10_000;
    while (!ranWith && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(ranWith, { workers: 3, synced: true });
    assert.ok(lines.some((l) => l.includes('controller-manager: started probe controller')), lines.join(''));

    const lease = (await s.request('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager')).json;
    assert.match(lease.spec.holderIdentity, /^cm-host_[0-9a-f]{16}$/);

    abort.abort();
    assert.equal(await done, 0);
    const released = (await s.request('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager')).json;
    assert.equal(released.spec.holderIdentity, undefined);
    const events = (await s.request('GET', '/api/v1/namespaces/default/events?fieldSelector=reason%3DProbed')).json;
    assert.equal(events.items.length, 1);
    assert.deepEqual(events.items[0].source, { component: 'probe-controller', host: 'cm-host' });
    assert.match(lines.at(-1)!, /stopped/);
  });

  test('a missing kubeconfig is exit code 1 with the reason', async () => {
    const lines: string[] = [];
    const logger = createLogger({ sink: { write: (l) => { lines.push(l); } }, human: true });
    const flags = parseControllerManagerFlags({ kubeconfig: join(dir, 'nope.yaml') }, env);
    assert.equal(await runControllerManager(flags, { signal: new AbortController().signal, logger, hostname: 'h', controllers: [] }), 1);
    assert.match(lines.join(''), /cannot read kubeconfig .*nope\.yaml/);
  });
});
