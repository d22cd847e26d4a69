import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../apimachinery/clock.js';
import { advanceUntil } from '../../../test/support/fake-clock.js';
import { isNotFound } from '../../client/errors.js';
import type { ApiClient } from '../../client/rest.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.js';
import { persistentVolumeController } from './index.js';
import type { Pv, Pvc } from './rules.js';

const NS = 'default';

/* eslint-disable @typescript-eslint/no-explicit-any */
function volume(name: string, size: string, extra: { cls?: string; labels?: Record<string, string>; modes?: string[]; policy?: string; claimRef?: any; annotations?: Record<string, string> } = {}): Pv {
  return {
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}), ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      capacity: { storage: size }, accessModes: (extra.modes ?? ['ReadWriteOnce']) as any, storageClassName: extra.cls ?? 'manual',
      persistentVolumeReclaimPolicy: extra.policy ?? 'Retain', hostPath: { path: `/tmp/${name}` },
      ...(extra.claimRef ? { claimRef: extra.claimRef } : {}),
    },
  } as Pv;
}

function claim(name: string, size: string, extra: { cls?: string; volumeName?: string; selector?: any; modes?: string[] } = {}): Pvc {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name },
    spec: {
      accessModes: (extra.modes ?? ['ReadWriteOnce']) as any, resources: { requests: { storage: size } }, storageClassName: extra.cls ?? 'manual',
      ...(extra.volumeName ? { volumeName: extra.volumeName } : {}), ...(extra.selector ? { selector: extra.selector } : {}),
    },
  } as Pvc;
}

describe('persistentvolume controller', () => {
  let h: ControllerHarness<FakeClock>;
  let client: ApiClient;
  const clock = new FakeClock(Date.parse('2030-01-01T00:00:00Z'));
  const pvs = () => client.kind<Pv>('v1', 'PersistentVolume');
  const pvcs = () => client.kind<Pvc>('v1', 'PersistentVolumeClaim');

  before(async () => {
    h = await startControllerHarness({ controllers: [persistentVolumeController], clock });
    client = h.client;
    const sc = client.kind('storage.k8s.io/v1', 'StorageClass');
    await sc.create(undefined, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'manual' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'Immediate' } as any);
    await sc.create(undefined, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'later' }, provisioner: 'example.com/disk', volumeBindingMode: 'WaitForFirstConsumer' } as any);
  });
  after(() => h.close());

  /** Polls the API, moving the fake clock on a second at a time so retries with backoff happen. */
  const until = <T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> =>
    advanceUntil(clock, check, 1000, 1000).catch(() => { throw new Error(`timed out waiting for ${what}`); });
  const getPv = (name: string) => pvs().get(undefined, name).catch((e) => { if (isNotFound(e)) return undefined; throw e; });
  const getPvc = (name: string) => pvcs().get(NS, name).catch((e) => { if (isNotFound(e)) return undefined; throw e; });
  const claimPhase = (name: string, phase: string) => until(`claim ${name} ${phase}`, async () => { const c = await getPvc(name); return c?.status?.phase === phase && c; });
  const volumePhase = (name: string, phase: string) => until(`volume ${name} ${phase}`, async () => { const v = await getPv(name); return v?.status?.phase === phase && v; });
  const eventFor = (name: string, reason: string) => until(`event ${reason} on ${name}`, async () => h.events.find((e) => e.name === name && e.reason === reason));

  it('binds an Immediate claim to the smallest Available volume of its class that fits, with the binding annotations', async () => {
    await pvs().create(undefined, volume('big', '10Gi'));
    await pvs().create(undefined, volume('small', '1Gi'));
    await pvs().create(undefined, volume('fit', '3Gi'));
    await pvs().create(undefined, volume('other-class', '2Gi', { cls: 'gold' }));
    await pvs().create(undefined, volume('rwx-only', '2Gi', { modes: ['ReadWriteMany'] }));
    await volumePhase('fit', 'Available');
    await pvcs().create(NS, claim('data', '2Gi'));
    const c = await claimPhase('data', 'Bound');
    assert.equal(c.spec?.volumeName, 'fit');
    assert.equal(c.metadata?.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(c.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.deepEqual(c.status?.capacity, { storage: '3Gi' });
    assert.deepEqual(c.status?.accessModes, ['ReadWriteOnce']);
    const v = await volumePhase('fit', 'Bound');
    assert.equal(v.spec?.claimRef?.name, 'data');
    assert.equal(v.spec?.claimRef?.uid, c.metadata?.uid);
    assert.equal(v.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.equal((await getPv('small'))?.spec?.claimRef, undefined);
  });

  it('honours a claim selector, and leaves a claim nothing fits Pending', async () => {
    await pvs().create(undefined, volume('labelled', '5Gi', { labels: { tier: 'ssd' } }));
    await pvcs().create(NS, claim('picky', '1Gi', { selector: { matchLabels: { tier: 'ssd' } } }));
    assert.equal((await claimPhase('picky', 'Bound')).spec?.volumeName, 'labelled');
    await pvcs().create(NS, claim('huge', '1Ti'));
    await claimPhase('huge', 'Pending');
    const unclassed = claim('no-class', '1Ti');
    unclassed.spec!.storageClassName = '';
    await pvcs().create(NS, unclassed);
    const e = await eventFor('no-class', 'FailedBinding');
    assert.equal(e.message, 'no persistent volumes available for this claim and no storage class is set');
  });

  it('binds a claim naming its volume, and a volume naming its claim', async () => {
    await pvs().create(undefined, volume('named', '1Gi'));
    await pvcs().create(NS, claim('wants-named', '1Gi', { volumeName: 'named' }));
    const c = await claimPhase('wants-named', 'Bound');
    assert.equal(c.spec?.volumeName, 'named');
    assert.equal(c.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined);
    assert.equal((await volumePhase('named', 'Bound')).spec?.claimRef?.uid, c.metadata?.uid);

    await pvs().create(undefined, volume('reserved', '8Gi', { claimRef: { namespace: NS, name: 'for-reserved' } }));
    await volumePhase('reserved', 'Available');
    await pvcs().create(NS, claim('for-reserved', '1Gi'));
    const r = await claimPhase('for-reserved', 'Bound');
    assert.equal(r.spec?.volumeName, 'reserved');
    const v = await volumePhase('reserved', 'Bound');
    assert.equal(v.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined);
  });

  it('leaves a WaitForFirstConsumer claim to the scheduler, then hands it to its provisioner', async () => {
    await pvs().create(undefined, volume('later-pv', '5Gi', { cls: 'later' }));
    await pvcs().create(NS, claim('lazy', '1Gi', { cls: 'later' }));
    await eventFor('lazy', 'WaitForFirstConsumer');
    const pending = await claimPhase('lazy', 'Pending');
    assert.equal(pending.spec?.volumeName, undefined);
    await pvcs().patch(NS, 'lazy', { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'n1' } } }, 'merge');
    const e = await eventFor('lazy', 'ExternalProvisioning');
    assert.match(e.message, /external provisioner 'example.com\/disk'/);
    const c = await until('provisioner annotations', async () => {
      const p = await getPvc('lazy');
      return p?.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'] === 'example.com/disk' && p;
    });
    assert.equal(c.metadata?.annotations?.['volume.beta.kubernetes.io/storage-provisioner'], 'example.com/disk');
    assert.equal((await getPv('later-pv'))?.spec?.claimRef, undefined);
  });

  it('releases volumes of deleted claims: Retain keeps them, Delete removes them, provisioned ones wait for their provisioner', async () => {
    await pvs().create(undefined, volume('keep', '1Gi', { claimRef: { namespace: NS, name: 'c-keep' } }));
    await pvs().create(undefined, volume('drop', '1Gi', { policy: 'Delete', claimRef: { namespace: NS, name: 'c-drop' } }));
    await pvs().create(undefined, volume('prov', '1Gi', { policy: 'Delete', claimRef: { namespace: NS, name: 'c-prov' }, annotations: { 'pv.kubernetes.io/provisioned-by': 'example.com/disk' } }));
    for (const n of ['keep', 'drop', 'prov']) {
      await pvcs().create(NS, claim(`c-${n}`, '1Gi'));
      await claimPhase(`c-${n}`, 'Bound');
      await pvcs().delete(NS, `c-${n}`);
    }
    await volumePhase('keep', 'Released');
    await volumePhase('prov', 'Released');
    await until('volume drop deleted', async () => (await getPv('drop')) === undefined);
    clock.advance(5000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await getPv('keep'))?.status?.phase, 'Released');
    assert.equal((await getPv('prov'))?.status?.phase, 'Released');
  });

  it('marks a bound claim Lost when its volume is deleted', async () => {
    await pvs().create(undefined, volume('fragile', '1Gi', { claimRef: { namespace: NS, name: 'c-fragile' } }));
    await pvcs().create(NS, claim('c-fragile', '1Gi'));
    await claimPhase('c-fragile', 'Bound');
    await pvs().delete(undefined, 'fragile');
    await claimPhase('c-fragile', 'Lost');
    const e = await eventFor('c-fragile', 'ClaimLost');
    assert.equal(e.message, 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
  });
});
