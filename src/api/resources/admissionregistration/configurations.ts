// admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration and MutatingWebhookConfiguration
// (cluster-scoped); the API server calls the webhooks they list on matching writes.
import type { MutatingWebhookConfiguration, ValidatingWebhookConfiguration } from 'kubernetes-types/admissionregistration/v1.js';
import { AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import { setMutatingWebhookConfigurationDefaults, setValidatingWebhookConfigurationDefaults } from './webhook-defaults.js';
import { validateWebhooks } from './webhook-validation.js';

const WEBHOOKS_COLUMN = { name: 'Webhooks', type: 'integer' as const, priority: 0, description: 'The number of webhooks the configuration lists.' };

export const validatingwebhookconfigurations = defineResource<ValidatingWebhookConfiguration>({
  group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingWebhookConfiguration',
  plural: 'validatingwebhookconfigurations', singular: 'validatingwebhookconfiguration', namespaced: false,
  categories: ['api-extensions'],
  schema: 'io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration',
  setDefaults: setValidatingWebhookConfigurationDefaults,
  validate: (c) => validateWebhooks(c.webhooks, false),
  validateUpdate: (c) => validateWebhooks(c.webhooks, false),
  columns: [WEBHOOKS_COLUMN, AGE_COLUMN],
  row: (c, now) => [c.webhooks?.length ?? 0, age(c, now)],
});

export const mutatingwebhookconfigurations = defineResource<MutatingWebhookConfiguration>({
  group: 'admissionregistration.k8s.io', version: 'v1', kind: 'MutatingWebhookConfiguration',
  plural: 'mutatingwebhookconfigurations', singular: 'mutatingwebhookconfiguration', namespaced: false,
  categories: ['api-extensions'],
  schema: 'io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration',
  setDefaults: setMutatingWebhookConfigurationDefaults,
  validate: (c) => validateWebhooks(c.webhooks, true),
  validateUpdate: (c) => validateWebhooks(c.webhooks, true),
  columns: [WEBHOOKS_COLUMN, AGE_COLUMN],
  row: (c, now) => [c.webhooks?.length ?? 0, age(c, now)],
});
