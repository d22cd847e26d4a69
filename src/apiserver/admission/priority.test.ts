import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../testing/fixture.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const pod = (name: string, spec: any = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});
const pc = (name: string, value: number, extra: any = {}) => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...extra });
const PCS = '/apis/scheduling.k8s.io/v1/priorityclasses';

describe('Priority admission', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    for (const c of [pc('high', 1000), pc('polite', 500, { preemptionPolicy: 'Never' })]) {
      const r = await s.request('POST', PCS, c);
      assert.equal(r.status, 201, r.body);
    }
  });
  after(async () => { await s.close(); });

  const createPod = (p: unknown) => s.request('POST', '/api/v1/namespaces/default/pods', p);

  test('the server starts with the system priority classes', async () => {
    const r = await s.request('GET', PCS);
    const byName = Object.fromEntries(r.json.items.map((c: any) => [c.metadata.name, [c.value, c.globalDefault ?? false, c.preemptionPolicy]]));
    assert.deepEqual(byName['system-node-critical'], [2000001000, false, 'PreemptLowerPriority']);
    assert.deepEqual(byName['system-cluster-critical'], [2000000000, false, 'PreemptLowerPriority']);
  });

  const cases: { name: string; spec: any; status: number; want?: [number, string, string | undefined]; message?: string }[] = [
    { name: 'takes priority and policy from its class', spec: { priorityClassName: 'high' }, status: 201, want: [1000, 'PreemptLowerPriority', 'high'] },
    { name: 'takes a Never policy from its class', spec: { priorityClassName: 'polite' }, status: 201, want: [500, 'Never', 'polite'] },
    { name: 'gets priority 0 without a class or default', spec: {}, status: 201, want: [0, 'PreemptLowerPriority', undefined] },
    { name: 'may repeat the priority its class gives', spec: { priorityClassName: 'high', priority: 1000 }, status: 201, want: [1000, 'PreemptLowerPriority', 'high'] },
    { name: 'resolves a system class', spec: { priorityClassName: 'system-node-critical' }, status: 201, want: [2000001000, 'PreemptLowerPriority', 'system-node-critical'] },
    {
      name: 'is refused with an unknown class', spec: { priorityClassName: 'nope' }, status: 403,
      message: 'pods "p" is forbidden: no PriorityClass with name nope was found',
    },
    {
      name: 'is refused with a priority its class does not give', spec: { priorityClassName: 'high', priority: 7 }, status: 403,
      message: 'pods "p" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name',
    },
    {
      name: 'is refused with a preemption policy its class does not give', spec: { priorityClassName: 'polite', preemptionPolicy: 'PreemptLowerPriority' }, status: 403,
      message: 'pods "p" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name',
    },
  ];
  for (const c of cases) {
    test(`a pod ${c.name}`, async () => {
      const r = await createPod({ ...pod('p', c.spec) });
      try {
        assert.equal(r.status, c.status, r.body);
        if (c.want) assert.deepEqual([r.json.spec.priority, r.json.spec.preemptionPolicy, r.json.spec.priorityClassName], c.want);
        if (c.message) assert.deepEqual([r.json.reason, r.json.message], ['Forbidden', c.message]);
      } finally {
        if (r.status === 201) await s.request('DELETE', '/api/v1/namespaces/default/pods/p?gracePeriodSeconds=0');
      }
    });
  }

  test('one global default class: pods without a class get it, a second default is refused', async () => {
    assert.equal((await s.request('POST', PCS, pc('low-default', 10, { globalDefault: true }))).status, 201);
    try {
      const r = await createPod(pod('defaulted'));
      assert.equal(r.status, 201, r.body);
      assert.deepEqual([r.json.spec.priority, r.json.spec.priorityClassName], [10, 'low-default']);

      const second = await s.request('POST', PCS, pc('other-default', 20, { globalDefault: true }));
      assert.equal(second.status, 403, second.body);
      assert.equal(second.json.message,
        'priorityclasses.scheduling.k8s.io "other-default" is forbidden: PriorityClass low-default is already marked as default. Only one default can exist');

      const high = (await s.request('GET', `${PCS}/high`)).json;
      const flip = await s.request('PUT', `${PCS}/high`, { ...high, globalDefault: true });
      assert.equal(flip.status, 403, flip.body);

      const self = (await s.request('GET', `${PCS}/low-default`)).json;
      const relabel = await s.request('PUT', `${PCS}/low-default`, { ...self, description: 'still the default' });
      assert.equal(relabel.status, 200, relabel.body);
    } finally {
      await s.request('DELETE', '/api/v1/namespaces/default/pods/defaulted?gracePeriodSeconds=0');
      await s.request('DELETE', `${PCS}/low-default`);
    }
  });
});

describe('Priority on pod updates', () => {
  let s: TestServer;
  before(async () => { s = await startTestServer(); });
  after(async () => { await s.close(); });

  test('an update that leaves out priority and preemptionPolicy keeps them', async () => {
    const created = await s.request('POST', '/api/v1/namespaces/default/pods', pod('keep', { priorityClassName: 'system-cluster-critical' }));
    assert.equal(created.status, 201, created.body);
    const body = structuredClone(created.json);
    delete body.spec.priority;
    delete body.spec.preemptionPolicy;
    body.metadata.labels = { touched: 'yes' };
    const r = await s.request('PUT', '/api/v1/namespaces/default/pods/keep', body);
    assert.equal(r.status, 200, r.body);
    assert.deepEqual([r.json.spec.priority, r.json.spec.preemptionPolicy, r.json.metadata.labels], [2000000000, 'PreemptLowerPriority', { touched: 'yes' }]);
  });
});
