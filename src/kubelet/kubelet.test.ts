import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../apiserver/testing/fixture.js';
import { FakeClock } from '../apimachinery/clock.js';
import { silentLogger } from '../apimachinery/log.js';
import { ApiClient } from '../client/rest.js';
import { inProcessTransport } from '../client/transport.js';
import { Kubelet } from './kubelet.js';
import { POD_UID_LABEL } from './pods/labels.js';
import { FakeCri } from './runtime/testing.js';
import { VolumeManager } from './volumes/manager.js';
import { fakeMounter, fakeTokenSource } from './volumes/testing.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = any;

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('kubelet on a fake CRI', () => {
  let s: TestServer;
  let client: ApiClient;
  let dir: string;
  const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));
  const cri = new FakeCri(clock);
  let stopKubelet: () => Promise<void> = async () => {};

  function startKubelet(): Kubelet {
    const paths = { dataDir: dir };
    const kubelet = new Kubelet({
      client, clock, logger: silentLogger, nodeName: 'node-k', nodeIP: '192.168.7.7', ...paths, cri: cri.services(),
      volumes: new VolumeManager({ client, clock, logger: silentLogger, paths: new Kubelet({ client, clock, logger: silentLogger, nodeName: 'x', ...paths }).paths, mount: fakeMounter(), tokens: fakeTokenSource() }),
    });
    const stop = new AbortController();
    const done = kubelet.start(stop.signal);
    stopKubelet = async () => { stop.abort(); await done; };
    return kubelet;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kite-kubelet-'));
    s = await startTestServer();
    client = new ApiClient(inProcessTransport(() => s.server.connectInProcess({ name: 'system:node:node-k', groups: ['system:masters'] })));
    cri.addImage('kite.local/busybox:1.35');
    await startKubelet().ready;
  });

  after(async () => {
    await stopKubelet();
    client.close();
    await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  const pods = () => client.kind<Obj>('v1', 'Pod');
  const getPod = (name: string) => pods().get('default', name).catch(() => undefined);

  /** Lets the kubelet work, moving the fake clock `stepMs` a round, until `check` holds. */
  async function until<T>(check: () => Promise<T | undefined | false>, stepMs = 0, rounds = 300): Promise<T> {
    for (let i = 0; i < rounds; i++) {
      const v = await check();
      if (v) return v;
      clock.advance(stepMs || (i % 10 === 9 ? 1000 : 0));
      await tick();
    }
    throw new Error('condition never held');
  }

  async function createPod(name: string, spec: Obj = {}): Promise<Obj> {
    return pods().create('default', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
      spec: { nodeName: 'node-k', containers: [{ name: 'main', image: 'kite.local/busybox:1.35', command: ['sleep', '3600'] }], ...spec },
    });
  }

  const events = async (name: string) => (await client.kind<Obj>('v1', 'Event').list('default')).items
    .filter((e: Obj) => e.involvedObject?.name === name).map((e: Obj) => `${e.reason}: ${e.message}`);

  it('brings a pod from Pending to Running with its status, IP and events', async () => {
    await createPod('web');
    const pod = await until(async () => { const p = await getPod('web'); return p?.status?.phase === 'Running' && p; });
    const cs = pod.status.containerStatuses[0];
    assert.equal(cs.name, 'main');
    assert.ok(cs.state.running);
    assert.equal(cs.ready, true);
    assert.equal(cs.restartCount, 0);
    assert.match(cs.containerID, /^containerd:\/\//);
    assert.match(pod.status.podIP, /^10\.42\.0\.\d+$/);
    assert.equal(pod.status.hostIP, '192.168.7.7');
    assert.equal(pod.status.qosClass, 'BestEffort');
    const ready = pod.status.conditions.find((c: Obj) => c.type === 'Ready');
    assert.equal(ready.status, 'True');
    const ev = await until(async () => { const e = await events('web'); return e.some((x) => x.startsWith('Started')) && e; });
    assert.ok(ev.includes('Pulled: Container image "kite.local/busybox:1.35" already present on machine'), ev.join('\n'));
    assert.ok(ev.includes('Created: Created container: main'));
    assert.equal(cri.count('runPodSandbox'), 1);
    const sb = [...cri.sandboxes.values()][0]!;
    assert.equal(sb.config.metadata?.name, 'web');
  });

  it('backs a crashing container off with growing delays', async () => {
    cri.behaviour = (c) => (c.config.metadata?.name === 'crash' ? { exitCode: 1 } : undefined);
    await createPod('crashy', { containers: [{ name: 'crash', image: 'kite.local/busybox:1.35' }] });
    const waiting = async (msg: RegExp) => until(async () => {
      const p = await getPod('crashy');
      const w = p?.status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === 'CrashLoopBackOff' && msg.test(w.message) && p;
    });
    // The first exit restarts at once (restartCount 1), then waits 10 s, then 20 s.
    let p = await waiting(/back-off 10s restarting failed container=crash pod=crashy_default/);
    assert.equal(p.status.containerStatuses[0].restartCount, 1);
    assert.equal(p.status.containerStatuses[0].lastState.terminated.exitCode, 1);
    assert.equal(p.status.phase, 'Running');
    const created = cri.count('createContainer');
    clock.advance(10_000);
    p = await waiting(/back-off 20s/);
    assert.equal(p.status.containerStatuses[0].restartCount, 2);
    assert.ok(cri.count('createContainer') > created);
    const ev = await events('crashy');
    assert.ok(ev.some((e) => /^BackOff: Back-off restarting failed container crash in pod crashy_default/.test(e)), ev.join('\n'));
    cri.behaviour = () => undefined;
  });

  it('ends Never and OnFailure pods in Failed and Succeeded and stops their sandboxes', async () => {
    cri.behaviour = (c) => (c.config.metadata?.name === 'fail' ? { exitCode: 2 } : c.config.metadata?.name === 'ok' ? { exitCode: 0 } : undefined);
    await createPod('never', { restartPolicy: 'Never', containers: [{ name: 'fail', image: 'kite.local/busybox:1.35' }] });
    await createPod('onfailure', { restartPolicy: 'OnFailure', containers: [{ name: 'ok', image: 'kite.local/busybox:1.35' }] });
    const never = await until(async () => { const p = await getPod('never'); return p?.status?.phase === 'Failed' && p; });
    assert.equal(never.status.containerStatuses[0].state.terminated.exitCode, 2);
    assert.equal(never.status.containerStatuses[0].restartCount, 0);
    const done = await until(async () => { const p = await getPod('onfailure'); return p?.status?.phase === 'Succeeded' && p; });
    assert.equal(done.status.containerStatuses[0].state.terminated.reason, 'Completed');
    const sandboxOf = (p: Obj) => [...cri.sandboxes.values()].find((x) => x.config.metadata?.uid === p.metadata.uid);
    await until(async () => !sandboxOf(never)?.ready && !sandboxOf(done)?.ready);
    // Nothing is started again.
    const createdFor = () => cri.calls.filter((c) => c.method === 'createContainer' && ['fail', 'ok'].includes((c.req as Obj).config.metadata.name)).length;
    const created = createdFor();
    assert.equal(created, 2);
    clock.advance(30_000);
    for (let i = 0; i < 20; i++) await tick();
    assert.equal(createdFor(), created);
    cri.behaviour = () => undefined;
  });

  it('stops a deleted pod within its grace period and deletes the pod object', async () => {
    const pod = await createPod('graceful', { terminationGracePeriodSeconds: 45 });
    await until(async () => (await getPod('graceful'))?.status?.phase === 'Running');
    const stops = cri.count('stopContainer');
    await pods().delete('default', 'graceful');
    await until(async () => (await getPod('graceful')) === undefined);
    const stop = cri.calls.slice().reverse().find((c) => c.method === 'stopContainer') as Obj;
    assert.ok(cri.count('stopContainer') > stops);
    assert.equal(stop.req.timeout, 45);
    assert.equal([...cri.sandboxes.values()].some((x) => x.config.metadata?.uid === pod.metadata.uid), false);
    assert.equal([...cri.containers.values()].some((x) => x.config.labels[POD_UID_LABEL] === pod.metadata.uid), false);
  });

  it('adopts running containers after a restart without creating duplicates', async () => {
    await until(async () => (await getPod('web'))?.status?.phase === 'Running');
    await stopKubelet();
    const web = await getPod('web');
    const forWeb = () => cri.calls.filter((c) => c.method === 'createContainer' && (c.req as Obj).config.labels[POD_UID_LABEL] === web.metadata.uid).length;
    const sandboxes = cri.count('runPodSandbox');
    const created = forWeb();
    await startKubelet().ready;
    clock.advance(10_000);
    for (let i = 0; i < 30; i++) await tick();
    const after = await getPod('web');
    assert.equal(after.status.phase, 'Running');
    assert.equal(after.status.containerStatuses[0].containerID, web.status.containerStatuses[0].containerID);
    assert.equal(cri.count('runPodSandbox'), sandboxes);
    assert.equal(forWeb(), created);
  });

  it('removes sandboxes of pods not bound here', async () => {
    const svc = cri.services();
    const { podSandboxId } = await svc.runtime.runPodSandbox({ config: { metadata: { name: 'ghost', namespace: 'default', uid: 'ghost-uid', attempt: 0 }, labels: { [POD_UID_LABEL]: 'ghost-uid' } } });
    await until(async () => !cri.sandboxes.has(podSandboxId), 1000);
  });

  it('reports ErrImageNeverPull and ErrImagePull', async () => {
    await createPod('never-pull', { containers: [{ name: 'main', image: 'missing/image:1', imagePullPolicy: 'Never' }] });
    await createPod('pull', { containers: [{ name: 'main', image: 'missing/other:1', imagePullPolicy: 'IfNotPresent' }] });
    await until(async () => (await getPod('never-pull'))?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImageNeverPull');
    await until(async () => /ErrImagePull|ImagePullBackOff/.test((await getPod('pull'))?.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? ''));
    const p = await getPod('pull');
    assert.equal(p.status.phase, 'Pending');
  });
});
