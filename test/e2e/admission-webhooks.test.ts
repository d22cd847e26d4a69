// Admission webhooks served by a pod in the cluster, seen through the real kubectl: a Node.js
// webhook (an image built here from this machine's node binary) behind a Service, over HTTPS with
// a certificate for <service>.<namespace>.svc whose CA is the caBundle. A validating webhook
// refuses ConfigMaps labelled reject=yes with its message, a mutating one labels new ConfigMaps,
// failurePolicy decides for a Service without endpoints, and server-side dry runs reach webhooks
// with sideEffects None. Needs root and containerd (else skipped).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createCertificateAuthority, issueCertificate } from '../../src/apiserver/pki/certificates.js';
import { agentPaths } from '../../src/kubelet/paths.js';
import { describeWithAgent } from './agent-suite.js';
import { importHostBinaryImage } from './host-binary-image.js';
import { pollUntil } from './polling.js';

const NODE = '/usr/bin/node';
const IMAGE = 'kite.local/webhook-node:e2e';
const DENIAL = 'configmaps labelled reject=yes are refused';

/** The webhook: /validate refuses reject=yes, /mutate adds webhook-mutated=yes to new objects. */
const SERVER_JS = `
const https = require('node:https');
const fs = require('node:fs');
const tls = { cert: fs.readFileSync('/tls/tls.crt'), key: fs.readFileSync('/tls/tls.key') };
https.createServer(tls, (req, res) => {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', () => {
    const review = JSON.parse(body);
    const rq = review.request;
    const response = { uid: rq.uid, allowed: true };
    const labels = (rq.object && rq.object.metadata && rq.object.metadata.labels) || {};
    if (req.url.startsWith('/validate') && labels.reject === 'yes') {
      response.allowed = false;
      response.status = { code: 403, message: ${JSON.stringify(DENIAL)} };
    }
    if (req.url.startsWith('/mutate') && rq.operation === 'CREATE') {
      const ops = rq.object.metadata.labels
        ? [{ op: 'add', path: '/metadata/labels/webhook-mutated', value: 'yes' }]
        : [{ op: 'add', path: '/metadata/labels', value: { 'webhook-mutated': 'yes' } }];
      response.patchType = 'JSONPatch';
      response.patch = Buffer.from(JSON.stringify(ops)).toString('base64');
    }
    console.log(rq.operation, rq.resource.resource, rq.name, 'dryRun=' + rq.dryRun, 'allowed=' + response.allowed);
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: 'AdmissionReview', response }));
  });
}).listen(8443, () => console.log('listening on 8443'));
`;

describeWithAgent('admission webhooks served in the cluster', (ctx) => {
  let caBundle = '';
  const kubectl = (args: string[], input?: string) => ctx.kite.kubectl(args, { input, allowFail: true });
  const configMap = (name: string, labels: Record<string, string> = {}) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ctx.ns, labels }, data: { k: 'v' } });
  const webhook = (name: string, service: string, path: string, extra: Record<string, unknown> = {}) => ({
    name, sideEffects: 'None', admissionReviewVersions: ['v1'], timeoutSeconds: 5,
    clientConfig: { service: { namespace: ctx.ns, name: service, path }, caBundle },
    namespaceSelector: { matchLabels: { 'webhook-e2e': ctx.ns } },
    rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
    ...extra,
  });

  it('runs a webhook server in a pod behind a Service, over HTTPS for <service>.<namespace>.svc', async () => {
    await importHostBinaryImage(IMAGE, NODE, agentPaths(ctx.kite.dataDir).containerd.socket);
    const ca = await createCertificateAuthority('webhook-e2e-ca');
    const leaf = await issueCertificate(ca, { commonName: `webhook.${ctx.ns}.svc`, usage: 'server', dnsNames: [`webhook.${ctx.ns}.svc`] });
    caBundle = Buffer.from(ca.caCert).toString('base64');
    const items: unknown[] = [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'webhook-tls' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': leaf.cert, 'tls.key': leaf.key } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'webhook-script' }, data: { 'server.js': SERVER_JS } },
    {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'webhook', labels: { app: 'webhook' } },
      spec: {
        containers: [{
          name: 'webhook', image: IMAGE, imagePullPolicy: 'Never', command: [NODE, '/script/server.js'],
          ports: [{ containerPort: 8443 }], readinessProbe: { tcpSocket: { port: 8443 }, periodSeconds: 1 },
          volumeMounts: [{ name: 'tls', mountPath: '/tls', readOnly: true }, { name: 'script', mountPath: '/script', readOnly: true }],
        }],
        volumes: [{ name: 'tls', secret: { secretName: 'webhook-tls' } }, { name: 'script', configMap: { name: 'webhook-script' } }],
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'webhook' }, spec: { selector: { app: 'webhook' }, ports: [{ port: 443, targetPort: 8443 }] } },
    // A Service nothing backs: its webhooks cannot be reached.
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nowhere' }, spec: { selector: { app: 'nothing' }, ports: [{ port: 443, targetPort: 8443 }] } },
    ];
    for (const item of items) await ctx.apply(JSON.stringify(item));
    await ctx.kite.kubectl(['wait', '-n', ctx.ns, '--for=condition=Ready', 'pod/webhook', '--timeout=90s'], { timeoutMs: 100_000 });
    await ctx.kite.kubectl(['label', 'namespace', ctx.ns, `webhook-e2e=${ctx.ns}`]);
  });

  it('a ValidatingWebhookConfiguration refuses a bad ConfigMap with the webhook message and admits good ones', async () => {
    await ctx.kite.kubectl(['create', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: `deny-${ctx.ns}` },
        webhooks: [webhook('deny.kite.test', 'webhook', '/validate')],
      }),
    });
    // The API server learns of the configuration through its watch.
    const refused = await pollUntil('the webhook to refuse reject=yes', async () => {
      const r = await kubectl(['create', '-f', '-'], configMap('bad', { reject: 'yes' }));
      if (r.code === 0) await kubectl(['delete', 'configmap', '-n', ctx.ns, 'bad']);
      return r.code !== 0 ? r : undefined;
    }, 30_000, 500);
    assert.equal(refused.stderr.trim(), `Error from server: error when creating "STDIN": admission webhook "deny.kite.test" denied the request: ${DENIAL}`);
    const applied = await kubectl(['apply', '-f', '-'], configMap('bad-applied', { reject: 'yes' }));
    assert.notEqual(applied.code, 0);
    assert.match(applied.stderr, new RegExp(`admission webhook "deny.kite.test" denied the request: ${DENIAL}`));
    assert.equal((await kubectl(['create', '-f', '-'], configMap('good', { reject: 'no' }))).code, 0);
    assert.equal((await kubectl(['apply', '-f', '-'], configMap('good-applied'))).code, 0);
    const label = await kubectl(['label', 'configmap', '-n', ctx.ns, 'good', 'reject=yes', '--overwrite']);
    assert.notEqual(label.code, 0);
    assert.match(label.stderr, /denied the request: configmaps labelled reject=yes are refused/);
  });

  it('a MutatingWebhookConfiguration labels new ConfigMaps', async () => {
    await ctx.kite.kubectl(['create', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: `label-${ctx.ns}` },
        webhooks: [webhook('label.kite.test', 'webhook', '/mutate', { reinvocationPolicy: 'IfNeeded' })],
      }),
    });
    let n = 0;
    await pollUntil('new ConfigMaps to be labelled', async () => {
      const name = `mutated-${++n}`;
      await ctx.kite.kubectl(['create', '-f', '-'], { input: configMap(name) });
      const { stdout } = await ctx.kite.kubectl(['get', 'configmap', '-n', ctx.ns, name, '-o', 'jsonpath={.metadata.labels.webhook-mutated}']);
      return stdout === 'yes';
    }, 30_000, 500);
  });

  it('--dry-run=server reaches webhooks with sideEffects None and stores nothing', async () => {
    const dry = await ctx.kite.kubectl(['create', '-f', '-', '--dry-run=server', '-o', 'json'], { input: configMap('dry') });
    assert.equal(JSON.parse(dry.stdout).metadata.labels['webhook-mutated'], 'yes');
    assert.notEqual((await kubectl(['get', 'configmap', '-n', ctx.ns, 'dry'])).code, 0);
    const bad = await kubectl(['create', '-f', '-', '--dry-run=server'], configMap('dry-bad', { reject: 'yes' }));
    assert.match(bad.stderr, /admission webhook "deny.kite.test" denied the request/);
    const { stdout } = await ctx.kite.kubectl(['logs', '-n', ctx.ns, 'webhook']);
    assert.match(stdout, /CREATE configmaps dry dryRun=true/);
  });

  it('failurePolicy Ignore admits and Fail refuses when the webhook Service has no endpoints', async () => {
    const unreachable = (policy: string) => JSON.stringify({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: `nowhere-${policy.toLowerCase()}-${ctx.ns}` },
      webhooks: [webhook(`nowhere-${policy.toLowerCase()}.kite.test`, 'nowhere', '/validate', {
        failurePolicy: policy, timeoutSeconds: 2, objectSelector: { matchLabels: { target: policy.toLowerCase() } },
      })],
    });
    await ctx.kite.kubectl(['create', '-f', '-'], { input: unreachable('Ignore') });
    await ctx.kite.kubectl(['create', '-f', '-'], { input: unreachable('Fail') });
    assert.equal((await kubectl(['create', '-f', '-'], configMap('ignored', { target: 'ignore' }))).code, 0);
    const failed = await pollUntil('the Fail webhook to refuse', async () => {
      const r = await kubectl(['create', '-f', '-'], configMap(`failed-${Date.now()}`, { target: 'fail' }));
      return r.code !== 0 ? r : undefined;
    }, 30_000, 500);
    assert.match(failed.stderr,
      new RegExp(`^Error from server \\(InternalError\\): error when creating "STDIN": Internal error occurred: failed calling webhook "nowhere-fail.kite.test": failed to call webhook: Post "https://nowhere.${ctx.ns}.svc:443/validate\\?timeout=2s": `));
  });

  it('deletes the webhook configurations, after which anything is admitted again', async () => {
    await ctx.kite.kubectl(['delete', 'validatingwebhookconfigurations', `deny-${ctx.ns}`, `nowhere-ignore-${ctx.ns}`, `nowhere-fail-${ctx.ns}`]);
    await ctx.kite.kubectl(['delete', 'mutatingwebhookconfigurations', `label-${ctx.ns}`]);
    await pollUntil('reject=yes to be admitted', async () => (await kubectl(['create', '-f', '-'], configMap(`free-${Date.now()}`, { reject: 'yes' }))).code === 0, 30_000, 500);
    const { stdout } = await ctx.kite.kubectl(['get', 'validatingwebhookconfigurations,mutatingwebhookconfigurations', '-o', 'name']);
    assert.equal(stdout.trim(), '');
  });
});
