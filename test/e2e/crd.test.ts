// CustomResourceDefinitions with the real kubectl and both official clients: a CRD with two
// versions, status and scale subresources, printer columns, shortNames and a category is applied
// and established; its objects are validated, defaulted, pruned, listed, explained, scaled and
// watched; a cluster-scoped CRD is served too; deleting a CRD removes its objects and resource.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import { track } from './child-processes.js';
import { lines } from './fixtures.js';
import { parseTable } from './kubectl.js';
import { pollUntil } from './polling.js';
import type { Kite } from './server-process.js';
import { describeBothStores, uniqueName } from './suites.js';

const GROUP = 'stable.kite.test';

function crd(plural: string, kind: string, scope: 'Namespaced' | 'Cluster', shortNames: string[]): object {
  const schema = {
    openAPIV3Schema: {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          description: 'The desired state of the widget.',
          properties: {
            size: { type: 'string', enum: ['small', 'large'], default: 'small', description: 'How big the widget is.' },
            replicas: { type: 'integer', minimum: 0, maximum: 10, description: 'How many copies to run.' },
            selector: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
        status: { type: 'object', properties: { replicas: { type: 'integer' }, phase: { type: 'string' } } },
      },
    },
  };
  const subresources = {
    status: {},
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
  };
  const additionalPrinterColumns = [
    { name: 'Size', type: 'string', jsonPath: '.spec.size' },
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    { name: 'Observed', type: 'integer', jsonPath: '.status.replicas', priority: 1 },
  ];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope,
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List`, shortNames, categories: ['kitetest'] },
      versions: [
        { name: 'v1', served: true, storage: true, schema, subresources, additionalPrinterColumns },
        { name: 'v1beta1', served: true, storage: false, schema, subresources, additionalPrinterColumns },
      ],
    },
  };
}

function widget(ns: string, name: string, spec: object, version = 'v1'): string {
  return JSON.stringify({ apiVersion: `${GROUP}/${version}`, kind: 'Widget', metadata: { name, namespace: ns }, spec });
}

async function applyCRD(kite: Kite, def: object, name: string): Promise<void> {
  const res = await kite.kubectl(['apply', '-f', '-'], { input: JSON.stringify(def) });
  assert.equal(res.stdout.trim(), `customresourcedefinition.apiextensions.k8s.io/${name} created`);
  const wait = await kite.kubectl(['wait', '--for', 'condition=established', '--timeout=30s', `crd/${name}`]);
  assert.equal(wait.stdout.trim(), `customresourcedefinition.apiextensions.k8s.io/${name} condition met`);
}

/** The Python interpreter that has the official client, if any. */
function pythonWithClient(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import kubernetes'], { stdio: 'ignore' }).status === 0) return py;
  }
  return undefined;
}

const PYTHON_WATCH = `
import json, sys
from kubernetes import client, config, watch
config.load_kube_config(config_file=sys.argv[1])
api = client.CustomObjectsApi()
group, version, ns, plural = sys.argv[2:6]
rv = api.list_namespaced_custom_object(group, version, ns, plural)["metadata"]["resourceVersion"]
print("READY", flush=True)
for ev in watch.Watch().stream(api.list_namespaced_custom_object, group, version, ns, plural, resource_version=rv, timeout_seconds=60):
    obj = ev["object"]
    print(json.dumps([ev["type"], obj["metadata"]["name"], obj["apiVersion"]]), flush=True)
    if ev["type"] == "DELETED":
        break
`;

describeBothStores('CustomResourceDefinitions', (ctx) => {
  let ns = '';

  it('applies a CRD and waits for it to be established', async () => {
    const { kite } = ctx;
    await applyCRD(kite, crd('widgets', 'Widget', 'Namespaced', ['wdg']), `widgets.${GROUP}`);
    ns = uniqueName('crd');
    await kite.kubectl(['create', 'namespace', ns]);
    const resources = await kite.kubectl(['api-resources', '--api-group', GROUP]);
    const row = parseTable(resources.stdout).find((r) => r.NAME === 'widgets');
    assert.ok(row, resources.stdout);
    assert.equal(row.SHORTNAMES, 'wdg');
    assert.equal(row.KIND, 'Widget');
    assert.equal(row.NAMESPACED, 'true');
  });

  it('creates objects in both versions, defaulted, pruned and validated', async () => {
    const { kite } = ctx;
    const one = await kite.kubectl(['apply', '-f', '-'], { input: widget(ns, 'one', { replicas: 1 }) });
    assert.equal(one.stdout.trim(), `widget.${GROUP}/one created`);
    await kite.kubectl(['apply', '-f', '-'], { input: widget(ns, 'two', { replicas: 2, size: 'large' }, 'v1beta1') });
    const got = JSON.parse((await kite.kubectl(['get', `widgets.v1beta1.${GROUP}`, 'one', '-n', ns, '-o', 'json'])).stdout);
    assert.equal(got.apiVersion, `${GROUP}/v1beta1`);
    assert.equal(got.spec.size, 'small', 'the default is applied');

    const strict = await kite.kubectl(['apply', '-f', '-'], { input: widget(ns, 'extra', { replicas: 1, colour: 'red' }), allowFail: true });
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, /unknown field "spec\.colour"/);
    await kite.kubectl(['apply', '--validate=false', '-f', '-'], { input: widget(ns, 'extra', { replicas: 1, colour: 'red' }) });
    const pruned = JSON.parse((await kite.kubectl(['get', 'wdg', 'extra', '-n', ns, '-o', 'json'])).stdout);
    assert.equal(pruned.spec.colour, undefined, 'unknown fields are pruned');

    const tooMany = await kite.kubectl(['apply', '-f', '-'], { input: widget(ns, 'bad', { replicas: 20 }), allowFail: true });
    assert.notEqual(tooMany.code, 0);
    assert.match(tooMany.stderr, /spec\.replicas: Invalid value: 20: spec\.replicas in body should be less than or equal to 10/);
    const badSize = await kite.kubectl(['apply', '-f', '-'], { input: widget(ns, 'bad', { size: 'huge' }), allowFail: true });
    assert.match(badSize.stderr, /spec\.size: Unsupported value: "huge": supported values: "small", "large"/);
  });

  it('lists by shortname and category with the printer columns', async () => {
    const { kite } = ctx;
    const table = parseTable((await kite.kubectl(['get', 'wdg', '-n', ns])).stdout);
    const two = table.find((r) => r.NAME === 'two');
    assert.ok(two, JSON.stringify(table));
    assert.deepEqual(Object.keys(two), ['NAME', 'SIZE', 'REPLICAS', 'PHASE', 'AGE']);
    assert.equal(two.SIZE, 'large');
    assert.equal(two.REPLICAS, '2');
    assert.equal(two.PHASE, '', 'kubectl prints a missing value (a null cell) as nothing');
    assert.match(two.AGE, /^\d+s$/);
    const wide = parseTable((await kite.kubectl(['get', 'wdg', 'two', '-n', ns, '-o', 'wide'])).stdout);
    assert.deepEqual(wide.map((r) => Object.keys(r)), [['NAME', 'SIZE', 'REPLICAS', 'PHASE', 'AGE', 'OBSERVED']]);
    assert.equal(wide[0].OBSERVED, '');
    const byCategory = (await kite.kubectl(['get', 'kitetest', '-n', ns, '-o', 'name'])).stdout;
    assert.match(byCategory, new RegExp(`widget\\.${GROUP.replace(/\./g, '\\.')}/one`));
  });

  it('explains the kind from the published OpenAPI schema', async () => {
    const { kite } = ctx;
    const explain = (await kite.kubectl(['explain', 'widget.spec'])).stdout;
    assert.match(explain, /KIND:\s+Widget/);
    assert.match(explain, /replicas\s+<integer>/);
    assert.match(explain, /How many copies to run\./);
  });

  it('scales through the scale subresource and updates status through the status subresource', async () => {
    const { kite } = ctx;
    const scaled = await kite.kubectl(['scale', 'wdg/one', '-n', ns, '--replicas=3']);
    assert.equal(scaled.stdout.trim(), `widget.${GROUP}/one scaled`);
    await kite.kubectl(['patch', 'wdg', 'one', '-n', ns, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Ready","replicas":3}}']);
    const one = JSON.parse((await kite.kubectl(['get', 'wdg', 'one', '-n', ns, '-o', 'json'])).stdout);
    assert.equal(one.spec.replicas, 3);
    assert.equal(one.status.phase, 'Ready');
    assert.equal(one.metadata.generation, 2, 'scaling changed spec; the status write did not move generation');
    const wide = parseTable((await kite.kubectl(['get', 'wdg', 'one', '-n', ns, '-o', 'wide'])).stdout);
    assert.deepEqual([wide[0].REPLICAS, wide[0].PHASE, wide[0].OBSERVED], ['3', 'Ready', '3']);
    // The main resource ignores status.
    await kite.kubectl(['patch', 'wdg', 'one', '-n', ns, '--type=merge', '-p', '{"status":{"phase":"Lost"}}']);
    const after = JSON.parse((await kite.kubectl(['get', 'wdg', 'one', '-n', ns, '-o', 'json'])).stdout);
    assert.equal(after.status.phase, 'Ready');
  });

  it('is watched by @kubernetes/client-node', async () => {
    const { kite } = ctx;
    const kc = new KubeConfig();
    kc.loadFromFile(kite.kubeconfig);
    const path = `/apis/${GROUP}/v1/namespaces/${ns}/widgets`;
    const rv = (await kite.request('GET', path)).json().metadata.resourceVersion;
    const events: string[] = [];
    let ended: unknown = 'not ended';
    const controller = await new Watch(kc).watch(path, { resourceVersion: rv }, (type, obj: any) => {
      if (type !== 'BOOKMARK') events.push(`${type} ${obj.metadata?.name}`);
    }, (err) => { ended = err; });
    try {
      await kite.kubectl(['apply', '-f', '-'], { input: widget(ns, 'js', { replicas: 1 }) });
      await kite.kubectl(['scale', 'wdg/js', '-n', ns, '--replicas=2']);
      await kite.kubectl(['delete', 'wdg', 'js', '-n', ns]);
      await pollUntil('three watch events', () => events.length >= 3, 15_000, 50);
      assert.deepEqual(events, ['ADDED js', 'MODIFIED js', 'DELETED js']);
      assert.equal(ended, 'not ended');
    } finally {
      controller.abort();
    }
  });

  it('is watched by the Python client\'s CustomObjectsApi', async (t) => {
    const { kite } = ctx;
    const py = pythonWithClient();
    if (!py) {
      if (process.env.CI) throw new Error('the Python kubernetes client is missing (apt-get install python3-kubernetes)');
      t.skip('the Python kubernetes client is not installed');
      return;
    }
    const child = track(spawn(py, ['-c', PYTHON_WATCH, kite.kubeconfig, GROUP, 'v1', ns, 'widgets'], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await pollUntil(`the Python watch to start (stderr: ${err})`, () => out.includes('READY'), 30_000, 50);
      await kite.kubectl(['apply', '-f', '-'], { input: widget(ns, 'py', { replicas: 1 }) });
      await kite.kubectl(['patch', 'wdg', 'py', '-n', ns, '--type=merge', '-p', '{"spec":{"size":"large"}}']);
      await kite.kubectl(['delete', 'wdg', 'py', '-n', ns]);
      assert.equal(await exited, 0, err);
      const events = out.split('\n').filter((l) => l.startsWith('[')).map((l) => JSON.parse(l));
      assert.deepEqual(events, [['ADDED', 'py', `${GROUP}/v1`], ['MODIFIED', 'py', `${GROUP}/v1`], ['DELETED', 'py', `${GROUP}/v1`]]);
    } finally {
      if (child.exitCode === null && child.pid) try { process.kill(child.pid, 'SIGKILL'); } catch { /* exited meanwhile */ }
    }
  });

  it('applies custom resources server-side: create, update, conflict and force, with managedFields', async () => {
    const { kite } = ctx;
    const obj = (spec: object) => JSON.stringify({ apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name: 'ssa', namespace: ns }, spec });
    const live = async () => JSON.parse((await kite.kubectl(['get', 'wdg', 'ssa', '-n', ns, '-o', 'json', '--show-managed-fields'])).stdout);
    const managers = (o: any) => o.metadata.managedFields.map((m: any) => `${m.manager}/${m.operation}`).sort();
    const created = await kite.kubectl(['apply', '--server-side', '-f', '-'], { input: obj({ replicas: 1, size: 'large' }) });
    assert.deepEqual(lines(created.stdout), [`widget.${GROUP}/ssa serverside-applied`]);
    const updated = await kite.kubectl(['apply', '--server-side', '-f', '-'], { input: obj({ replicas: 2 }) });
    assert.deepEqual(lines(updated.stdout), [`widget.${GROUP}/ssa serverside-applied`]);
    let w = await live();
    assert.equal(w.spec.replicas, 2);
    assert.equal(w.spec.size, 'small', 'the size the manifest dropped is removed, then defaulted');
    assert.deepEqual(managers(w), ['kubectl/Apply']);
    assert.deepEqual(w.metadata.managedFields[0].fieldsV1, { 'f:spec': { 'f:replicas': {} } });

    const clash = await kite.kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-'], { input: obj({ replicas: 5 }), allowFail: true });
    assert.equal(clash.code, 1);
    assert.equal(lines(clash.stderr)[0], 'error: Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
    const forced = await kite.kubectl(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], { input: obj({ replicas: 5 }) });
    assert.deepEqual(lines(forced.stdout), [`widget.${GROUP}/ssa serverside-applied`]);
    w = await live();
    assert.equal(w.spec.replicas, 5);
    assert.deepEqual(managers(w), ['other/Apply']);

    await kite.kubectl(['label', 'wdg', 'ssa', '-n', ns, 'tier=web']);
    assert.deepEqual(managers(await live()), ['kubectl-label/Update', 'other/Apply']);
    await kite.kubectl(['delete', 'wdg', 'ssa', '-n', ns]);
  });

  it('serves a cluster-scoped CRD', async () => {
    const { kite } = ctx;
    await applyCRD(kite, crd('gizmos', 'Gizmo', 'Cluster', ['gzm']), `gizmos.${GROUP}`);
    const obj = { apiVersion: `${GROUP}/v1`, kind: 'Gizmo', metadata: { name: 'g1' }, spec: { replicas: 4 } };
    await kite.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
    const table = parseTable((await kite.kubectl(['get', 'gzm'])).stdout);
    assert.deepEqual(table.map((r) => [r.NAME, r.SIZE, r.REPLICAS]), [['g1', 'small', '4']]);
  });

  it('deleting the CRD removes its objects and its resource', async () => {
    const { kite } = ctx;
    const kc = new KubeConfig();
    kc.loadFromFile(kite.kubeconfig);
    let watchEnded = false;
    const controller = await new Watch(kc).watch(`/apis/${GROUP}/v1/namespaces/${ns}/widgets`, {}, () => {}, () => { watchEnded = true; });
    const del = await kite.kubectl(['delete', 'crd', `widgets.${GROUP}`]);
    assert.equal(del.stdout.trim(), `customresourcedefinition.apiextensions.k8s.io "widgets.${GROUP}" deleted`);
    await pollUntil('the widgets to leave discovery', async () => (await kite.request('GET', `/apis/${GROUP}/v1`)).json().resources
      .every((r: { name: string }) => !r.name.startsWith('widgets')));
    const resources = await kite.kubectl(['api-resources', '--api-group', GROUP]);
    assert.ok(!parseTable(resources.stdout).some((r) => r.NAME === 'widgets'), resources.stdout);
    assert.equal((await kite.request('GET', `/apis/${GROUP}/v1/namespaces/${ns}/widgets/one`)).status, 404);
    await pollUntil('the open watch on the deleted resource to end', () => watchEnded, 15_000, 50);
    controller.abort();
    await applyCRD(kite, crd('widgets', 'Widget', 'Namespaced', ['wdg']), `widgets.${GROUP}`);
    const again = await kite.kubectl(['get', 'wdg', '-n', ns, '-o', 'name']);
    assert.equal(again.stdout.trim(), '', 'a new CRD of the same name starts empty');
  });
});
