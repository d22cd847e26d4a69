// The Kubelet for real: its own containerd in a temp data dir, the standard images, a CNI bridge of
// the test's own, a busybox pod run (ready through an exec readiness probe), logged and deleted,
// and nothing left behind. Needs root,
// Debian's containerd, the CNI plugins, busybox-static and gcc; skipped otherwise.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  assertNothingLeft, containerdSkip, removeAllSandboxes, removeTestDir, testPodNetwork, waitFor as waitUntil,
} from '../../test/support/containerd.js';
import { startTestServer } from '../apiserver/testing/fixture.js';
import { realClock } from '../apimachinery/clock.js';
import { silentLogger } from '../apimachinery/log.js';
import { ApiClient } from '../client/rest.js';
import { inProcessTransport } from '../client/transport.js';
import { connectCri } from './cri/client.js';
import { Kubelet } from './kubelet.js';
import { BUSYBOX_IMAGE, containerLogPath, podLogDir } from './paths.js';

const skip = containerdSkip({ cni: true });

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = any;

const waitFor = <T>(what: string, check: () => Promise<T | undefined | false>) => waitUntil(what, check, 60_000, 100);

test('Kubelet runs a busybox pod on its own containerd and leaves nothing behind', { skip, timeout: 300_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kite-kubelet-'));
  const { bridge, podCIDR, address } = testPodNetwork();
  const server = await startTestServer();
  const client = new ApiClient(inProcessTransport(() => server.server.connectInProcess({ name: 'system:node:kt-node', groups: ['system:masters'] })));
  const kubelet = new Kubelet({
    client, clock: realClock, logger: silentLogger, nodeName: 'kt-node', nodeIP: '127.0.0.1', dataDir: dir,
    cniBridge: bridge, podCIDR,
  });
  const ac = new AbortController();
  const running = kubelet.start(ac.signal);
  const socket = kubelet.paths.containerd.socket;

  t.after(async () => {
    // Best effort when the test failed half-way; the assertions below check the normal path.
    if (!ac.signal.aborted) await removeAllSandboxes(socket);
    ac.abort();
    await running.catch(() => {});
    client.close();
    await server.close();
    await removeTestDir(dir, bridge);
  });

  await kubelet.ready;
  const pods = client.kind<Obj>('v1', 'Pod');
  const pod = await pods.create('default', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'echo', namespace: 'default' },
    spec: {
      nodeName: 'kt-node', terminationGracePeriodSeconds: 2,
      containers: [{ name: 'echo', image: BUSYBOX_IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', 'echo hello from kite; exec sleep 3600'],
        readinessProbe: { exec: { command: ['test', '-d', '/proc'] }, periodSeconds: 1 } }],
      volumes: [{ name: 'scratch', emptyDir: {} }],
    },
  });
  const uid = pod.metadata.uid;
  const runningPod = await waitFor('the pod to run', async () => {
    const p = await pods.get('default', 'echo');
    return p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready && p;
  });
  assert.match(runningPod.status.podIP, address);
  const logFile = join(podLogDir(kubelet.paths, 'default', 'echo', uid), containerLogPath('echo', 0));
  await waitFor('the log line', async () => (await readFile(logFile, 'utf8')).includes('stdout F hello from kite'));
  assert.ok(existsSync(join(kubelet.paths.pods, uid, 'volumes')));

  await pods.delete('default', 'echo');
  await waitFor('the pod object to go', async () => pods.get('default', 'echo').then(() => false, () => true));
  const cri = connectCri(`unix://${socket}`, { defaultTimeoutMs: 30_000 });
  try {
    assert.deepEqual((await cri.runtime.listPodSandbox({})).items, []);
    assert.deepEqual((await cri.runtime.listContainers({})).containers, []);
  } finally {
    cri.close();
  }
  assert.equal(existsSync(join(kubelet.paths.pods, uid)), false, 'the pod directory is removed');
  assert.equal(existsSync(podLogDir(kubelet.paths, 'default', 'echo', uid)), false, 'the pod logs are removed');

  ac.abort();
  await running;
  assert.equal(existsSync(socket), false, 'containerd stopped');
  await assertNothingLeft(dir, { bridge });
  const cgroups = (await readdir('/sys/fs/cgroup')).flatMap((h) => ['kubepods/besteffort', 'kubepods'].map((q) => `/sys/fs/cgroup/${h}/${q}/pod${uid}`));
  assert.deepEqual(cgroups.filter((c) => existsSync(c)), [], 'the pod cgroups are removed');
});
