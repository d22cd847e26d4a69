// Query and path parameters of the REST operations, written inline in every operation because
// kubectl looks for `fieldValidation` by name among an operation's own parameters.

export interface Parameter {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  schema: { type: string; uniqueItems?: boolean };
}

const query = (name: string, type: string, description: string): Parameter =>
  ({ name, in: 'query', description, schema: { type, uniqueItems: true } });

export const pathParam = (name: string, description: string): Parameter =>
  ({ name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true } });

export const pretty = query('pretty', 'string', "If 'true', the output is pretty printed.");

const dryRun = query('dryRun', 'string', 'When present (All), the request is processed but not persisted.');
const fieldManager = query('fieldManager', 'string', 'The name of the actor making these changes, recorded in managedFields.');
const fieldValidation = query('fieldValidation', 'string',
  'How to treat unknown or duplicate fields in the body: Ignore, Warn (the default) or Strict.');
const force = query('force', 'boolean', 'Apply patches only: take ownership of fields other managers own.');

const allowWatchBookmarks = query('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK events on a watch.');
const continueToken = query('continue', 'string', 'The continue token of a previous paginated list.');
const fieldSelector = query('fieldSelector', 'string', 'Only return objects whose fields match this selector.');
const labelSelector = query('labelSelector', 'string', 'Only return objects whose labels match this selector.');
const limit = query('limit', 'integer', 'The maximum number of objects to return in one page.');
const resourceVersion = query('resourceVersion', 'string', 'The resource version the read is served at or after.');
const resourceVersionMatch = query('resourceVersionMatch', 'string', 'How resourceVersion applies: Exact or NotOlderThan.');
const sendInitialEvents = query('sendInitialEvents', 'boolean', 'Start a watch with synthetic ADDED events for the current state.');
const timeoutSeconds = query('timeoutSeconds', 'integer', 'Time limit of the list or watch call.');
const watch = query('watch', 'boolean', 'Watch for changes instead of listing.');

const gracePeriodSeconds = query('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; 0 deletes immediately.');
const orphanDependents = query('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy.');
const propagationPolicy = query('propagationPolicy', 'string', 'Garbage collection of dependents: Orphan, Background or Foreground.');

const listParams = [
  allowWatchBookmarks, continueToken, fieldSelector, labelSelector, limit,
  resourceVersion, resourceVersionMatch, sendInitialEvents, timeoutSeconds, watch,
];
const deleteParams = [dryRun, gracePeriodSeconds, orphanDependents, propagationPolicy];

/** Operation-level parameters by `x-kubernetes-action`. */
export const actionParams: Record<string, Parameter[]> = {
  get: [],
  list: listParams,
  watch: listParams,
  watchlist: listParams,
  post: [dryRun, fieldManager, fieldValidation],
  put: [dryRun, fieldManager, fieldValidation],
  patch: [dryRun, fieldManager, fieldValidation, force],
  delete: deleteParams,
  deletecollection: [...deleteParams, ...listParams.filter((p) => p !== watch && p !== allowWatchBookmarks)],
  connect: [],
};
