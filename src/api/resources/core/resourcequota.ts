// core/v1 ResourceQuota: hard-limit checks and the REQUEST / LIMIT "used/hard" cells.
import type { ResourceQuota } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../../apimachinery/status.js';
import type { ResourceType } from '../../types.js';
import { isDNS1123Subdomain, isQualifiedName } from '../../../apimachinery/validation.js';
import { invalidEach, notSupported } from '../shared/field-errors.js';
import { validateName, type Obj } from './meta-checks.js';
import { column, CORE_AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';
import { canonicalQuantity, validateResourceList } from './quantities.js';
import { statusSubresource } from '../shared/subresources.js';

const SCOPES = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating'];

export function validateResourceQuota(rq: ResourceQuota): FieldError[] {
  const errs = validateName(rq, isDNS1123Subdomain);
  for (const name of Object.keys(rq.spec?.hard ?? {})) errs.push(...invalidEach(`spec.hard[${name}]`, name, isQualifiedName(name)));
  errs.push(...validateResourceList(rq.spec?.hard, 'spec.hard').errs);
  (rq.spec?.scopes ?? []).forEach((s, i) => { if (!SCOPES.includes(s)) errs.push(notSupported(`spec.scopes[${i}]`, s, SCOPES)); });
  return errs;
}

/** `name: used/hard` pairs, limits.* in the LIMIT cell and everything else in REQUEST. */
export function quotaCells(rq: ResourceQuota): [string, string] {
  const requests: string[] = [];
  const limits: string[] = [];
  for (const name of Object.keys(rq.spec?.hard ?? {}).sort()) {
    const used = canonicalQuantity(rq.status?.used?.[name]);
    const hard = canonicalQuantity(rq.status?.hard?.[name]);
    (name.split('.')[0] === 'limits' && name.includes('.') ? limits : requests).push(`${name}: ${used}/${hard}`);
  }
  return [requests.join(', '), limits.join(', ')];
}

export const resourceQuotaResource: ResourceType<Obj<ResourceQuota>> = {
  group: '', version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', singular: 'resourcequota', namespaced: true,
  shortNames: ['quota'],
  subresources: [statusSubresource('ResourceQuota')],
  schema: 'io.k8s.api.core.v1.ResourceQuota',
  hasStatus: true,
  tracksGeneration: false,
  validate: validateResourceQuota,
  validateUpdate: (rq) => validateResourceQuota(rq),
  columns: [
    CORE_AGE_COLUMN, column('Request', 'Used and hard amounts of the requests quotas.'),
    column('Limit', 'Used and hard amounts of the limits quotas.'),
  ],
  row: (rq, now) => [age(rq, now), ...quotaCells(rq)],
};
