import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../apiserver/testing/fixture.js';
import { FakeClock } from '../apimachinery/clock.js';
import type { KubeObject } from '../apimachinery/object.js';
import { inProcessTransport } from './transport.js';
import { ApiClient } from './rest.js';
import { aggregationWindowMs, createEventRecorder, type Event } from './events.js';

const user = { name: 'system:kube-controller-manager', groups: ['system:masters'] };

describe('createEventRecorder', () => {
  let s: TestServer;
  let client: ApiClient;
  before(async () => {
    s = await startTestServer();
    client = new ApiClient(inProcessTransport(() => s.server.connectInProcess(user)));
  });
  after(async () => {
    client.close();
    await s.close();
  });

  const eventsAbout = async (namespace: string, name: string) =>
    (await client.kind<Event>('v1', 'Event').list(namespace, { fieldSelector: `involvedObject.name=${name}` })).items;

  async function configMap(name: string): Promise<KubeObject> {
    return client.kind('v1', 'ConfigMap').create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
  }

  test('writes an Event with the object reference, source, timestamps and count', async () => {
    const clock = new FakeClock(Date.parse('2024-03-01T10:00:00.250Z'));
    const recorder = createEventRecorder(client, { component: 'test-controller', host: 'node-a', clock });
    const cm = await configMap('ev-one');
    recorder.event(cm, 'Normal', 'Synced', 'all good');
    await recorder.flush();
    const [ev, ...rest] = await eventsAbout('default', 'ev-one');
    assert.equal(rest.length, 0);
    assert.ok(ev);
    assert.match(ev.metadata?.name ?? '', /^ev-one\.[0-9a-f]{16}$/);
    assert.equal(ev.metadata?.namespace, 'default');
    assert.deepEqual(ev.involvedObject, {
      kind: 'ConfigMap', apiVersion: 'v1', name: 'ev-one', namespace: 'default',
      uid: cm.metadata?.uid, resourceVersion: cm.metadata?.resourceVersion,
    });
    assert.equal(ev.type, 'Normal');
    assert.equal(ev.reason, 'Synced');
    assert.equal(ev.message, 'all good');
    assert.deepEqual(ev.source, { component: 'test-controller', host: 'node-a' });
    assert.equal(ev.reportingComponent, 'test-controller');
    assert.equal(ev.firstTimestamp, '2024-03-01T10:00:00Z');
    assert.equal(ev.lastTimestamp, '2024-03-01T10:00:00Z');
    assert.equal(ev.count, 1);
  });

  test('a repeat within ten minutes bumps count and lastTimestamp on the same Event', async () => {
    const clock = new FakeClock(Date.parse('2024-03-01T10:00:00Z'));
    const recorder = createEventRecorder(client, { component: 'test-controller', clock });
    const cm = await configMap('ev-repeat');
    recorder.event(cm, 'Warning', 'Failed', 'it broke');
    clock.advance(30_000);
    recorder.event(cm, 'Warning', 'Failed', 'it broke');
    await recorder.flush();
    const events = await eventsAbout('default', 'ev-repeat');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.count, 2);
    assert.equal(events[0]!.firstTimestamp, '2024-03-01T10:00:00Z');
    assert.equal(events[0]!.lastTimestamp, '2024-03-01T10:00:30Z');

    // A different message is a different Event; so is the same one after the window.
    recorder.event(cm, 'Warning', 'Failed', 'it broke differently');
    clock.advance(aggregationWindowMs + 1000);
    recorder.event(cm, 'Warning', 'Failed', 'it broke');
    await recorder.flush();
    const after = await eventsAbout('default', 'ev-repeat');
    assert.equal(after.length, 3);
    assert.deepEqual(after.map((e) => e.count).sort(), [1, 1, 2]);
  });

  test('events about cluster-scoped objects go to the default namespace', async () => {
    const clock = new FakeClock(Date.parse('2024-03-01T10:00:00Z'));
    const recorder = createEventRecorder(client, { component: 'test-controller', clock });
    const ns = await client.kind('v1', 'Namespace').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ev-cluster' } });
    recorder.event(ns, 'Normal', 'Seen', 'a namespace');
    await recorder.flush();
    const [ev] = await eventsAbout('default', 'ev-cluster');
    assert.equal(ev?.involvedObject.kind, 'Namespace');
    assert.equal(ev?.involvedObject.namespace, undefined);
  });

  test('never throws, and logs a write that fails', async () => {
    const clock = new FakeClock(0);
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => { warnings.push(m); }, error() {}, with() { return logger; } };
    const recorder = createEventRecorder(client, { component: 'test-controller', clock, logger });
    // The namespace does not exist, so the create is refused.
    recorder.event({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'no-such-namespace' } }, 'Normal', 'R', 'm');
    recorder.event({ metadata: {} }, 'Normal', 'R', 'no name');
    await recorder.flush();
    assert.equal(warnings.length, 2);
  });
});
