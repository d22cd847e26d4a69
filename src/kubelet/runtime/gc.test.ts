import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../apimachinery/clock.js';
import { silentLogger } from '../../apimachinery/log.js';
import { agentPaths, podDir, type AgentPaths } from '../paths.js';
import { containerConfig } from '../pods/container.js';
import { parseResolvConf } from '../pods/dns.js';
import { podSandboxConfig } from '../pods/sandbox.js';
import { computePodStatus } from '../pods/status.js';
import { ContainerGC, IN_FLIGHT_MS } from './gc.js';
import { RuntimeManager } from './manager.js';
import { FakeCri } from './testing.js';

const IMAGE = 'kite.local/busybox:1.35';
const spec: Container = { name: 'app', image: IMAGE, command: ['sh', '-c', 'exit 1'] };
const pod: Pod = { metadata: { name: 'crash', namespace: 'ns', uid: 'u1' }, spec: { containers: [spec] } };
const dns = { servers: [], domain: 'cluster.local', host: parseResolvConf('') };

let root = '';
let paths: AgentPaths;
before(async () => { root = await mkdtemp(join(tmpdir(), 'kite-gc-')); });
after(async () => { await rm(root, { recursive: true, force: true }); });

interface Env { clock: FakeClock; cri: FakeCri; runtime: RuntimeManager; gc: ContainerGC }
let env: Env;

beforeEach(async () => {
  paths = agentPaths(join(root, String(Math.random()).slice(2)));
  const clock = new FakeClock(1_700_000_000_000);
  const cri = new FakeCri(clock);
  cri.addImage(IMAGE);
  const runtime = new RuntimeManager(cri.services(), silentLogger);
  env = { clock, cri, runtime, gc: new ContainerGC({ runtime, clock, logger: silentLogger, logsDir: paths.logs, podsDir: paths.pods }) };
});

async function runSandbox(attempt = 0): Promise<string> {
  const { id } = await env.runtime.runSandbox(podSandboxConfig(pod, { paths, dns, attempt }));
  env.clock.advance(1_000);
  return id;
}

/** Creates and starts instance `n` (its restart count) with its files; `exit` makes it exit at once. */
async function instance(sandboxId: string, n: number, opts: { exit?: number; message?: string; start?: boolean; termPath?: string } = {}): Promise<{ id: string; log: string; term: string }> {
  const term = opts.termPath ?? join(podDir(paths, 'u1'), 'containers', 'app', `t${n}`);
  await mkdir(dirname(term), { recursive: true });
  await writeFile(term, opts.message ?? '');
  const sbConfig = podSandboxConfig(pod, { paths, dns, attempt: 0 });
  const config = containerConfig(pod, spec, { restartCount: n, env: [], volumes: new Map(), terminationLogPath: term, machineMemoryBytes: 1 << 30 });
  const log = join(sbConfig.logDirectory, config.logPath);
  await mkdir(dirname(log), { recursive: true });
  await writeFile(log, `2024-01-01T00:00:00Z stdout F run ${n}\n`);
  const id = await env.runtime.createContainer(sandboxId, config, sbConfig);
  if (opts.start !== false) await env.runtime.startContainer(id);
  if (opts.exit !== undefined) {
    env.clock.advance(100);
    env.cri.exit(id, opts.exit);
  }
  env.clock.advance(1_000);
  return { id, log, term };
}

const ids = () => [...env.cri.containers.keys()].sort();
const logs = () => readdirSync(join(podSandboxConfig(pod, { paths, dns, attempt: 0 }).logDirectory, 'app')).sort();

async function status(withBackoff: boolean) {
  const state = await env.runtime.podState('u1');
  const syncFailures = new Map(withBackoff ? [['app', { reason: 'CrashLoopBackOff', message: 'back-off' }]] : []);
  const s = computePodStatus({ pod, state, now: env.clock.now(), hostIPs: [], syncFailures });
  return s.containerStatuses?.[0];
}

describe('ContainerGC', () => {
  it('keeps the running container and the newest dead one, removing older ones with their files; status is unchanged', async () => {
    const sb = await runSandbox();
    const old = [await instance(sb, 0, { exit: 1 }), await instance(sb, 1, { exit: 1 })];
    const previous = await instance(sb, 2, { exit: 3, message: 'bye' });
    const current = await instance(sb, 3);
    const before = await status(false);
    assert.equal(before?.restartCount, 3);
    assert.equal(before?.lastState?.terminated?.message, 'bye');

    const r = await env.gc.collect();
    assert.deepEqual(r.containers.sort(), old.map((c) => c.id).sort());
    assert.deepEqual(ids(), [previous.id, current.id].sort());
    for (const c of old) assert.equal(existsSync(c.log) || existsSync(c.term), false, 'the old files are removed');
    for (const c of [previous, current]) assert.ok(existsSync(c.log) && existsSync(c.term), 'the kept files stay');
    assert.deepEqual(await status(false), before);

    // A second round finds nothing more.
    assert.deepEqual(await env.gc.collect(), { containers: [], sandboxes: [] });
  });

  it('keeps only the newest instance of a crash-looping container; restartCount and lastState stay as they were', async () => {
    const sb = await runSandbox();
    for (let n = 0; n < 3; n++) await instance(sb, n, { exit: 1 });
    const newest = await instance(sb, 3, { exit: 2 });
    const before = await status(true);
    assert.equal(before?.restartCount, 3);
    assert.equal(before?.state?.waiting?.reason, 'CrashLoopBackOff');
    assert.equal(before?.lastState?.terminated?.exitCode, 2);
    await env.gc.collect();
    assert.deepEqual(ids(), [newest.id]);
    assert.deepEqual(await status(true), before);
    // `logs --previous` reads the log before the newest one: it stays; older ones go.
    assert.deepEqual(logs(), ['2.log', '3.log']);
  });

  it('never touches running containers, nor one created a moment ago (being started)', async () => {
    const sb = await runSandbox();
    await instance(sb, 0, { exit: 1 });
    const dead = await instance(sb, 1, { exit: 1 });
    const starting = await instance(sb, 2, { start: false });
    await env.gc.collect();
    assert.deepEqual(ids(), [dead.id, starting.id].sort(), 'the one being started does not count as dead');
    // A container left created long enough counts as dead, and as the newest it is kept.
    env.clock.advance(IN_FLIGHT_MS);
    await env.gc.collect();
    assert.deepEqual(ids(), [starting.id]);

    const running = await instance(sb, 3);
    env.clock.advance(10 * IN_FLIGHT_MS);
    await env.gc.collect();
    assert.ok(ids().includes(running.id));
  });

  it('keeps every container name and every pod apart', async () => {
    const sb = await runSandbox();
    const a = await instance(sb, 0, { exit: 1 });
    const other: Pod = { metadata: { name: 'other', namespace: 'ns', uid: 'u2' }, spec: { containers: [spec] } };
    const sbConfig = podSandboxConfig(other, { paths, dns, attempt: 0 });
    const { id: sb2 } = await env.runtime.runSandbox(sbConfig);
    const b = await env.runtime.createContainer(sb2, containerConfig(other, spec, { restartCount: 0, env: [], volumes: new Map(), machineMemoryBytes: 1 << 30 }), sbConfig);
    await env.runtime.startContainer(b);
    env.cri.exit(b, 1);
    await env.gc.collect();
    assert.deepEqual(ids(), [a.id, b].sort());
  });

  it('leaves a termination-message file that is not the kubelet\'s own (a volume) alone', async () => {
    const sb = await runSandbox();
    const outside = join(root, 'volume-file');
    const c = await instance(sb, 0, { exit: 1, termPath: outside });
    await instance(sb, 1, { exit: 1 });
    await env.gc.collect();
    assert.equal(env.cri.containers.has(c.id), false);
    assert.ok(existsSync(outside));
    assert.ok(existsSync(c.log), 'the log before the newest stays for logs --previous');
  });

  it('removes a pod\'s NotReady sandboxes without containers, except its newest', async () => {
    const empty = await runSandbox(0);
    await env.runtime.stopSandbox(empty);
    const holding = await runSandbox(1);
    const kept = await instance(holding, 0, { exit: 1 });
    await env.runtime.stopSandbox(holding);
    const newest = await runSandbox(2);
    await env.runtime.stopSandbox(newest);
    const r = await env.gc.collect();
    assert.deepEqual(r.sandboxes, [empty]);
    assert.deepEqual([...env.cri.sandboxes.keys()].sort(), [holding, newest].sort());
    assert.ok(env.cri.containers.has(kept.id));

    // Once its last container is gone, the older sandbox goes too; the newest stays even when NotReady.
    await instance(await runSandbox(3), 1, { exit: 1 });
    const r2 = await env.gc.collect();
    assert.deepEqual(r2.containers, [kept.id]);
    assert.deepEqual(r2.sandboxes.sort(), [holding, newest].sort());
  });
});
