// core/v1 Event: namespace agreement with the involved object, printing, and the field selectors
// `kubectl describe` uses to find an object's events.
import type { Event } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../../apimachinery/status.js';
import type { ResourceType } from '../../types.js';
import { isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { invalid, notSupported, required } from '../shared/field-errors.js';
import { validateName, type Obj } from './meta-checks.js';
import { column } from '../shared/columns.js';
import { since } from '../shared/printing.js';

export function validateEvent(ev: Event): FieldError[] {
  const errs = validateName(ev, isDNS1123Subdomain);
  const ns = ev.metadata?.namespace ?? '';
  const involvedNs = ev.involvedObject?.namespace ?? '';
  // Events about cluster-scoped objects may live in any namespace; otherwise the namespaces agree.
  if (involvedNs && involvedNs !== ns) errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  if (ev.eventTime) {
    if (!ev.reportingComponent) errs.push(required('reportingController'));
    if (!ev.reportingInstance) errs.push(required('reportingInstance'));
    if (!ev.action) errs.push(required('action'));
    if (!ev.reason) errs.push(required('reason'));
    if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(notSupported('type', ev.type ?? '', ['Normal', 'Warning']));
  }
  return errs;
}

function source(ev: Event): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

export function eventRow(ev: Event, now: number): unknown[] {
  const first = since(ev.firstTimestamp ?? ev.eventTime, now);
  let last = ev.lastTimestamp ? since(ev.lastTimestamp, now) : first;
  let count = ev.count || 1; // events of the newer API leave count unset for a single occurrence
  if (ev.series) {
    last = since(ev.series.lastObservedTime, now);
    count = ev.series.count ?? count;
  }
  const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
  const object = ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind;
  return [
    last, ev.type ?? '', ev.reason ?? '', object, ev.involvedObject?.fieldPath ?? '', source(ev),
    (ev.message ?? '').trim(), first, count,
  ];
}

/** Events print Name as a trailing -o wide column (LAST SEEN TYPE REASON OBJECT MESSAGE by default). */
export const eventResource: ResourceType<Obj<Event>> = {
  group: '', version: 'v1', kind: 'Event', plural: 'events', singular: 'event', namespaced: true,
  shortNames: ['ev'],
  schema: 'io.k8s.api.core.v1.Event',
  tracksGeneration: false,
  validate: validateEvent,
  validateUpdate: (ev) => validateEvent(ev),
  columns: [
    column('Last Seen', 'When the event was last observed.'),
    column('Type', 'Type of the event (Normal or Warning).'),
    column('Reason', 'Why the action was taken.'),
    column('Object', 'The object the event is about.'),
    column('Subobject', 'The part of the object the event is about.', 'string', 1),
    column('Source', 'The component that reported the event.', 'string', 1),
    column('Message', 'A human-readable description of the event.'),
    column('First Seen', 'When the event was first observed.', 'string', 1),
    column('Count', 'How many times the event occurred.', 'string', 1),
    { name: 'Name', type: 'string', format: 'name', priority: 1, description: 'The name of the event.' },
  ],
  row: (ev, now) => [...eventRow(ev, now), ev.metadata?.name ?? ''],
  fields: {
    'involvedObject.kind': (e) => e.involvedObject?.kind ?? '',
    'involvedObject.namespace': (e) => e.involvedObject?.namespace ?? '',
    'involvedObject.name': (e) => e.involvedObject?.name ?? '',
    'involvedObject.uid': (e) => e.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': (e) => e.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': (e) => e.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': (e) => e.involvedObject?.fieldPath ?? '',
    reason: (e) => e.reason ?? '',
    reportingComponent: (e) => e.reportingComponent ?? '',
    source: (e) => e.source?.component ?? '',
    type: (e) => e.type ?? '',
  },
};
