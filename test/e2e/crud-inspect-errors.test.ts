// kubectl looking without changing: describe, explain, diff, wait; and the error messages users
// see (NotFound, AlreadyExists, Invalid, strict validation, malformed input, 409 Conflict).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  cmPath, configMap, createNamespace, createObject, deployPath, deployment, getObject, lines, seed, yamlDocs,
} from './fixtures.js';
import { describeBothStores, uniqueName } from './suites.js';

describeBothStores('kubectl CRUD', (ctx) => {
  // ---------------------------------------------------------------------------------- describe

  it('describes a deployment and a configmap', async () => {
    const { kite } = ctx;
    const ns = await seed(kite, 'describe');
    const dep = (await kite.kubectl(['describe', 'deployment', 'web', '-n', ns])).stdout;
    assert.match(dep, /^Name:\s+web$/m);
    assert.match(dep, new RegExp(`^Namespace:\\s+${ns}$`, 'm'));
    assert.match(dep, /^Labels:\s+app=web$/m);
    assert.match(dep, /^Selector:\s+app=web$/m);
    assert.match(dep, /^Replicas:\s+1 desired \| \d+ updated \| \d+ total \| \d+ available \| \d+ unavailable$/m);
    assert.match(dep, /^StrategyType:\s+RollingUpdate$/m);
    assert.match(dep, /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
    assert.match(dep, /^\s+web:\n\s+Image:\s+nginx:1\.25\n\s+Port:\s+80\/TCP$/m);
    assert.match(dep, /^\s+sidecar:\n\s+Image:\s+busybox:1\.36$/m);

    const cm = (await kite.kubectl(['describe', 'configmap', 'app-config', '-n', ns])).stdout;
    assert.match(cm, /^Name:\s+app-config$/m);
    assert.match(cm, new RegExp(`^Namespace:\\s+${ns}$`, 'm'));
    assert.match(cm, /^Labels:\s+<none>$/m);
    assert.match(cm, /^Data\n====\n/m);
    assert.match(cm, /^a:\n----\n1\n/m);
    assert.match(cm, /^b:\n----\ntwo\n/m);
  });

  // ---------------------------------------------------------------------------------- explain

  it('explains pods.spec.containers', async () => {
    const { kite } = ctx;
    const out = (await kite.kubectl(['explain', 'pods.spec.containers'])).stdout;
    assert.match(out, /^KIND:\s+Pod$/m);
    assert.match(out, /^VERSION:\s+v1$/m);
    assert.match(out, /^FIELD:\s+containers\s+<\[\]Container>$/m);
    assert.match(out, /^FIELDS:$/m);
    assert.match(out, /^\s+image\s+<string>$/m);
    assert.match(out, /^\s+name\s+<string> -required-$/m);
    assert.match(out, /^\s+ports\s+<\[\]ContainerPort>$/m);
  });

  // ---------------------------------------------------------------------------------- diff

  it('diffs without persisting anything', async () => {
    const { kite } = ctx;
    const ns = uniqueName('diff');
    await createNamespace(kite, ns);
    const live = yamlDocs(configMap(ns, 'cfg', { colour: 'blue' }));
    await kite.kubectl(['apply', '-f', '-'], { input: live });
    const before = await getObject(kite, cmPath(ns, 'cfg'));

    const same = await kite.kubectl(['diff', '-f', '-'], { input: live, allowFail: true });
    assert.equal(same.code, 0, `diff of the live manifest should find nothing:\n${same.stdout}${same.stderr}`);
    assert.equal(same.stdout, '');

    const changed = await kite.kubectl(['diff', '-f', '-'], { input: yamlDocs(configMap(ns, 'cfg', { colour: 'green' })), allowFail: true });
    assert.equal(changed.code, 1, `diff with a change exits 1:\n${changed.stdout}${changed.stderr}`);
    assert.match(changed.stdout, /^-\s+colour: blue$/m);
    assert.match(changed.stdout, /^\+\s+colour: green$/m);

    const created = await kite.kubectl(['diff', '-f', '-'], { input: yamlDocs(configMap(ns, 'new-one', { k: 'v' })), allowFail: true });
    assert.equal(created.code, 1, `diff of a new object exits 1:\n${created.stdout}${created.stderr}`);
    assert.match(created.stdout, /^\+\s+name: new-one$/m);

    const after = await getObject(kite, cmPath(ns, 'cfg'));
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion, 'diff changed the live object');
    assert.deepEqual(after.data, { colour: 'blue' });
    assert.equal((await kite.request('GET', cmPath(ns, 'new-one'))).status, 404, 'diff created an object');
  });

  // ---------------------------------------------------------------------------------- wait

  it('waits for a jsonpath condition set by a concurrent patch', async () => {
    const { kite } = ctx;
    const ns = uniqueName('wait');
    await createNamespace(kite, ns);
    await createObject(kite, cmPath(ns), configMap(ns, 'x', { a: 'a' }));
    const waiter = kite.spawnKubectl(['wait', '--for=jsonpath={.data.a}=b', 'cm/x', '-n', ns, '--timeout=60s', '-v=6']);
    try {
      // -v=6 logs each response; once the watch request has been answered, kubectl is watching.
      await waiter.waitFor((_, err) => /watch=true/.test(err), 20_000, 'kubectl wait to start watching');
      assert.equal(waiter.stdout(), '', 'the condition was not met yet');
      const res = await kite.request('PATCH', cmPath(ns, 'x'), { data: { a: 'b' } }, { 'Content-Type': 'application/merge-patch+json' });
      assert.equal(res.status, 200, res.body);
      const code = await waiter.exited(30_000);
      assert.equal(code, 0, waiter.stderr().slice(-3000));
      assert.deepEqual(lines(waiter.stdout()), ['configmap/x condition met']);
    } finally {
      await waiter.kill();
    }

    const deleteWaiter = kite.spawnKubectl(['wait', '--for=delete', 'cm/x', '-n', ns, '--timeout=60s', '-v=6']);
    try {
      await deleteWaiter.waitFor((_, err) => /watch=true/.test(err), 20_000, 'kubectl wait --for=delete to start watching');
      const res = await kite.request('DELETE', cmPath(ns, 'x'));
      assert.equal(res.status, 200, res.body);
      const code = await deleteWaiter.exited(30_000);
      assert.equal(code, 0, deleteWaiter.stderr().slice(-3000));
      assert.deepEqual(lines(deleteWaiter.stdout()), ['configmap/x condition met']);
    } finally {
      await deleteWaiter.kill();
    }
  });

  // ---------------------------------------------------------------------------------- errors

  it('reports NotFound for a missing object', async () => {
    const { kite } = ctx;
    const res = await kite.kubectl(['get', 'cm', 'does-not-exist', '-n', 'default'], { allowFail: true });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^Error from server \(NotFound\): configmaps "does-not-exist" not found$/m);
    const raw = await kite.request('GET', cmPath('default', 'does-not-exist'));
    assert.equal(raw.status, 404);
    const status = raw.json();
    assert.equal(status.kind, 'Status');
    assert.equal(status.reason, 'NotFound');
    assert.equal(status.code, 404);
    assert.equal(status.details.name, 'does-not-exist');
    assert.equal(status.details.kind, 'configmaps');
  });

  it('reports AlreadyExists when creating an existing object', async () => {
    const { kite } = ctx;
    const ns = await seed(kite, 'exists');
    const res = await kite.kubectl(['create', '-f', '-'], { input: yamlDocs(configMap(ns, 'app-config', { a: '9' })), allowFail: true });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /Error from server \(AlreadyExists\): .*configmaps "app-config" already exists/);
    assert.equal((await getObject(kite, cmPath(ns, 'app-config'))).data.a, '1');
  });

  it('reports an invalid deployment with the failing field', async () => {
    const { kite } = ctx;
    const ns = uniqueName('invalid');
    await createNamespace(kite, ns);
    const bad = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bad', namespace: ns },
      spec: { selector: { matchLabels: { app: 'bad' } }, template: { metadata: { labels: { app: 'bad' } }, spec: { containers: [] } } },
    };
    const res = await kite.kubectl(['create', '-f', '-'], { input: yamlDocs(bad), allowFail: true });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /The Deployment "bad" is invalid/);
    assert.match(res.stderr, /spec\.template\.spec\.containers: Required value/);
    assert.equal((await kite.request('GET', deployPath(ns, 'bad'))).status, 404);

    const raw = await kite.request('POST', deployPath(ns), bad);
    assert.equal(raw.status, 422);
    const status = raw.json();
    assert.equal(status.reason, 'Invalid');
    assert.equal(status.details.kind, 'Deployment');
    assert.equal(status.details.name, 'bad');
    assert.ok(status.details.causes.some((c: any) => c.field === 'spec.template.spec.containers' && c.reason === 'FieldValueRequired'),
      JSON.stringify(status.details.causes));
  });

  it('rejects an unknown field under strict validation and drops it with --validate=false', async () => {
    const { kite } = ctx;
    const ns = uniqueName('unknown');
    await createNamespace(kite, ns);
    const dep = deployment(ns, 'typo') as any;
    dep.spec.template.spec.containers[0].bogus = 1;
    const res = await kite.kubectl(['create', '-f', '-'], { input: yamlDocs(dep), allowFail: true });
    assert.equal(res.code, 1, res.stdout);
    assert.match(res.stderr, /unknown field "spec\.template\.spec\.containers\[0\]\.bogus"/);
    assert.equal((await kite.request('GET', deployPath(ns, 'typo'))).status, 404);

    const lax = await kite.kubectl(['create', '--validate=false', '-f', '-'], { input: yamlDocs(dep) });
    assert.deepEqual(lines(lax.stdout), ['deployment.apps/typo created']);
    const stored = await getObject(kite, deployPath(ns, 'typo'));
    assert.equal(stored.spec.template.spec.containers[0].bogus, undefined);
  });

  it('reports malformed YAML and malformed JSON clearly', async () => {
    const { kite } = ctx;
    const res = await kite.kubectl(['create', '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n data: [unclosed\n', allowFail: true,
    });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /error parsing STDIN: error converting YAML to JSON: yaml: /);

    const raw = await kite.request('POST', cmPath('default'), '{"apiVersion":"v1","kind":"ConfigMap",', { 'Content-Type': 'application/json' });
    assert.equal(raw.status, 400, raw.body);
    const status = raw.json();
    assert.equal(status.kind, 'Status');
    assert.equal(status.reason, 'BadRequest');
    assert.equal(status.code, 400);
  });

  it('answers 409 Conflict to a PUT with a stale resourceVersion', async () => {
    const { kite } = ctx;
    const ns = uniqueName('conflict');
    await createNamespace(kite, ns);
    const created = await createObject(kite, cmPath(ns), configMap(ns, 'x', { v: '1' }));
    const first = await kite.request('PUT', cmPath(ns, 'x'), { ...created, data: { v: '2' } });
    assert.equal(first.status, 200, first.body);
    assert.notEqual(first.json().metadata.resourceVersion, created.metadata.resourceVersion);

    const stale = await kite.request('PUT', cmPath(ns, 'x'), { ...created, data: { v: '3' } });
    assert.equal(stale.status, 409, stale.body);
    const status = stale.json();
    assert.equal(status.kind, 'Status');
    assert.equal(status.reason, 'Conflict');
    assert.equal(status.code, 409);
    assert.equal(status.message,
      'Operation cannot be fulfilled on configmaps "x": the object has been modified; please apply your changes to the latest version and try again');
    assert.deepEqual((await getObject(kite, cmPath(ns, 'x'))).data, { v: '2' });
  });
});
