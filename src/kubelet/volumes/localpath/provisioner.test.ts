import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../../apimachinery/clock.js';
import { advanceUntil } from '../../../../test/support/fake-clock.js';
import { silentLogger } from '../../../apimachinery/log.js';
import { isNotFound } from '../../../client/errors.js';
import type { ApiClient } from '../../../client/rest.js';
import { persistentVolumeController } from '../../../controllers/persistentvolume/index.js';
import { startControllerHarness, type ControllerHarness } from '../../../../test/support/controller-harness.js';
import { LocalPathProvisioner } from './provisioner.js';
import type { Pv, Pvc } from './volume.js';

const NS = 'default';
const NODE = 'node-a';

/* eslint-disable @typescript-eslint/no-explicit-any */
function claim(name: string, extra: Record<string, unknown> = {}): Pvc {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } }, ...extra },
  } as Pvc;
}

describe('local-path provisioner', () => {
  let h: ControllerHarness<FakeClock>;
  let client: ApiClient;
  let dir: string;
  const clock = new FakeClock(Date.parse('2030-01-01T00:00:00Z'));
  const events: { name: string; type: string; reason: string; message: string }[] = [];
  const stops: AbortController[] = [];
  const pvs = () => client.kind<Pv>('v1', 'PersistentVolume');
  const pvcs = () => client.kind<Pvc>('v1', 'PersistentVolumeClaim');

  function startProvisioner(): LocalPathProvisioner {
    const p = new LocalPathProvisioner({
      client, clock, logger: silentLogger, nodeName: NODE, dir,
      recorder: { event: (o, type, reason, message) => events.push({ name: o.metadata?.name ?? '', type, reason, message }) },
    });
    const stop = new AbortController();
    stops.push(stop);
    void p.start(stop.signal);
    return p;
  }

  before(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'kite-localpath-')), 'storage');
    h = await startControllerHarness({ controllers: [persistentVolumeController], clock });
    client = h.client;
    await startProvisioner().ready;
  });
  after(async () => {
    for (const s of stops) s.abort();
    await h.close();
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  /** Polls the API, moving the fake clock on a second at a time so retries with backoff happen. */
  const until = <T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> =>
    advanceUntil(clock, check, 1000, 1000).catch(() => { throw new Error(`timed out waiting for ${what}`); });
  const getPv = (name: string) => pvs().get(undefined, name).catch((e) => { if (isNotFound(e)) return undefined; throw e; });
  const getPvc = (name: string) => pvcs().get(NS, name);
  const select = (name: string, node: string) => pvcs().patch(NS, name, { metadata: { annotations: { 'volume.kubernetes.io/selected-node': node } } }, 'merge');

  it('provisions a directory and a volume for a claim the scheduler put on its node; the PV controller binds them', async () => {
    const created = await pvcs().create(NS, claim('data'));
    assert.equal(created.spec?.storageClassName, 'local-path');
    await select('data', NODE);
    const name = `pvc-${created.metadata?.uid}`;
    const pv = await until('the volume', () => getPv(name));
    const path = join(dir, `${name}_${NS}_data`);
    assert.equal(statSync(path).mode & 0o777, 0o777);
    assert.deepEqual(pv.spec?.hostPath, { path, type: 'DirectoryOrCreate' });
    assert.deepEqual(pv.spec?.capacity, { storage: '64Mi' });
    assert.deepEqual(pv.spec?.accessModes, ['ReadWriteOnce']);
    assert.equal(pv.spec?.storageClassName, 'local-path');
    assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'], 'kite.io/local-path');
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms, [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [NODE] }] }]);
    assert.equal(pv.spec?.claimRef?.uid, created.metadata?.uid);
    const bound = await until('claim bound', async () => { const c = await getPvc('data'); return c.status?.phase === 'Bound' && c; });
    assert.equal(bound.spec?.volumeName, name);
    assert.equal(bound.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'], 'kite.io/local-path');
    assert.deepEqual(events.filter((e) => e.name === 'data').map((e) => e.reason).slice(0, 2), ['Provisioning', 'ProvisioningSucceeded']);
    assert.equal(events.find((e) => e.reason === 'ProvisioningSucceeded')?.message, `Successfully provisioned volume ${name}`);
  });

  it('leaves claims for other nodes and claims not yet scheduled alone', async () => {
    const elsewhere = await pvcs().create(NS, claim('elsewhere'));
    await select('elsewhere', 'node-b');
    const waiting = await pvcs().create(NS, claim('waiting'));
    clock.advance(1000);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await getPv(`pvc-${elsewhere.metadata?.uid}`), undefined);
    assert.equal(await getPv(`pvc-${waiting.metadata?.uid}`), undefined);
    assert.equal((await readdir(dir)).some((d) => d.includes('elsewhere') || d.includes('waiting')), false);
  });

  it('refuses ReadWriteMany and block claims and gives them back to the scheduler', async () => {
    for (const [name, extra] of [['shared', { accessModes: ['ReadWriteMany'] }], ['raw', { volumeMode: 'Block' }]] as const) {
      await pvcs().create(NS, claim(name, extra));
      await select(name, NODE);
      const e = await until(`ProvisioningFailed on ${name}`, async () => events.find((x) => x.name === name && x.reason === 'ProvisioningFailed'));
      assert.equal(e.type, 'Warning');
      assert.match(e.message, name === 'shared' ? /^failed to provision volume with StorageClass "local-path": .*not ReadWriteMany$/ : /volumeMode Block is not supported/);
      await until(`selected-node removed from ${name}`, async () => (await getPvc(name)).metadata?.annotations?.['volume.kubernetes.io/selected-node'] === undefined);
      assert.equal((await readdir(dir)).some((d) => d.endsWith(`_${name}`)), false);
    }
  });

  it('is idempotent across restarts: a second provisioner makes nothing twice', async () => {
    const before = (await readdir(dir)).sort();
    const count = events.filter((e) => e.reason === 'Provisioning').length;
    await startProvisioner().ready;
    clock.advance(1000);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual((await readdir(dir)).sort(), before);
    assert.equal(events.filter((e) => e.reason === 'Provisioning').length, count);
  });

  it('deletes the directory and the volume once the claim is deleted', async () => {
    const c = await getPvc('data');
    const name = c.spec!.volumeName!;
    const path = join(dir, `${name}_${NS}_data`);
    assert.ok(existsSync(path));
    await pvcs().delete(NS, 'data');
    await until('the volume deleted', async () => (await getPv(name)) === undefined);
    assert.equal(existsSync(path), false);
  });
});
