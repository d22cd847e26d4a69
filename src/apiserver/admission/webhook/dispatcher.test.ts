import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/object.js';
import { StatusError } from '../../../apimachinery/status.js';
import type { AdmissionAttributes } from './attributes.js';
import { WebhookDispatcher } from './dispatcher.js';
import type { ConfiguredWebhook } from './hook.js';
import type { MatchedResource } from './matching.js';
import { jsonPatchResponse, startTestWebhookServer, type TestWebhookServer } from './webhook-server-testing.js';

const configMaps = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true };

function cmCreate(labels: Record<string, string> = {}, extra: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  return {
    operation: 'CREATE', rt: configMaps, subresource: '', namespace: 'team', name: 'cm',
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'team', labels } } as KubeObject,
    user: { name: 'alice', groups: ['system:authenticated'] }, dryRun: false, ...extra,
  };
}

let server: TestWebhookServer;
before(async () => {
  server = await startTestWebhookServer(async (req, path) => {
    if (path.startsWith('/slow')) await new Promise((r) => setTimeout(r, 2500));
    if (path.startsWith('/deny') && req.object?.metadata?.labels?.reject === 'yes') {
      return { allowed: false, status: { message: 'objects labelled reject=yes are not allowed' }, warnings: ['looked at it'] };
    }
    if (path.startsWith('/label/')) {
      const key = path.slice('/label/'.length).split('?')[0]!;
      const labels = req.object?.metadata?.labels ?? {};
      if (labels[key] !== undefined) return { allowed: true };
      return jsonPatchResponse(labels && req.object?.metadata?.labels
        ? [{ op: 'add', path: `/metadata/labels/${key}`, value: String(Object.keys(labels).length) }]
        : [{ op: 'add', path: '/metadata/labels', value: { [key]: '0' } }]);
    }
    return { allowed: true };
  }, { dnsNames: ['hook.hooks.svc'] });
});
after(() => server.close());

function hook(name: string, path: string, extra: Partial<ConfiguredWebhook['spec']> = {}, configuration = 'c'): ConfiguredWebhook {
  return {
    configuration,
    spec: {
      name, sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: 'Fail', timeoutSeconds: 10,
      clientConfig: { url: server.url(path), caBundle: server.caBundle },
      rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], scope: '*' } as never],
      namespaceSelector: {}, objectSelector: {}, ...extra,
    },
  };
}

function dispatcher(validating: ConfiguredWebhook[], mutating: ConfiguredWebhook[] = [], opts: { equivalents?: MatchedResource[] } = {}) {
  return new WebhookDispatcher({
    hooks: { validatingHooks: async () => validating, mutatingHooks: async () => mutating },
    resolveService: async (ns, name) => (ns === 'hooks' && name === 'hook' ? { clusterIP: '127.0.0.1' } : undefined),
    namespaceLabels: async (ns): Promise<Record<string, string>> => (ns === 'team' ? { env: 'prod' } : {}),
    equivalents: () => opts.equivalents ?? [],
  });
}

async function rejection(p: Promise<unknown>): Promise<StatusError> {
  try { await p; } catch (e) { assert.ok(e instanceof StatusError, String(e)); return e; }
  assert.fail('expected the request to be refused');
}

describe('admission webhook dispatcher', () => {
  it('refuses with the webhook message and 403, passes good objects and collects warnings', async () => {
    const d = dispatcher([hook('deny.example.com', '/deny')]);
    const warnings: string[] = [];
    const e = await rejection(d.validate(cmCreate({ reject: 'yes' }), { warnings }));
    assert.equal(e.code, 403);
    assert.equal(e.message, 'admission webhook "deny.example.com" denied the request: objects labelled reject=yes are not allowed');
    assert.deepEqual(warnings, ['looked at it']);
    await d.validate(cmCreate({ ok: 'yes' }));
  });

  it('sends an AdmissionReview v1 with the request attributes', async () => {
    server.requests.length = 0;
    await dispatcher([hook('look.example.com', '/look')]).validate(cmCreate({}, { dryRun: true, options: { kind: 'CreateOptions' } }));
    const [{ review, path }] = server.requests as [typeof server.requests[0]];
    assert.equal(path, '/look?timeout=10s');
    assert.deepEqual([review.operation, review.name, review.namespace, review.dryRun, review.userInfo.username],
      ['CREATE', 'cm', 'team', true, 'alice']);
    assert.deepEqual(review.kind, { group: '', version: 'v1', kind: 'ConfigMap' });
    assert.deepEqual(review.resource, { group: '', version: 'v1', resource: 'configmaps' });
    assert.deepEqual(review.options, { kind: 'CreateOptions' });
    assert.equal(review.oldObject, null);
  });

  it('matches rules by operation, resource, subresource and scope', async () => {
    server.requests.length = 0;
    const d = dispatcher([
      hook('status.example.com', '/status', { rules: [{ operations: ['UPDATE'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*/status'] } as never] }),
      hook('cluster.example.com', '/cluster', { rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], scope: 'Cluster' } as never] }),
      hook('all.example.com', '/all', { rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*/*'] } as never] }),
    ]);
    await d.validate(cmCreate());
    await d.validate({ ...cmCreate(), operation: 'UPDATE', subresource: 'status', oldObject: cmCreate().object });
    const paths = server.requests.map((r) => r.path.split('?')[0]);
    assert.equal(paths.filter((p) => p === '/cluster').length, 0);
    assert.equal(paths.filter((p) => p === '/status').length, 1);
    assert.equal(paths.filter((p) => p === '/all').length, 2);
  });

  it('selects by namespace labels, by old or new object labels, and a Namespace by its own labels', async () => {
    server.requests.length = 0;
    const prodOnly = hook('prod.example.com', '/prod', {
      namespaceSelector: { matchLabels: { env: 'prod' } },
      rules: [{ operations: ['*'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps', 'namespaces'] } as never],
    });
    const labelled = hook('obj.example.com', '/obj', { objectSelector: { matchExpressions: [{ key: 'watch', operator: 'Exists' }] } });
    const d = dispatcher([prodOnly, labelled]);
    await d.validate(cmCreate());
    await d.validate({ ...cmCreate(), namespace: 'dev' });
    await d.validate({ ...cmCreate(), operation: 'UPDATE', oldObject: { metadata: { labels: { watch: '1' } } } as KubeObject });
    const ns = (labels: Record<string, string>) => ({
      ...cmCreate(), rt: { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false }, namespace: undefined,
      object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n', labels } } as KubeObject,
    });
    await d.validate(ns({ env: 'prod' }));
    await d.validate(ns({ env: 'dev' }));
    assert.deepEqual(server.requests.map((r) => r.path.split('?')[0]), ['/prod', '/prod', '/obj', '/prod']);
  });

  it('runs mutating webhooks by configuration name, applies their patches and reinvokes IfNeeded ones', async () => {
    server.requests.length = 0;
    const d = dispatcher([], [
      hook('second.example.com', '/label/second', {}, 'b-config'),
      hook('first.example.com', '/label/first', { reinvocationPolicy: 'IfNeeded' }, 'a-config'),
    ].sort((x, y) => x.configuration.localeCompare(y.configuration)));
    const a = cmCreate();
    let defaulted = 0;
    await d.mutate(a, { setDefaults: () => { defaulted++; } });
    assert.deepEqual(a.object!.metadata!.labels, { first: '0', second: '1' });
    assert.deepEqual(server.requests.map((r) => r.path.split('?')[0]), ['/label/first', '/label/second', '/label/first']);
    assert.equal(defaulted, 2);
    assert.equal(a.object!.apiVersion, 'v1');
  });

  it('ignores or fails on an unreachable webhook as failurePolicy says', async () => {
    const closed = await startTestWebhookServer(() => ({ allowed: true }));
    await closed.close();
    const down = { url: closed.url('/x'), caBundle: closed.caBundle };
    await dispatcher([hook('ignore.example.com', '/', { clientConfig: down, failurePolicy: 'Ignore' })]).validate(cmCreate());
    const e = await rejection(dispatcher([hook('fail.example.com', '/', { clientConfig: down })]).validate(cmCreate()));
    assert.equal(e.code, 500);
    assert.match(e.message, new RegExp(`^Internal error occurred: failed calling webhook "fail.example.com": failed to call webhook: Post "https://127.0.0.1:${closed.port}/x\\?timeout=10s": .*ECONNREFUSED`));
  });

  it('fails a webhook that does not answer within timeoutSeconds', async () => {
    const e = await rejection(dispatcher([hook('slow.example.com', '/slow', { timeoutSeconds: 1 })]).validate(cmCreate()));
    assert.match(e.message, /failed calling webhook "slow.example.com": failed to call webhook: Post ".*\/slow\?timeout=1s": context deadline exceeded$/);
  });

  it('reaches a Service by its ClusterIP with the service name as TLS server name, and fails on a missing one', async () => {
    server.requests.length = 0;
    const svc = (name: string) => ({ service: { namespace: 'hooks', name, port: server.port, path: '/deny' }, caBundle: server.caBundle });
    const e = await rejection(dispatcher([hook('svc.example.com', '', { clientConfig: svc('hook') })]).validate(cmCreate({ reject: 'yes' })));
    assert.equal(e.code, 403);
    const missing = await rejection(dispatcher([hook('gone.example.com', '', { clientConfig: svc('gone') })]).validate(cmCreate()));
    assert.equal(missing.message,
      `Internal error occurred: failed calling webhook "gone.example.com": failed to call webhook: Post "https://gone.hooks.svc:${server.port}/deny?timeout=10s": service "gone" not found`);
  });

  it('refuses a dry run for webhooks with side effects and sends dryRun to the others', async () => {
    const e = await rejection(dispatcher([hook('fx.example.com', '/', { sideEffects: 'Unknown' })]).validate(cmCreate({}, { dryRun: true })));
    assert.equal(e.code, 400);
    assert.equal(e.message, 'admission webhook "fx.example.com" does not support dry run');
  });

  it('never calls webhooks for webhook configurations', async () => {
    server.requests.length = 0;
    const all = hook('all.example.com', '/all', { rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] } as never] });
    await dispatcher([all]).validate({
      ...cmCreate(), namespace: undefined,
      rt: { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations', namespaced: false },
    });
    assert.equal(server.requests.length, 0);
  });

  it('with matchPolicy Equivalent calls a webhook written for another served version of the resource', async () => {
    server.requests.length = 0;
    const old = hook('beta.example.com', '/beta', { rules: [{ operations: ['CREATE'], apiGroups: ['example.com'], apiVersions: ['v1beta1'], resources: ['widgets'] } as never] });
    const widgets = { group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true };
    const eq = [{ group: 'example.com', version: 'v1beta1', kind: 'Widget', plural: 'widgets' }];
    const a = { ...cmCreate(), rt: widgets, object: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } } as KubeObject };
    await dispatcher([old], [], { equivalents: eq }).validate(a);
    await dispatcher([{ ...old, spec: { ...old.spec, matchPolicy: 'Exact' } }], [], { equivalents: eq }).validate(a);
    assert.equal(server.requests.length, 1);
    const r = server.requests[0]!.review;
    assert.deepEqual([r.kind.version, r.requestKind.version, (r.object as { apiVersion?: string }).apiVersion], ['v1beta1', 'v1', 'example.com/v1beta1']);
  });
});
