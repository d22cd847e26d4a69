import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { Event } from 'kubernetes-types/events/v1.js';
import { events } from './event.js';

const k = (o: Event) => o as unknown as KubeObject;
const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const T0 = Date.parse('2024-01-01T00:00:00Z');

function makeEvent(): Event {
  return {
    apiVersion: 'events.k8s.io/v1', kind: 'Event',
    metadata: { name: 'web-1.17a', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z' },
    eventTime: '2024-01-01T00:00:00.000000Z',
    regarding: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1', apiVersion: 'v1', fieldPath: 'spec.containers{web}' },
    reason: 'Pulled', action: 'Pulling', type: 'Normal', note: 'Pulled image "nginx" ',
    reportingController: 'kubelet', reportingInstance: 'node-1',
  };
}

describe('events.k8s.io Event validation', () => {
  it('accepts a complete event', () => assert.deepEqual(events.validate!(k(makeEvent())), []));

  const cases: { name: string; mutate: (e: Event) => void; want: string[] }[] = [
    {
      name: 'missing reporting fields', mutate: (e) => { delete e.reportingController; delete e.reportingInstance; delete e.action; },
      want: ['reportingController: Required value', 'reportingInstance: Required value', 'action: Required value'],
    },
    { name: 'an unknown type', mutate: (e) => { e.type = 'Info'; }, want: ['type: Invalid value: "": has invalid value: Info'] },
    { name: 'deprecated fields', mutate: (e) => { e.deprecatedCount = 3; }, want: ['deprecatedCount: Invalid value: "": needs to be unset'] },
    {
      name: 'a series of one', mutate: (e) => { e.series = { count: 1, lastObservedTime: '2024-01-01T00:00:01.000000Z' }; },
      want: ['series.count: Invalid value: "": should be at least 2'],
    },
    {
      name: 'a namespace that differs from the regarded object',
      mutate: (e) => { e.regarding!.namespace = ''; e.metadata!.namespace = 'dev'; },
      want: ['involvedObject.namespace: Invalid value: "": does not match event.namespace'],
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, () => {
      const e = makeEvent();
      c.mutate(e);
      // An empty reportingController also fails the qualified-name check, as in Kubernetes.
      const got = messages(events.validate!(k(e))).filter((m) => !m.startsWith('reportingController: Invalid value: "": name part'));
      assert.deepEqual(got, c.want);
    });
  }

  it('lets only the series change on update', () => {
    const old = makeEvent();
    const upd = structuredClone(old);
    upd.series = { count: 2, lastObservedTime: '2024-01-01T00:01:00.000000Z' };
    assert.deepEqual(events.validateUpdate!(k(upd), k(old)), []);
    upd.note = 'changed';
    assert.deepEqual(events.validateUpdate!(k(upd), k(old)).map((e) => e.field), ['message']);
  });
});

describe('events.k8s.io Event printing and field selectors', () => {
  it('prints like kubectl get events', () => {
    const e = makeEvent();
    assert.deepEqual(events.row!(k(e), T0 + 90_000),
      ['90s', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{web}', 'kubelet, node-1', 'Pulled image "nginx"', '90s', 1, 'web-1.17a']);
  });

  it('takes last seen and count from the series', () => {
    const e = makeEvent();
    e.series = { count: 5, lastObservedTime: '2024-01-01T00:01:00.000000Z' };
    const row = events.row!(k(e), T0 + 120_000);
    assert.deepEqual([row[0], row[7], row[8]], ['60s', '2m', 5]);
  });

  it('selects on regarding.*, reason, type, reportingController and source', () => {
    const e = k(makeEvent());
    const f = events.fields!;
    assert.deepEqual(
      ['regarding.kind', 'regarding.name', 'regarding.uid', 'reason', 'type', 'reportingController', 'source'].map((key) => f[key]!(e)),
      ['Pod', 'web-1', 'u1', 'Pulled', 'Normal', 'kubelet', 'kubelet']);
  });
});
