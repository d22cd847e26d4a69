// apps/v1 ControllerRevision: immutable snapshots of DaemonSet and StatefulSet templates.
import type { FieldError } from '../../../apimachinery/status.js';
import { parseApiVersion } from '../../../apimachinery/object.js';
import { semanticEqual } from '../shared/semantic-equal.js';
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import { IMMUTABLE, invalid, nonNegative, required } from '../shared/field-errors.js';

export function validateControllerRevision(cr: ControllerRevision): FieldError[] {
  const errs: FieldError[] = [];
  if (cr.data === undefined || cr.data === null) errs.push(required('data', 'data is mandatory'));
  errs.push(...nonNegative('revision', cr.revision ?? 0));
  return errs;
}

export function validateControllerRevisionUpdate(cr: ControllerRevision, old: ControllerRevision): FieldError[] {
  const errs = validateControllerRevision(cr);
  if (!semanticEqual(cr.data, old.data)) errs.push(invalid('data', cr.data, IMMUTABLE));
  return errs;
}

/** CONTROLLER cell: `<kind>.<group>/<name>` of the controller owner, lowercased kind, or `<none>`. */
export function controllerName(cr: ControllerRevision): string {
  const ref = cr.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (!ref) return '<none>';
  const { group } = parseApiVersion(ref.apiVersion ?? '');
  const groupKind = group ? `${ref.kind}.${group}` : ref.kind;
  return groupKind ? `${groupKind.toLowerCase()}/${ref.name}` : ref.name;
}

export const controllerrevisions = defineResource<ControllerRevision>({
  group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions', singular: 'controllerrevision',
  namespaced: true,
  schema: 'io.k8s.api.apps.v1.ControllerRevision',
  validate: validateControllerRevision,
  validateUpdate: validateControllerRevisionUpdate,
  columns: [
    { name: 'Controller', type: 'string', priority: 0, description: 'Controller of the object' },
    { name: 'Revision', type: 'string', priority: 0, description: 'Revision indicates the revision of the state represented by Data.' },
    AGE_COLUMN,
  ],
  row: (cr, now) => [controllerName(cr), cr.revision ?? 0, age(cr, now)],
});
