import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../testing/fixture.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const PODS = '/api/v1/namespaces/default/pods';
const PDBS = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';
const eviction = (name: string, deleteOptions?: unknown) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name }, ...(deleteOptions ? { deleteOptions } : {}) });

describe('pods/eviction with PodDisruptionBudgets', () => {
  let s: TestServer;
  let n = 0;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.close(); });

  /** A pod labelled app=<app> in the given phase, Ready or not. */
  async function pod(app: string, phase: string, ready: boolean): Promise<string> {
    const name = `p${++n}`;
    const c = await s.request('POST', PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    assert.equal(c.status, 201, c.body);
    if (phase !== 'Pending') {
      const st = await s.request('PUT', `${PODS}/${name}/status`, {
        ...c.json, status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
      });
      assert.equal(st.status, 200, st.body);
    }
    return name;
  }

  async function budget(name: string, app: string, status: any, extra: any = {}): Promise<void> {
    const c = await s.request('POST', PDBS, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec: { minAvailable: 1, selector: { matchLabels: { app } }, ...extra } });
    assert.equal(c.status, 201, c.body);
    const st = await s.request('PUT', `${PDBS}/${name}/status`, {
      ...c.json, status: { observedGeneration: 1, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: 0, ...status },
    });
    assert.equal(st.status, 200, st.body);
  }

  const evict = (name: string, opts?: unknown) => s.request('POST', `${PODS}/${name}/eviction`, eviction(name, opts));
  const exists = async (name: string) => (await s.request('GET', `${PODS}/${name}`)).status === 200;

  test('takes a disruption from the budget and records the pod before deleting it', async () => {
    await budget('room', 'room', { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 });
    const p = await pod('room', 'Running', true);
    const r = await evict(p);
    assert.equal(r.status, 201, r.body);
    assert.equal(r.json.status, 'Success');
    assert.equal(await exists(p), false);
    const pdb = (await s.request('GET', `${PDBS}/room`)).json;
    assert.equal(pdb.status.disruptionsAllowed, 0);
    assert.deepEqual(Object.keys(pdb.status.disruptedPods), [p]);
    assert.deepEqual(pdb.status.conditions.map((c: any) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'False', 'InsufficientPods']]);
  });

  test('refuses with 429 when the budget allows no disruption', async () => {
    await budget('full', 'full', { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 2 });
    const p = await pod('full', 'Running', true);
    const r = await evict(p);
    assert.equal(r.status, 429, r.body);
    assert.deepEqual([r.json.reason, r.json.message], ['TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget."]);
    assert.deepEqual(r.json.details.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget full needs 2 healthy pods and has 2 currently' }]);
    assert.equal(await exists(p), true);
  });

  test('refuses with 429 while the budget controller has not seen the latest spec', async () => {
    await budget('stale', 'stale', { disruptionsAllowed: 3, observedGeneration: 0 });
    const p = await pod('stale', 'Running', true);
    const r = await evict(p);
    assert.equal(r.status, 429, r.body);
    assert.equal(r.json.details.causes[0].message, 'The disruption budget stale is still being processed by the server.');
    assert.equal(r.headers['retry-after'], '10');
  });

  test('answers 500 for a pod under two budgets', async () => {
    await budget('two-a', 'two', { disruptionsAllowed: 1 });
    await budget('two-b', 'two', { disruptionsAllowed: 1 });
    const p = await pod('two', 'Running', true);
    const r = await evict(p);
    assert.equal(r.status, 500, r.body);
    assert.deepEqual([r.json.status, r.json.message], ['Failure', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.']);
    assert.equal(await exists(p), true);
  });

  const ignored: { phase: string }[] = [{ phase: 'Pending' }, { phase: 'Succeeded' }, { phase: 'Failed' }];
  for (const c of ignored) {
    test(`evicts a ${c.phase} pod without consulting its budget`, async () => {
      const app = `ignored-${c.phase.toLowerCase()}`;
      await budget(app, app, { disruptionsAllowed: 0 });
      const p = await pod(app, c.phase, false);
      assert.equal((await evict(p)).status, 201);
      assert.equal(await exists(p), false);
      assert.equal((await s.request('GET', `${PDBS}/${app}`)).json.status.disruptionsAllowed, 0);
    });
  }

  const unhealthy: { name: string; policy?: string; status: any; want: number }[] = [
    { name: 'IfHealthyBudget with the budget met', status: { currentHealthy: 2, desiredHealthy: 2 }, want: 201 },
    { name: 'IfHealthyBudget with the budget short', status: { currentHealthy: 1, desiredHealthy: 2 }, want: 429 },
    { name: 'AlwaysAllow with the budget short', policy: 'AlwaysAllow', status: { currentHealthy: 1, desiredHealthy: 2 }, want: 201 },
  ];
  for (const c of unhealthy) {
    test(`an unready Running pod under ${c.name} answers ${c.want}`, async () => {
      const app = `unready-${++n}`;
      await budget(app, app, c.status, c.policy ? { unhealthyPodEvictionPolicy: c.policy } : {});
      const p = await pod(app, 'Running', false);
      const r = await evict(p);
      assert.equal(r.status, c.want, r.body);
      assert.equal(await exists(p), c.want !== 201);
      // Deleting an unhealthy pod takes nothing from the budget.
      assert.equal((await s.request('GET', `${PDBS}/${app}`)).json.status.disruptionsAllowed, 0);
    });
  }

  test('a dry run leaves both the pod and the budget alone', async () => {
    await budget('dry', 'dry', { disruptionsAllowed: 1 });
    const p = await pod('dry', 'Running', true);
    const r = await evict(p, { dryRun: ['All'] });
    assert.equal(r.status, 201, r.body);
    assert.equal(await exists(p), true);
    assert.equal((await s.request('GET', `${PDBS}/dry`)).json.status.disruptionsAllowed, 1);
  });

  test('a pod no budget selects is evicted', async () => {
    const p = await pod('loose', 'Running', true);
    assert.equal((await evict(p)).status, 201);
    assert.equal(await exists(p), false);
  });
});
