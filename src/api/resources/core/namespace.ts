// core/v1 Namespace (cluster-scoped): the `kubernetes` finalizer, Active phase, printing.
import type { Namespace } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../../apimachinery/status.js';
import type { ResourceType } from '../../types.js';
import { isDNS1123Label, isQualifiedName } from '../../../apimachinery/validation.js';
import { invalid } from '../shared/field-errors.js';
import { validateName, type Obj } from './meta-checks.js';
import { column, CORE_AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';
import { statusSubresource } from '../shared/subresources.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export const NAMESPACE_FINALIZER = 'kubernetes';

export function setNamespaceDefaults(ns: Namespace): void {
  const n = ns as Mutable<Namespace>;
  const spec = (n.spec ??= {});
  if (!spec.finalizers?.length) spec.finalizers = [NAMESPACE_FINALIZER];
  const status = (n.status ??= {}) as Mutable<NonNullable<Namespace['status']>>;
  status.phase ||= 'Active';
}

/** Finalizers are qualified names; the bare `kubernetes` one is the standard exception. */
function validateFinalizers(finalizers: string[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (finalizers ?? []).forEach((f, i) => {
    if (f === NAMESPACE_FINALIZER) return;
    const msgs = isQualifiedName(f);
    if (msgs.length) for (const m of msgs) errs.push(invalid(`${path}[${i}]`, f, m));
    else if (!f.includes('/')) {
      errs.push(invalid(`${path}[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

export function validateNamespace(ns: Namespace): FieldError[] {
  return [...validateName(ns, isDNS1123Label), ...validateFinalizers(ns.spec?.finalizers, 'spec.finalizers')];
}

export const namespaceResource: ResourceType<Obj<Namespace>> = {
  group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', namespaced: false,
  shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [
    statusSubresource('Namespace'),
    { name: 'finalize', kind: 'Namespace', verbs: ['update'] },
  ],
  schema: 'io.k8s.api.core.v1.Namespace',
  hasStatus: true,
  tracksGeneration: false,
  setDefaults: setNamespaceDefaults,
  validate: validateNamespace,
  validateUpdate: (ns) => validateNamespace(ns),
  columns: [column('Status', 'The status of the namespace'), CORE_AGE_COLUMN],
  row: (ns, now) => [ns.status?.phase ?? '', age(ns, now)],
  fields: { 'status.phase': (ns) => ns.status?.phase ?? '' },
};
