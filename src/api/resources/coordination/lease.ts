// coordination.k8s.io/v1 Lease: leader election and node heartbeats.
import type { FieldError } from '../../../apimachinery/status.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import { forbidden, invalid, notSupported } from '../shared/field-errors.js';
import { isSet } from '../shared/is-set.js';

/** The only coordinated strategy Kubernetes knows. */
const STRATEGIES = ['OldestEmulationVersion'];

export function validateLease(lease: Lease): FieldError[] {
  const spec = lease.spec ?? {};
  const errs: FieldError[] = [];
  if (isSet(spec.leaseDurationSeconds) && spec.leaseDurationSeconds <= 0) {
    errs.push(invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (isSet(spec.leaseTransitions) && spec.leaseTransitions < 0) {
    errs.push(invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  const strategy = (spec as { strategy?: string }).strategy;
  if (isSet(strategy) && !STRATEGIES.includes(strategy)) errs.push(notSupported('spec.strategy', strategy, STRATEGIES));
  const preferred = (spec as { preferredHolder?: string }).preferredHolder;
  if (preferred && !strategy) errs.push(forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  return errs;
}

export const leases = defineResource<Lease>({
  group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', singular: 'lease',
  namespaced: true,
  schema: 'io.k8s.api.coordination.v1.Lease',
  validate: validateLease,
  validateUpdate: (lease) => validateLease(lease),
  columns: [
    { name: 'Holder', type: 'string', priority: 0, description: 'The identity of the current holder of the lease.' },
    AGE_COLUMN,
  ],
  row: (lease, now) => [lease.spec?.holderIdentity ?? '', age(lease, now)],
});
