import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod, Volume } from 'kubernetes-types/core/v1.js';
import { startTestServer, type TestServer } from '../../apiserver/testing/fixture.js';
import { FakeClock } from '../../apimachinery/clock.js';
import { silentLogger } from '../../apimachinery/log.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { ApiClient } from '../../client/rest.js';
import { inProcessTransport } from '../../client/transport.js';
import { agentPaths, podVolumeDir, type AgentPaths } from '../paths.js';
import { PLUGINS, VolumeManager } from './manager.js';
import { fakeMounter, fakeTokenSource } from './testing.js';

let uidSeq = 0;
const makePod = (volumes: Volume[], extra: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: `p${++uidSeq}`, namespace: 'default', uid: `uid-${uidSeq}` },
  spec: { containers: [{ name: 'c', image: 'i' }], volumes, ...extra },
});

async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const exists = (p: string) => access(p).then(() => true, () => false);

describe('VolumeManager', () => {
  let s: TestServer;
  let client: ApiClient;
  let dataDir: string;
  let paths: AgentPaths;
  const create = (kind: string, obj: object) => client.kind(kind === 'PersistentVolume' ? 'v1' : 'v1', kind).create(kind === 'PersistentVolume' ? undefined : 'default', obj as KubeObject);

  before(async () => {
    s = await startTestServer();
    client = new ApiClient(inProcessTransport(() => s.server.connectInProcess({ name: 'system:node:n1', groups: ['system:masters'] })));
    dataDir = await mkdtemp(join(tmpdir(), 'kite-volumes-'));
    paths = agentPaths(dataDir);
  });
  after(async () => {
    client.close();
    await s.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const manager = (clock = new FakeClock(Date.UTC(2024, 0, 1)), tokens = fakeTokenSource(), mount = fakeMounter()) =>
    ({ vm: new VolumeManager({ client, clock, logger: silentLogger, paths, mount, tokens }), clock, tokens, mount });

  it('shows a configMap update through the API after refresh, and removed keys disappear', async () => {
    await create('ConfigMap', { metadata: { name: 'app' }, data: { 'a.conf': 'one', old: 'x' } });
    const { vm } = manager();
    const pod = makePod([{ name: 'cfg', configMap: { name: 'app' } }]);
    const vols = await vm.setUp(pod);
    const dir = podVolumeDir(paths, pod.metadata!.uid!, PLUGINS.configMap, 'cfg');
    assert.deepEqual(vols.get('cfg'), { hostPath: dir, readOnly: true, kind: 'configMap' });
    assert.equal(await readFile(join(dir, 'a.conf'), 'utf8'), 'one');

    const cm = await client.kind('v1', 'ConfigMap').get('default', 'app');
    await client.kind('v1', 'ConfigMap').update('default', { ...cm, data: { 'a.conf': 'two' } } as KubeObject);
    await vm.refresh(pod);
    assert.equal(await readFile(join(dir, 'a.conf'), 'utf8'), 'two');
    assert.equal(await exists(join(dir, 'old')), false);
    await vm.tearDown(pod.metadata!.uid!);
    assert.equal(await exists(join(paths.pods, pod.metadata!.uid!, 'volumes')), false);
  });

  it('fails a missing configMap unless optional, with the kubelet message', async () => {
    const { vm } = manager();
    await assert.rejects(vm.setUp(makePod([{ name: 'cfg', configMap: { name: 'nope' } }])), (e: Error) => {
      assert.match(e.message, /^MountVolume.SetUp failed for volume "cfg" : .*configmaps "nope" not found/);
      return true;
    });
    const pod = makePod([{ name: 'cfg', configMap: { name: 'nope', optional: true } }]);
    await vm.setUp(pod);
    assert.deepEqual(await readdir(podVolumeDir(paths, pod.metadata!.uid!, PLUGINS.configMap, 'cfg')).then((e) => e.filter((n) => !n.startsWith('..'))), []);
  });

  it('puts secrets on a tmpfs sized by the pod memory limit, and tearDown unmounts it', async () => {
    await create('Secret', { metadata: { name: 'creds' }, data: { pw: Buffer.from('s3cret').toString('base64') } });
    const { vm, mount } = manager();
    const pod = makePod([{ name: 'sec', secret: { secretName: 'creds', defaultMode: 0o400 } }], {
      containers: [{ name: 'c', image: 'i', resources: { limits: { memory: '64Mi' } } }],
    });
    await vm.setUp(pod);
    const dir = podVolumeDir(paths, pod.metadata!.uid!, PLUGINS.secret, 'sec');
    assert.deepEqual([...mount.mounted], [[dir, 64 * 1024 * 1024]]);
    assert.equal(await readFile(join(dir, 'pw'), 'utf8'), 's3cret');
    await vm.setUp(pod); // idempotent: no second mount
    await vm.tearDown(pod.metadata!.uid!);
    assert.equal(mount.mounted.size, 0);
    assert.equal(await exists(dir), false);
  });

  it('writes the kube-api-access projected volume and renews the token at 80% of its lifetime', async () => {
    await create('ConfigMap', { metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': 'CA' } });
    const { vm, clock, tokens } = manager();
    const pod = makePod([{
      name: 'kube-api-access-abcde',
      projected: {
        defaultMode: 0o644,
        sources: [
          { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    }], { serviceAccountName: 'builder' });
    await vm.setUp(pod);
    const dir = podVolumeDir(paths, pod.metadata!.uid!, PLUGINS.projected, 'kube-api-access-abcde');
    assert.equal(await readFile(join(dir, 'token'), 'utf8'), 'token-1');
    assert.equal(await readFile(join(dir, 'ca.crt'), 'utf8'), 'CA');
    assert.equal(await readFile(join(dir, 'namespace'), 'utf8'), 'default');
    assert.equal(tokens.requests[0]!.sa, 'builder');
    assert.deepEqual(tokens.requests[0]!.req.spec?.boundObjectRef, { apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name, uid: pod.metadata!.uid });

    clock.advance(Math.floor(3607 * 0.8 * 1000) - 1000);
    assert.equal(tokens.requests.length, 1);
    clock.advance(1000);
    await until(async () => (await readFile(join(dir, 'token'), 'utf8')) === 'token-2', 'the renewed token');
    await vm.tearDown(pod.metadata!.uid!);
    assert.equal(clock.pending(), 0);
  });

  it('gets the projected token from the TokenRequest API, bound to the pod', async (t) => {
    await create('ServiceAccount', { metadata: { name: 'runner' } });
    const created = await create('Pod', {
      metadata: { name: 'tok' },
      spec: {
        serviceAccountName: 'runner', containers: [{ name: 'c', image: 'i' }],
        volumes: [{ name: 'api', projected: { sources: [{ serviceAccountToken: { path: 'token', audience: 'vault', expirationSeconds: 600 } }] } }],
      },
    }) as Pod;
    const vm = new VolumeManager({ client, clock: new FakeClock(0), logger: silentLogger, paths, mount: fakeMounter() });
    try {
      await vm.setUp(created);
    } catch (e) {
      // Servers without the serviceaccounts/token subresource answer 404 or 405.
      if (/failed to fetch token: .*(could not find|not found|not allowed|not supported)/i.test((e as Error).message)) {
        t.skip('the API server does not serve serviceaccounts/token');
        return;
      }
      throw e;
    }
    const token = await readFile(join(podVolumeDir(paths, created.metadata!.uid!, PLUGINS.projected, 'api'), 'token'), 'utf8');
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>;
    assert.deepEqual(claims.aud, ['vault']);
    assert.equal(claims.sub, 'system:serviceaccount:default:runner');
    assert.equal(claims['kubernetes.io'].pod.uid, created.metadata!.uid);
    await vm.tearDown(created.metadata!.uid!);
  });

  it('resolves a bound claim to its hostPath PV and refuses an unbound one', async () => {
    const hostDir = join(dataDir, 'pv-data');
    await create('PersistentVolume', {
      metadata: { name: 'pv1' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: hostDir, type: 'DirectoryOrCreate' } },
    });
    const pvc = await create('PersistentVolumeClaim', {
      metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    }) as KubeObject & { spec: Record<string, unknown>; status?: Record<string, unknown> };
    const { vm } = manager();
    const pod = makePod([{ name: 'd', persistentVolumeClaim: { claimName: 'data', readOnly: true } }]);
    await assert.rejects(vm.setUp(pod), /PVC default\/data has non-bound phase \("Pending"\) or empty pvc.Spec.VolumeName \(""\)/);

    const pvcs = client.kind('v1', 'PersistentVolumeClaim');
    const bound = await pvcs.update('default', { ...pvc, spec: { ...pvc.spec, volumeName: 'pv1' } } as KubeObject) as typeof pvc;
    await pvcs.updateStatus('default', { ...bound, status: { phase: 'Bound' } } as KubeObject);
    const vols = await vm.setUp(pod);
    assert.deepEqual(vols.get('d'), { hostPath: hostDir, readOnly: true, kind: 'persistentVolumeClaim' });
    assert.equal(await exists(hostDir), true);
  });

  it('creates hostPath and emptyDir volumes', async () => {
    const { vm } = manager();
    const pod = makePod([{ name: 'e', emptyDir: {} }, { name: 'h', hostPath: { path: join(dataDir, 'hp'), type: 'DirectoryOrCreate' } }]);
    const vols = await vm.setUp(pod);
    assert.equal(vols.get('h')!.hostPath, join(dataDir, 'hp'));
    assert.equal(vols.get('e')!.hostPath, podVolumeDir(paths, pod.metadata!.uid!, PLUGINS.emptyDir, 'e'));
    await assert.rejects(vm.setUp(makePod([{ name: 'x', hostPath: { path: join(dataDir, 'missing'), type: 'Directory' } }])),
      { message: `MountVolume.SetUp failed for volume "x" : hostPath type check failed: ${join(dataDir, 'missing')} is not a directory` });
  });
});
