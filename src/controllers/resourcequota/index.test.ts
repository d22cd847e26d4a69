import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../apimachinery/clock.js';
import { eventually } from '../../apiserver/testing/fixture.js';
import type { ApiClient } from '../../client/rest.js';
import { desiredStatus, resourceQuotaController } from './index.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = any;

describe('resource quota controller', () => {
  let h: ControllerHarness;
  let client: ApiClient;
  const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));
  let n = 0;

  before(async () => {
    h = await startControllerHarness({ controllers: [resourceQuotaController], clock });
    client = h.client;
  });

  after(() => h.close());

  const pods = () => client.kind<Obj>('v1', 'Pod');
  const quotas = () => client.kind<Obj>('v1', 'ResourceQuota');

  async function namespace(): Promise<string> {
    const name = `rq-${++n}`;
    await h.namespace(name);
    return name;
  }

  async function addQuota(ns: string, name: string, hard: Record<string, string>, extra: Obj = {}): Promise<void> {
    await quotas().create(ns, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard, ...extra } });
  }

  async function addPod(ns: string, name: string, resources?: Obj, extra: Obj = {}): Promise<void> {
    await pods().create(ns, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: { containers: [{ name: 'c', image: 'busybox', ...(resources ? { resources } : {}) }], ...extra },
    });
  }

  /** Waits until the quota's status.used is exactly `used` (and status.hard its spec). */
  async function usedBecomes(ns: string, name: string, used: Record<string, string>): Promise<void> {
    let last: Obj;
    try {
      await eventually(async () => {
        last = await quotas().get(ns, name);
        return JSON.stringify(last.status?.used) === JSON.stringify(used)
          && JSON.stringify(last.status?.hard) === JSON.stringify(last.spec.hard);
      });
    } catch {
      assert.deepEqual(last?.status, { hard: last?.spec.hard, used }, `quota ${ns}/${name}`);
    }
  }

  it('tracks pods as they are created and deleted', async () => {
    const ns = await namespace();
    await addQuota(ns, 'q', { pods: '10', 'count/pods': '10' });
    await usedBecomes(ns, 'q', { 'count/pods': '0', pods: '0' });
    await addPod(ns, 'a');
    await addPod(ns, 'b');
    await usedBecomes(ns, 'q', { 'count/pods': '2', pods: '2' });
    await pods().delete(ns, 'a');
    await usedBecomes(ns, 'q', { 'count/pods': '1', pods: '1' });
  });

  it('stops charging compute for finished pods but still counts them in count/pods', async () => {
    const ns = await namespace();
    await addQuota(ns, 'q', { pods: '10', 'count/pods': '10', 'requests.cpu': '4' });
    await addPod(ns, 'done', { requests: { cpu: '250m' } });
    await usedBecomes(ns, 'q', { 'count/pods': '1', pods: '1', 'requests.cpu': '250m' });
    const p = await pods().get(ns, 'done');
    await pods().updateStatus(ns, { ...p, status: { ...p.status, phase: 'Succeeded' } });
    await usedBecomes(ns, 'q', { 'count/pods': '1', pods: '0', 'requests.cpu': '0' });
  });

  it('counts configmaps', async () => {
    const ns = await namespace();
    await addQuota(ns, 'cm', { configmaps: '5', 'count/configmaps': '5' });
    await usedBecomes(ns, 'cm', { configmaps: '0', 'count/configmaps': '0' });
    const cms = client.kind<Obj>('v1', 'ConfigMap');
    for (const name of ['x', 'y', 'z']) await cms.create(ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
    await usedBecomes(ns, 'cm', { configmaps: '3', 'count/configmaps': '3' });
    await cms.delete(ns, 'y');
    await usedBecomes(ns, 'cm', { configmaps: '2', 'count/configmaps': '2' });
  });

  it('sums cpu and memory requests and limits of the namespace pods', async () => {
    const ns = await namespace();
    await addQuota(ns, 'compute', {
      'requests.cpu': '4', 'requests.memory': '4Gi', 'limits.cpu': '8', 'limits.memory': '8Gi', cpu: '4', memory: '4Gi',
    });
    await addPod(ns, 'a', { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    await addPod(ns, 'b', { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1500m', memory: '1Gi' } });
    await usedBecomes(ns, 'compute', {
      cpu: '1250m', 'limits.cpu': '2', 'limits.memory': '1536Mi', memory: '1280Mi', 'requests.cpu': '1250m', 'requests.memory': '1280Mi',
    });
  });

  it('counts only the pods within its scopes', async () => {
    const ns = await namespace();
    await addQuota(ns, 'be', { pods: '10' }, { scopes: ['BestEffort'] });
    await addQuota(ns, 'term', { pods: '10' }, { scopes: ['Terminating'] });
    await addPod(ns, 'plain');
    await addPod(ns, 'sized', { requests: { cpu: '100m' } });
    await addPod(ns, 'deadline', undefined, { activeDeadlineSeconds: 60 });
    await usedBecomes(ns, 'be', { pods: '2' });
    await usedBecomes(ns, 'term', { pods: '1' });
  });

  it('counts services by type, claims storage and other groups through count/', async () => {
    const ns = await namespace();
    await addQuota(ns, 'misc', {
      services: '10', 'services.nodeports': '10', 'services.loadbalancers': '10',
      persistentvolumeclaims: '10', 'requests.storage': '10Gi', 'count/deployments.apps': '10',
    });
    await client.kind<Obj>('v1', 'Service').create(ns, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'np' },
      spec: { type: 'NodePort', selector: { a: 'b' }, ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] },
    });
    await client.kind<Obj>('v1', 'PersistentVolumeClaim').create(ns, {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1536Mi' } } },
    });
    await client.kind<Obj>('apps/v1', 'Deployment').create(ns, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    await usedBecomes(ns, 'misc', {
      'count/deployments.apps': '1', persistentvolumeclaims: '1', 'requests.storage': '1536Mi',
      services: '1', 'services.loadbalancers': '0', 'services.nodeports': '2',
    });
  });

  it('follows a change of spec.hard into status.hard', async () => {
    const ns = await namespace();
    await addQuota(ns, 'q', { pods: '1' });
    await usedBecomes(ns, 'q', { pods: '0' });
    const q = await quotas().get(ns, 'q');
    await quotas().update(ns, { ...q, spec: { hard: { pods: '3', secrets: '2' } } });
    await usedBecomes(ns, 'q', { pods: '0', secrets: '0' });
    await client.kind<Obj>('v1', 'Secret').create(ns, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } });
    await usedBecomes(ns, 'q', { pods: '0', secrets: '1' });
  });

  it('counts quotas themselves', async () => {
    const ns = await namespace();
    await addQuota(ns, 'a', { resourcequotas: '5' });
    await addQuota(ns, 'b', { pods: '1' });
    await usedBecomes(ns, 'a', { resourcequotas: '2' });
  });
});

describe('desiredStatus', () => {
  it('writes hard in canonical form and used sorted by name', () => {
    const used = new Map([['pods', '1'], ['cpu', '500m']]);
    assert.deepEqual(desiredStatus({ hard: { pods: '2.0', cpu: '0.5' } }, used), { hard: { pods: '2', cpu: '500m' }, used: { cpu: '500m', pods: '1' } });
  });
});
