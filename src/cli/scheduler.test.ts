import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKubeconfig } from '../apiserver/pki/index.js';
import { startTestServer, type TestServer } from '../apiserver/testing/fixture.js';
import { createLogger, silentLogger } from '../apimachinery/log.js';
import { MemoryBackend } from '../storage/memory/memory.js';
import { defaultComponents, type ServerComponents } from './components.js';
import { FlagError, parseServerFlags } from './flags.js';
import { loadSchedulerProfiles, parseSchedulerFlags, runScheduler } from './scheduler.js';
import { runServer } from './server.js';

const env = { home: '/home/u', isTTY: false };
const configHead = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';

async function until<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('parseSchedulerFlags', () => {
  const cases: { name: string; raw: Parameters<typeof parseSchedulerFlags>[0]; kubeconfigEnv?: string; want: Partial<ReturnType<typeof parseSchedulerFlags>> }[] = [
    { name: 'defaults', raw: {}, want: { kubeconfig: '/home/u/.kube/config', leaderElect: true, logFormat: 'json' } },
    { name: '$KUBECONFIG when --kubeconfig is absent', raw: {}, kubeconfigEnv: ':/etc/k.yaml:/o.yaml', want: { kubeconfig: '/etc/k.yaml' } },
    { name: 'every flag', raw: { kubeconfig: 'a.yaml', context: 'c', config: 's.yaml', leaderElect: 'false', logFormat: 'text' }, want: { kubeconfig: 'a.yaml', context: 'c', config: 's.yaml', leaderElect: false, logFormat: 'text' } },
    { name: '--leader-elect alone', raw: { leaderElect: true }, want: { leaderElect: true } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const f = parseSchedulerFlags(c.raw, { ...env, kubeconfigEnv: c.kubeconfigEnv });
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual(f[k as keyof typeof f], v, k);
    });
  }
  test('rejects a bad --leader-elect', () => {
    assert.throws(() => parseSchedulerFlags({ leaderElect: 'sometimes' }, env), (e) => e instanceof FlagError && /--leader-elect/.test(e.message));
  });
});

describe('loadSchedulerProfiles', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'kite-sched-cfg-')); });
  after(() => rm(dir, { recursive: true, force: true }));

  const cases: { name: string; text?: string; error?: RegExp; names?: string[] }[] = [
    { name: 'a good file', text: `${configHead}profiles: [{ schedulerName: a }, { schedulerName: b }]\n`, names: ['a', 'b'] },
    { name: 'a missing file', error: /^--config: cannot read .*missing\.yaml/ },
    { name: 'an unknown plugin', text: `${configHead}profiles: [{ plugins: { score: { enabled: [{ name: Nope }] } } }]\n`, error: /^--config: .*\.yaml: profiles\[0\]\.plugins\.score\.enabled\[0\]\.name: unknown plugin "Nope"/ },
    { name: 'a plugin at a point it lacks', text: `${configHead}profiles: [{ plugins: { bind: { enabled: [{ name: NodeName }] } } }]\n`, error: /NodeName does not implement bind/ },
  ];
  for (const [i, c] of cases.entries()) {
    test(c.name, async () => {
      const path = join(dir, c.text === undefined ? 'missing.yaml' : `c${i}.yaml`);
      if (c.text !== undefined) await writeFile(path, c.text);
      if (c.error) {
        await assert.rejects(loadSchedulerProfiles('--config', path, silentLogger), (e) => e instanceof FlagError && c.error!.test(e.message));
      } else {
        assert.deepEqual((await loadSchedulerProfiles('--config', path, silentLogger)).map((p) => p.schedulerName), c.names);
      }
    });
  }
});

const nodeBody = (name: string) => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, capacity: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
});
const podBody = (name: string, schedulerName?: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...(schedulerName ? { schedulerName } : {}) },
});

describe('runScheduler', () => {
  let s: TestServer;
  let dir: string;
  let kubeconfig: string;
  before(async () => {
    s = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'kite-sched-'));
    kubeconfig = join(dir, 'kubeconfig.yaml');
    await writeKubeconfig(kubeconfig, { server: `https://127.0.0.1:${s.port}`, caCert: s.pki.caCert, clientCert: s.pki.adminCert, clientKey: s.pki.adminKey });
  });
  after(async () => {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('schedules over HTTPS with the profiles of its config, behind the kube-scheduler lease, and releases it on stop', async () => {
    const config = join(dir, 'scheduler.yaml');
    await writeFile(config, `${configHead}profiles: [{ schedulerName: default-scheduler }, { schedulerName: second }]\n`);
    assert.equal((await s.request('POST', '/api/v1/nodes', nodeBody('n1'))).status, 201);
    const lines: string[] = [];
    const logger = createLogger({ sink: { write: (l) => { lines.push(l); } }, human: true });
    const abort = new AbortController();
    const done = runScheduler(parseSchedulerFlags({ kubeconfig, config }, env), { signal: abort.signal, logger, hostname: 'sched-host' });
    for (const [name, schedulerName] of [['p1', undefined], ['p2', 'second']] as const) {
      assert.equal((await s.request('POST', '/api/v1/namespaces/default/pods', podBody(name, schedulerName))).status, 201);
    }
    for (const name of ['p1', 'p2']) {
      await until(`${name} bound`, async () => (await s.request('GET', `/api/v1/namespaces/default/pods/${name}`)).json.spec.nodeName || undefined);
    }
    const lease = (await s.request('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler')).json;
    assert.match(lease.spec.holderIdentity, /^sched-host_[0-9a-f]{16}$/);
    const events = (await s.request('GET', '/api/v1/namespaces/default/events?fieldSelector=reason%3DScheduled')).json;
    assert.ok(events.items.some((e: { source?: { component?: string } }) => e.source?.component === 'default-scheduler'));
    assert.match(lines.join(''), /profiles default-scheduler, second; leader election on/);
    abort.abort();
    assert.equal(await done, 0);
    const released = (await s.request('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler')).json;
    assert.equal(released.spec.holderIdentity, undefined);
  });

  test('a bad config file is exit code 1 with the reason, before connecting', async () => {
    const config = join(dir, 'bad.yaml');
    await writeFile(config, `${configHead}profiles: [{ plugins: { multiPoint: { enabled: [{ name: Nope }] } } }]\n`);
    const lines: string[] = [];
    const logger = createLogger({ sink: { write: (l) => { lines.push(l); } }, human: true });
    const flags = parseSchedulerFlags({ kubeconfig: join(dir, 'absent.yaml'), config }, env);
    assert.equal(await runScheduler(flags, { signal: new AbortController().signal, logger, hostname: 'h' }), 1);
    assert.match(lines.join(''), /unknown plugin "Nope"/);
    assert.doesNotMatch(lines.join(''), /kubeconfig/);
  });
});

describe('kite server and the scheduler', () => {
  async function serve(t: { after(fn: () => Promise<void>): void }, disableScheduler: boolean) {
    const dir = await mkdtemp(join(tmpdir(), 'kite-server-sched-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const flags = parseServerFlags({ dataDir: join(dir, 'data'), port: '0', bindAddress: '127.0.0.1', logFormat: 'text' }, { uid: 1000, home: dir, cwd: dir, isTTY: false });
    const lines: string[] = [];
    const logger = createLogger({ sink: { write: (l) => { lines.push(l); } }, human: true });
    const components: ServerComponents = { ...defaultComponents, createBackend: async () => new MemoryBackend() };
    const abort = new AbortController();
    const done = runServer(flags, { signal: abort.signal, logger, hostnames: ['node-a'], ips: [], components, disableControllers: true, disableScheduler });
    const waitFor = (re: RegExp) => until(`a log line matching ${re}:\n${lines.join('')}`, async () => lines.some((l) => re.test(l)) || undefined);
    return { lines, abort, done, waitFor };
  }

  test('runs it in-process behind its own lease, released on stop', async (t) => {
    const s = await serve(t, false);
    await s.waitFor(/scheduler: started scheduler controller/);
    await s.waitFor(/leader-election: acquired leader lease as node-a_\S+ {2}lease=kube-system\/kube-scheduler/);
    s.abort.abort();
    assert.equal(await s.done, 0);
    assert.match(s.lines.join(''), /leader-election: released leader lease {2}lease=kube-system\/kube-scheduler/);
  });

  test('--disable-scheduler runs none', async (t) => {
    const s = await serve(t, true);
    await s.waitFor(/scheduler: disabled \(--disable-scheduler\)/);
    s.abort.abort();
    assert.equal(await s.done, 0);
    assert.doesNotMatch(s.lines.join(''), /started scheduler controller/);
  });
});
