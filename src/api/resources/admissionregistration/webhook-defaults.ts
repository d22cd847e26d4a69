// Kubernetes' defaults for admissionregistration.k8s.io/v1 webhooks (SetDefaults_* in
// k8s.io/api's defaulting for the group).
import type {
  MutatingWebhook, MutatingWebhookConfiguration, ValidatingWebhook, ValidatingWebhookConfiguration,
} from 'kubernetes-types/admissionregistration/v1.js';
import type { WebhookRule } from './webhook-rule.js';

function setRuleDefaults(rule: WebhookRule): void {
  rule.scope ??= '*';
}

function setWebhookDefaults(hook: ValidatingWebhook | MutatingWebhook): void {
  hook.failurePolicy ??= 'Fail';
  hook.matchPolicy ??= 'Equivalent';
  hook.namespaceSelector ??= {};
  hook.objectSelector ??= {};
  hook.timeoutSeconds ??= 10;
  const service = hook.clientConfig?.service;
  if (service) service.port ??= 443;
  for (const rule of (hook.rules ?? []) as WebhookRule[]) setRuleDefaults(rule);
}

export function setValidatingWebhookConfigurationDefaults(c: ValidatingWebhookConfiguration): void {
  for (const hook of c.webhooks ?? []) setWebhookDefaults(hook);
}

export function setMutatingWebhookConfigurationDefaults(c: MutatingWebhookConfiguration): void {
  for (const hook of c.webhooks ?? []) {
    setWebhookDefaults(hook);
    hook.reinvocationPolicy ??= 'Never';
  }
}
