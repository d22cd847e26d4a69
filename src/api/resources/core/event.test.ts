import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from 'kubernetes-types/core/v1.js';
import { T0, iso } from './fixtures.js';
import { eventResource } from './event.js';

const makeEvent = (extra: Partial<Event> = {}): Event => ({
  apiVersion: 'v1', kind: 'Event',
  metadata: { name: 'web.17a', namespace: 'default', creationTimestamp: iso(T0) },
  involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', uid: 'u1', apiVersion: 'v1', fieldPath: 'spec.containers{app}' },
  reason: 'Pulled', message: 'Pulled image  ', type: 'Normal', source: { component: 'kubelet', host: 'n1' },
  firstTimestamp: iso(T0), lastTimestamp: iso(T0 + 60_000), count: 3, ...extra,
});

describe('event', () => {
  it('prints LAST SEEN TYPE REASON OBJECT and the wide columns', () => {
    assert.deepEqual(eventResource.row!(makeEvent() as never, T0 + 5 * 60_000), [
      '4m', 'Normal', 'Pulled', 'pod/web', 'spec.containers{app}', 'kubelet, n1', 'Pulled image', '5m', 3, 'web.17a',
    ]);
  });

  it('falls back to eventTime and a count of one', () => {
    const ev = makeEvent({ firstTimestamp: undefined, lastTimestamp: undefined, count: undefined, eventTime: iso(T0) });
    const row = eventResource.row!(ev as never, T0 + 30_000);
    assert.equal(row[0], '30s');
    assert.equal(row[8], 1);
  });

  it('selects on involved object fields', () => {
    const f = eventResource.fields!;
    const ev = makeEvent();
    assert.equal(f['involvedObject.kind']!(ev as never), 'Pod');
    assert.equal(f['involvedObject.uid']!(ev as never), 'u1');
    assert.equal(f['source']!(ev as never), 'kubelet');
    assert.equal(f['type']!(ev as never), 'Normal');
  });

  it('requires the involved object in the event namespace', () => {
    const ev = makeEvent({ involvedObject: { kind: 'Pod', name: 'web', namespace: 'other' } });
    assert.deepEqual(eventResource.validate!(ev as never).map((e) => `${e.field}: ${e.message}`), [
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ]);
  });
});
