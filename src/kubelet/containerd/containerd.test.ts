// The agent's own containerd, for real: started in a temp dir, asked through the CRI, running a
// pod on a CNI bridge, restarted after it dies, stopped, and nothing left behind. Needs root,
// Debian's containerd and the CNI plugins; skipped otherwise.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  assertNothingLeft, CONTAINERD, containerdSkip, importStandardImages, linkExists, netnsNames, processesUsing, removeTestDir,
  startTestContainerd, testPodNetwork, waitFor,
} from '../../../test/support/containerd.js';
import { realClock } from '../../apimachinery/clock.js';
import { connectCri, type CriClient } from '../cri/client.js';
import type { Input, PodSandboxConfig } from '../cri/types.js';
import { agentPaths, BUSYBOX_IMAGE, containerLogPath, PAUSE_IMAGE, podLogDir } from '../paths.js';
import { cniConfList, writeCniConfig } from './cni.js';
import { Containerd } from './containerd.js';

const skip = containerdSkip({ cni: true });

test('Containerd runs a pod through the CRI and leaves nothing behind', { skip, timeout: 180_000 }, async (t) => {
  const { bridge, podCIDR, prefix, address } = testPodNetwork();
  const netnsBefore = await netnsNames();
  const tc = await startTestContainerd('kite-cd-', {
    stopGraceMs: 10_000,
    backoff: { minMs: 100, maxMs: 1000, resetAfterMs: 60_000 },
  });
  const { dir, paths, containerd } = tc;
  let cri: CriClient | undefined;

  t.after(async () => {
    // Best effort when the test failed half-way; the assertions below check the normal path.
    cri?.close();
    await tc.cleanup(bridge);
  });

  await containerd.ready;
  assert.equal(containerd.endpoint, `unix://${paths.containerd.socket}`);
  assert.match(await readFile(paths.containerd.config, 'utf8'), /restrict_oom_score_adj = true/);
  cri = connectCri(containerd.endpoint, { defaultTimeoutMs: 30_000 });

  const version = await cri.runtime.version({ version: 'v1' });
  assert.equal(version.runtimeApiVersion, 'v1');
  assert.equal(version.runtimeName, 'containerd');
  const conditions = async () =>
    Object.fromEntries(((await cri!.runtime.status({})).status?.conditions ?? []).map((c) => [c.type, c.status]));
  assert.equal((await conditions()).RuntimeReady, true);
  assert.equal((await conditions()).NetworkReady, false, 'no CNI config yet');
  assert.deepEqual((await cri.images.listImages({})).images, []);

  // The pod network: containerd notices the conflist and turns NetworkReady.
  await writeCniConfig(paths.cniConfDir, cniConfList({ name: 'kite', bridge, podCIDR, ipamDataDir: join(dir, 'cni-ipam') }));
  await waitFor('NetworkReady', async () => (await conditions()).NetworkReady === true);

  await importStandardImages(tc, ['pause', 'busybox']);
  const names = (await cri.images.listImages({})).images.flatMap((i) => i.repoTags);
  assert.ok(names.includes(PAUSE_IMAGE) && names.includes(BUSYBOX_IMAGE), names.join(', '));
  assert.ok((await cri.images.imageStatus({ image: { image: BUSYBOX_IMAGE } })).image);
  assert.equal((await cri.images.imageStatus({ image: { image: 'kite.local/absent:1' } })).image, null);

  const uid = `uid-${bridge}`;
  const logDirectory = podLogDir(paths, 'default', 'echo', uid);
  await mkdir(join(logDirectory, 'echo'), { recursive: true });
  const sandboxConfig: Input<PodSandboxConfig> = {
    metadata: { name: 'echo', namespace: 'default', uid, attempt: 0 },
    hostname: 'echo',
    logDirectory,
    labels: { 'io.kubernetes.pod.uid': uid },
    linux: { securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
  };
  const { podSandboxId } = await cri.runtime.runPodSandbox({ config: sandboxConfig });
  const sandbox = (await cri.runtime.podSandboxStatus({ podSandboxId })).status;
  assert.equal(sandbox?.state, 'SANDBOX_READY');
  assert.match(sandbox?.network?.ip ?? '', address);
  assert.ok(linkExists(bridge), 'the bridge plugin created the bridge');

  const { containerId } = await cri.runtime.createContainer({
    podSandboxId,
    sandboxConfig,
    config: {
      metadata: { name: 'echo', attempt: 0 },
      image: { image: BUSYBOX_IMAGE },
      command: ['/bin/sh', '-c'],
      args: ['echo hello from $GREETER; exec sleep 3600'],
      envs: [{ key: 'GREETER', value: 'kite' }],
      logPath: containerLogPath('echo', 0),
      linux: { resources: { memoryLimitInBytes: 64 * 1024 * 1024 } },
    },
  });
  await cri.runtime.startContainer({ containerId });
  const logFile = join(logDirectory, containerLogPath('echo', 0));
  const line = await waitFor('the container log line', async () =>
    (await readFile(logFile, 'utf8')).split('\n').find((l) => l.endsWith(' hello from kite')));
  assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d) stdout F hello from kite$/);

  const exec = await cri.runtime.execSync({ containerId, cmd: ['echo', 'hi'], timeout: 10 });
  assert.equal(exec.stdout.toString(), 'hi\n');
  assert.equal(exec.exitCode, 0);
  assert.equal((await cri.runtime.execSync({ containerId, cmd: ['sh', '-c', 'exit 3'] })).exitCode, 3);
  assert.match((await cri.runtime.exec({ containerId, cmd: ['sh'], stdout: true })).url, /^http:\/\/127\.0\.0\.1:\d+\//);
  const status = (await cri.runtime.containerStatus({ containerId })).status;
  assert.equal(status?.state, 'CONTAINER_RUNNING');
  assert.equal(status?.logPath, logFile);
  assert.equal((await cri.runtime.listContainers({ filter: { podSandboxId } })).containers.length, 1);

  // containerd dies: the supervisor starts it again, and the container kept running meanwhile.
  const firstPid = Number((await readFile(join(paths.containerd.dir, 'containerd.pid'), 'utf8')).trim());
  assert.ok((await readFile(`/proc/${firstPid}/cmdline`, 'utf8')).includes(paths.containerd.config));
  process.kill(firstPid, 'SIGKILL');
  await waitFor('a new containerd', async () => {
    const pid = Number((await readFile(join(paths.containerd.dir, 'containerd.pid'), 'utf8')).trim());
    return pid !== firstPid && (await cri!.runtime.version({}, { timeoutMs: 1000 })).runtimeApiVersion === 'v1';
  });
  assert.equal((await cri.runtime.containerStatus({ containerId })).status?.state, 'CONTAINER_RUNNING');
  assert.equal((await cri.runtime.execSync({ containerId, cmd: ['echo', 'still here'] })).stdout.toString(), 'still here\n');

  await cri.runtime.stopContainer({ containerId, timeout: 1 });
  const stopped = (await cri.runtime.containerStatus({ containerId })).status;
  assert.equal(stopped?.state, 'CONTAINER_EXITED');
  await cri.runtime.removeContainer({ containerId });
  await assert.rejects(cri.runtime.containerStatus({ containerId }), (err: { code?: number }) => err.code === 5);
  await cri.runtime.stopPodSandbox({ podSandboxId });
  await cri.runtime.removePodSandbox({ podSandboxId });
  assert.deepEqual((await cri.runtime.listPodSandbox({})).items, []);
  cri.close();
  cri = undefined;

  await tc.stop();
  await assert.rejects(connectCri(containerd.endpoint).runtime.version({}, { timeoutMs: 500 }));
  await assertNothingLeft(dir, { bridge, netnsBefore, natPrefix: prefix });
});

test('Containerd restarts a containerd that keeps exiting, with backoff, until stopped', { timeout: 30_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kite-cd-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const restarts: Record<string, unknown>[] = [];
  const logger = {
    debug() {},
    info() {},
    warn(msg: string, fields?: Record<string, unknown>) { if (msg.includes('restarting')) restarts.push(fields ?? {}); },
    error() {},
    with() { return logger; },
  };
  const ac = new AbortController();
  const containerd = new Containerd({
    paths: agentPaths(dir),
    logger,
    clock: realClock,
    binary: '/bin/false',
    backoff: { minMs: 10, maxMs: 40, resetAfterMs: 60_000 },
  });
  const running = containerd.start(ac.signal);
  await waitFor('four restarts', async () => restarts.length >= 4);
  assert.deepEqual(restarts.slice(0, 4).map((r) => r.inMs), [10, 20, 40, 40]);
  assert.equal(restarts[0]!.code, 1);
  ac.abort();
  await running;
  await assert.rejects(containerd.ready, /stopped before it was ready/);
  assert.equal(existsSync(join(dir, 'agent', 'containerd', 'containerd.pid')), false);
});

test('Containerd ends a containerd left running by an agent that died, and starts its own', { skip, timeout: 60_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kite-cd-'));
  const paths = agentPaths(dir);
  const first = new Containerd({ paths, clock: realClock });
  // What the earlier agent left: its containerd, still running, and the pid file naming it.
  await mkdir(paths.containerd.dir, { recursive: true });
  await writeFile(paths.containerd.config, first.configText());
  const orphan = spawn(CONTAINERD, ['--config', paths.containerd.config], { stdio: 'ignore', detached: true });
  const orphanExit = new Promise((resolve) => orphan.once('exit', resolve));
  await writeFile(join(paths.containerd.dir, 'containerd.pid'), `${orphan.pid}\n`);
  const probe = connectCri(first.endpoint);
  await waitFor('the orphan containerd', async () => (await probe.runtime.version({}, { timeoutMs: 1000 })).runtimeApiVersion === 'v1');
  probe.close();

  const ac = new AbortController();
  const running = first.start(ac.signal);
  t.after(async () => {
    ac.abort();
    await running.catch(() => {});
    if (orphan.exitCode === null && orphan.signalCode === null) orphan.kill('SIGKILL');
    await removeTestDir(dir);
  });
  await first.ready;
  await orphanExit;
  const pid = Number((await readFile(join(paths.containerd.dir, 'containerd.pid'), 'utf8')).trim());
  assert.notEqual(pid, orphan.pid);
  const cri = connectCri(first.endpoint);
  assert.equal((await cri.runtime.version({})).runtimeApiVersion, 'v1');
  cri.close();
  ac.abort();
  await running;
  assert.deepEqual(await processesUsing(dir), []);
});
