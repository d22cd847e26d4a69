import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { MutatingWebhookConfiguration, ValidatingWebhook, ValidatingWebhookConfiguration } from 'kubernetes-types/admissionregistration/v1.js';
import type { WebhookRule } from './webhook-rule.js';
import { mutatingwebhookconfigurations, validatingwebhookconfigurations } from './configurations.js';

const k = (o: unknown) => o as KubeObject;
const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);

function hook(extra: Partial<ValidatingWebhook> = {}): ValidatingWebhook {
  return {
    name: 'deny.example.com', sideEffects: 'None', admissionReviewVersions: ['v1'],
    clientConfig: { service: { namespace: 'hooks', name: 'deny', path: '/validate' } },
    rules: [<WebhookRule>{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
    ...extra,
  };
}
const vwc = (...webhooks: ValidatingWebhook[]): ValidatingWebhookConfiguration =>
  ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'c' }, webhooks });
const validate = (c: ValidatingWebhookConfiguration) => messages(validatingwebhookconfigurations.validate!(k(c)));

describe('webhook configurations', () => {
  it('default as Kubernetes does', () => {
    const m: MutatingWebhookConfiguration = { metadata: { name: 'm' }, webhooks: [hook()] };
    mutatingwebhookconfigurations.setDefaults!(k(m));
    const h = m.webhooks![0]!;
    assert.deepEqual([h.failurePolicy, h.matchPolicy, h.namespaceSelector, h.objectSelector, h.timeoutSeconds, h.reinvocationPolicy],
      ['Fail', 'Equivalent', {}, {}, 10, 'Never']);
    assert.equal(h.clientConfig.service!.port, 443);
    assert.equal((h.rules![0] as WebhookRule).scope, '*');
    assert.equal(validatingwebhookconfigurations.namespaced, false);
  });

  it('accepts a complete webhook', () => assert.deepEqual(validate(vwc(hook())), []));

  const cases: { name: string; hook: ValidatingWebhook; want: string[] }[] = [
    { name: 'a name that is not fully qualified', hook: hook({ name: 'deny' }),
      want: ['webhooks[0].name: Invalid value: "deny": should be a domain with at least three segments separated by dots'] },
    { name: 'a missing sideEffects', hook: hook({ sideEffects: undefined as unknown as string }),
      want: ['webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun'] },
    { name: 'sideEffects Some', hook: hook({ sideEffects: 'Some' }),
      want: ['webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"'] },
    { name: 'review versions without v1', hook: hook({ admissionReviewVersions: ['v2'] }),
      want: ['webhooks[0].admissionReviewVersions: Invalid value: []string{"v2"}: must include at least one of v1, v1beta1'] },
    { name: 'both url and service', hook: hook({ clientConfig: { url: 'https://x.example.com', service: { namespace: 'a', name: 'b' } } }),
      want: ['webhooks[0].clientConfig: Required value: exactly one of url or service is required'] },
    { name: 'an http url with a query', hook: hook({ clientConfig: { url: 'http://x.example.com/a?b=c' } }),
      want: [`webhooks[0].clientConfig.url: Invalid value: "http": 'https' is the only allowed URL scheme`,
        'webhooks[0].clientConfig.url: Invalid value: "b=c": query parameters are not permitted in the URL'] },
    { name: 'a url with user info', hook: hook({ clientConfig: { url: 'https://me@x.example.com/' } }),
      want: ['webhooks[0].clientConfig.url: Invalid value: "me": user information is not permitted in the URL'] },
    { name: 'a timeout of 31 seconds', hook: hook({ timeoutSeconds: 31 }),
      want: ['webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds'] },
    { name: 'a rule with * and other operations', hook: hook({ rules: [<WebhookRule>{ operations: ['*', 'CREATE'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*/*'] }] }),
      want: [`webhooks[0].rules[0].operations: Invalid value: []string{"*", "CREATE"}: if '*' is present, must not specify other operations`] },
    { name: 'a rule without resources and an unknown operation', hook: hook({ rules: [<WebhookRule>{ operations: ['PATCH'], apiGroups: [''], apiVersions: ['v1'] }] }),
      want: ['webhooks[0].rules[0].operations[0]: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
        'webhooks[0].rules[0].resources: Required value'] },
    { name: 'a service path not starting with /', hook: hook({ clientConfig: { service: { namespace: 'a', name: 'b', path: 'x' } } }),
      want: [`webhooks[0].clientConfig.service.path: Invalid value: "x": must start with a '/'`] },
    { name: 'matchConditions', hook: hook({ matchConditions: [{ name: 'c', expression: 'true' }] }),
      want: ['webhooks[0].matchConditions: Forbidden: not supported: matchConditions are CEL expressions, which this server does not evaluate'] },
  ];
  for (const c of cases) it(`rejects ${c.name}`, () => assert.deepEqual(validate(vwc(c.hook)), c.want));

  it('rejects duplicate webhook names', () => {
    assert.deepEqual(validate(vwc(hook(), hook())), ['webhooks[1].name: Duplicate value: "deny.example.com"']);
  });

  it('prints WEBHOOKS AGE', () => {
    const c = { ...vwc(hook(), hook({ name: 'b.example.com' })), metadata: { name: 'c', creationTimestamp: '2024-01-01T00:00:00Z' } };
    assert.deepEqual(validatingwebhookconfigurations.row!(k(c), Date.parse('2024-01-02T00:00:00Z')), [2, '24h']);
  });
});
