// The rules Kubernetes holds list and watch query options to (resourceVersionMatch,
// sendInitialEvents, continue), answered as a 422 on ListOptions.meta.k8s.io like kube-apiserver.
import { invalid, type FieldError } from '../../apimachinery/status.js';
import { isTrue } from '../request-info.js';

const RVM = 'resourceVersionMatch';

function forbidden(field: string, message: string): FieldError {
  return { type: 'FieldValueForbidden', field, message };
}

function notSupported(field: string, value: string, supported: string[]): FieldError {
  const list = supported.map((s) => JSON.stringify(s)).join(', ');
  return { type: 'FieldValueNotSupported', field, message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${list}` };
}

/** The field errors of a list (`watch` false), watch or deletecollection query, in Kubernetes' order. */
export function listOptionErrors(q: URLSearchParams, watch: boolean): FieldError[] {
  const match = q.get(RVM) ?? '';
  const rv = q.get('resourceVersion') ?? '';
  const cont = q.get('continue') ?? '';
  const sendInitial = q.get('sendInitialEvents') || null;
  const errs: FieldError[] = [];
  if (watch) {
    if (sendInitial !== null && match !== 'NotOlderThan') {
      errs.push(forbidden(RVM, 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
    }
    if (match !== '') {
      if (sendInitial === null) errs.push(forbidden(RVM, 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
      if (match !== 'NotOlderThan') errs.push(notSupported(RVM, match, ['NotOlderThan']));
      if (cont !== '') errs.push(forbidden(RVM, 'resourceVersionMatch is forbidden when continue is provided'));
    }
    return errs;
  }
  if (match !== '') {
    if (rv === '') errs.push(forbidden(RVM, 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (cont !== '') errs.push(forbidden(RVM, 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== 'Exact' && match !== 'NotOlderThan') errs.push(notSupported(RVM, match, ['Exact', 'NotOlderThan', '']));
    if (match === 'Exact' && rv === '0') errs.push(forbidden(RVM, 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (sendInitial !== null) errs.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  return errs;
}

/** Throws the 422 kube-apiserver answers for options it refuses. */
export function validateListOptions(q: URLSearchParams, watch: boolean): void {
  const errs = listOptionErrors(q, watch);
  if (errs.length) throw invalid('meta.k8s.io', 'ListOptions', '', errs);
}

/**
 * Whether a watch starts with the current state, then the initial-events-end bookmark. With
 * WatchList on (Kubernetes 1.32's default) a legacy watch from resourceVersion "" or "0" is
 * defaulted to a watch-list, so it too gets the bookmark when it allows bookmarks.
 */
export function sendInitialEventsOf(q: URLSearchParams): boolean | undefined {
  const v = q.get('sendInitialEvents');
  if (v) return isTrue(v);
  const rv = q.get('resourceVersion') ?? '';
  if (!q.get('resourceVersionMatch') && (rv === '' || rv === '0')) return true;
  return undefined;
}
