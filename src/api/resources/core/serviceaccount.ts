// core/v1 ServiceAccount: name check, printing, and the `token` subresource (TokenRequest).
import type { ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { ResourceType } from '../../types.js';
import { isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { validateName, type Obj } from './meta-checks.js';
import { column, CORE_AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';

export const serviceAccountResource: ResourceType<Obj<ServiceAccount>> = {
  group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', singular: 'serviceaccount', namespaced: true,
  shortNames: ['sa'],
  subresources: [{ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] }],
  schema: 'io.k8s.api.core.v1.ServiceAccount',
  tracksGeneration: false,
  validate: (sa) => validateName(sa, isDNS1123Subdomain),
  validateUpdate: (sa) => validateName(sa, isDNS1123Subdomain),
  columns: [column('Secrets', 'Number of secrets listed for the account.'), CORE_AGE_COLUMN],
  row: (sa, now) => [(sa.secrets ?? []).length, age(sa, now)],
};
