// events.k8s.io/v1 Event. Kubernetes keeps these in the same storage as core/v1 events; the
// events.k8s.io shape renames fields (`regarding`, `note`, `deprecated*`), so Kite serves it as
// its own resource with the rules Kubernetes applies to writes through this API.
import type { FieldError } from '../../../apimachinery/status.js';
import { isDNS1123Subdomain, isQualifiedName } from '../../../apimachinery/validation.js';
import { semanticEqual } from '../shared/semantic-equal.js';
import type { Event } from 'kubernetes-types/events/v1.js';
import { defineResource } from '../shared/define-resource.js';
import { since } from '../shared/printing.js';
import { IMMUTABLE, invalid, invalidEach, required } from '../shared/field-errors.js';

const LENGTH_LIMIT = 128;
const NOTE_LENGTH_LIMIT = 1024;

export function validateEvent(ev: Event): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata?.namespace ?? '';
  const regardingNs = ev.regarding?.namespace ?? '';
  if (!ev.eventTime) {
    // Events written the old way: their namespace must agree with the object they are about.
    if (regardingNs ? ns !== regardingNs : ns !== '' && ns !== 'default') {
      errs.push(invalid('involvedObject.namespace', regardingNs, 'does not match event.namespace'));
    }
  } else {
    if (!regardingNs && ns !== 'default' && ns !== 'kube-system') {
      errs.push(invalid('involvedObject.namespace', regardingNs, 'does not match event.namespace'));
    }
    const controller = ev.reportingController ?? '';
    if (!controller) errs.push(required('reportingController'));
    errs.push(...invalidEach('reportingController', controller, isQualifiedName(controller)));
    if (!ev.reportingInstance) errs.push(required('reportingInstance'));
    if ((ev.reportingInstance ?? '').length > LENGTH_LIMIT) errs.push(invalid('reportingInstance', '', `can have at most ${LENGTH_LIMIT} characters`));
    if (!ev.action) errs.push(required('action'));
    if ((ev.action ?? '').length > LENGTH_LIMIT) errs.push(invalid('action', '', `can have at most ${LENGTH_LIMIT} characters`));
    if (!ev.reason) errs.push(required('reason'));
    if ((ev.reason ?? '').length > LENGTH_LIMIT) errs.push(invalid('reason', '', `can have at most ${LENGTH_LIMIT} characters`));
    if ((ev.note ?? '').length > NOTE_LENGTH_LIMIT) errs.push(invalid('message', '', `can have at most ${NOTE_LENGTH_LIMIT} characters`));
  }
  errs.push(...invalidEach('namespace', ns, isDNS1123Subdomain(ns)));
  return errs;
}

function validateSeries(ev: Event): FieldError[] {
  if (!ev.series) return [];
  const errs: FieldError[] = [];
  if ((ev.series.count ?? 0) < 2) errs.push(invalid('series.count', '', 'should be at least 2'));
  if (!ev.series.lastObservedTime) errs.push(required('series.lastObservedTime'));
  return errs;
}

/** The stricter checks that apply to events created through events.k8s.io/v1. */
export function validateEventCreate(ev: Event): FieldError[] {
  const errs = [...validateEvent(ev), ...validateSeries(ev)];
  if (!ev.eventTime) errs.push(required('eventTime'));
  if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(invalid('type', '', `has invalid value: ${ev.type ?? ''}`));
  if (ev.deprecatedFirstTimestamp) errs.push(invalid('deprecatedFirstTimestamp', '', 'needs to be unset'));
  if (ev.deprecatedLastTimestamp) errs.push(invalid('deprecatedLastTimestamp', '', 'needs to be unset'));
  if (ev.deprecatedCount) errs.push(invalid('deprecatedCount', '', 'needs to be unset'));
  if (ev.deprecatedSource?.component || ev.deprecatedSource?.host) errs.push(invalid('deprecatedSource', '', 'needs to be unset'));
  return errs;
}

/** Everything but the series (and metadata) is fixed once an event exists; paths use the core names. */
const IMMUTABLE_FIELDS: [keyof Event, string][] = [
  ['regarding', 'involvedObject'], ['reason', 'reason'], ['note', 'message'], ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'], ['deprecatedLastTimestamp', 'lastTimestamp'], ['deprecatedCount', 'count'],
  ['type', 'type'], ['eventTime', 'eventTime'], ['action', 'action'], ['related', 'related'],
  ['reportingController', 'reportingController'], ['reportingInstance', 'reportingInstance'],
];

export function validateEventUpdate(ev: Event, old: Event): FieldError[] {
  const errs = validateEvent(ev);
  if (!semanticEqual(ev.series, old.series)) errs.push(...validateSeries(ev));
  for (const [key, path] of IMMUTABLE_FIELDS) {
    if (!semanticEqual(ev[key], old[key])) errs.push(invalid(path, ev[key] ?? '', IMMUTABLE));
  }
  return errs;
}

/** Cells as `kubectl get events` prints them, from the events.k8s.io field names. */
export function eventRow(ev: Event, now: number): unknown[] {
  const first = ev.deprecatedFirstTimestamp ? since(ev.deprecatedFirstTimestamp, now) : since(ev.eventTime, now);
  let last = ev.deprecatedLastTimestamp ? since(ev.deprecatedLastTimestamp, now) : first;
  let count = ev.deprecatedCount ?? 0;
  if (ev.series) {
    last = since(ev.series.lastObservedTime, now);
    count = ev.series.count ?? 0;
  } else if (count === 0) {
    count = 1; // a singleton event has no count in this API
  }
  const kind = (ev.regarding?.kind ?? '').toLowerCase();
  const target = ev.regarding?.name ? `${kind}/${ev.regarding.name}` : kind;
  const component = ev.deprecatedSource?.component || ev.reportingController || '';
  const host = ev.deprecatedSource?.host || ev.reportingInstance || '';
  const source = host ? `${component}, ${host}` : component;
  return [last, ev.type ?? '', ev.reason ?? '', target, ev.regarding?.fieldPath ?? '', source, (ev.note ?? '').trim(), first, count];
}

export const events = defineResource<Event>({
  group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', singular: 'event',
  namespaced: true, shortNames: ['ev'],
  schema: 'io.k8s.api.events.v1.Event',
  validate: validateEventCreate,
  validateUpdate: validateEventUpdate,
  columns: [
    { name: 'Last Seen', type: 'string', priority: 0, description: 'The time at which the most recent occurrence of this event was recorded.' },
    { name: 'Type', type: 'string', priority: 0, description: 'Type of this event (Normal, Warning).' },
    { name: 'Reason', type: 'string', priority: 0, description: 'Why the action was taken.' },
    { name: 'Object', type: 'string', priority: 0, description: 'The object this event is about.' },
    { name: 'Subobject', type: 'string', priority: 1, description: 'The part of the object this event is about.' },
    { name: 'Source', type: 'string', priority: 1, description: 'The component reporting this event.' },
    { name: 'Message', type: 'string', priority: 0, description: 'A human-readable description of the status of this operation.' },
    { name: 'First Seen', type: 'string', priority: 1, description: 'The time at which the event was first recorded.' },
    { name: 'Count', type: 'string', priority: 1, description: 'The number of times this event has occurred.' },
    { name: 'Name', type: 'string', format: 'name', priority: 1, description: 'The name of the event.' },
  ],
  row: (ev, now) => [...eventRow(ev, now), ev.metadata?.name ?? ''],
  fields: {
    'regarding.kind': (ev) => ev.regarding?.kind ?? '',
    'regarding.namespace': (ev) => ev.regarding?.namespace ?? '',
    'regarding.name': (ev) => ev.regarding?.name ?? '',
    'regarding.uid': (ev) => ev.regarding?.uid ?? '',
    'regarding.apiVersion': (ev) => ev.regarding?.apiVersion ?? '',
    'regarding.resourceVersion': (ev) => ev.regarding?.resourceVersion ?? '',
    'regarding.fieldPath': (ev) => ev.regarding?.fieldPath ?? '',
    reason: (ev) => ev.reason ?? '',
    reportingController: (ev) => ev.reportingController ?? '',
    source: (ev) => ev.deprecatedSource?.component || ev.reportingController || '',
    type: (ev) => ev.type ?? '',
  },
});
