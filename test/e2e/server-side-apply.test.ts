// kubectl apply --server-side against the server: create and update (dropped keys go), a second
// manager's conflict as kubectl prints it, --force-conflicts, managers in get --show-managed-fields,
// and a client-side-applied object taken over by server-side apply.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { cmPath, configMap, createNamespace, deployPath, deployment, getObject, lines, yamlDocs } from './fixtures.js';
import { describeWithServer, uniqueName } from './suites.js';

function managers(obj: any): string[] {
  return (obj.metadata.managedFields ?? []).map((e: any) => `${e.manager}/${e.operation}`);
}

describeWithServer('kubectl apply --server-side', 'sqlite', (ctx) => {
  it('creates and updates a ConfigMap and a Deployment, removing what the manifest dropped', async () => {
    const { kite } = ctx;
    const ns = uniqueName('ssa');
    await createNamespace(kite, ns);
    const created = await kite.kubectl(['apply', '--server-side', '-f', '-'], {
      input: yamlDocs(configMap(ns, 'conf', { a: '1', b: '2' }), deployment(ns, 'web')),
    });
    assert.deepEqual(lines(created.stdout), ['configmap/conf serverside-applied', 'deployment.apps/web serverside-applied']);
    const dep = deployment(ns, 'web', { replicas: 2, image: 'nginx:1.27' }) as any;
    dep.spec.template.spec.containers.pop();
    const updated = await kite.kubectl(['apply', '--server-side', '-f', '-'], { input: yamlDocs(configMap(ns, 'conf', { a: '1' }), dep) });
    assert.deepEqual(lines(updated.stdout), ['configmap/conf serverside-applied', 'deployment.apps/web serverside-applied']);
    const cm = await getObject(kite, cmPath(ns, 'conf'));
    assert.deepEqual(cm.data, { a: '1' });
    const live = await getObject(kite, deployPath(ns, 'web'));
    assert.equal(live.spec.replicas, 2);
    assert.deepEqual(live.spec.template.spec.containers.map((c: any) => `${c.name}=${c.image}`), ['web=nginx:1.27']);
    const again = await kite.kubectl(['apply', '--server-side', '-f', '-'], { input: yamlDocs(configMap(ns, 'conf', { a: '1' })) });
    assert.deepEqual(lines(again.stdout), ['configmap/conf serverside-applied']);
    assert.equal((await getObject(kite, cmPath(ns, 'conf'))).metadata.resourceVersion, cm.metadata.resourceVersion);
  });

  it('reports a conflict with another manager as kubectl prints it, and takes over with --force-conflicts', async () => {
    const { kite } = ctx;
    const ns = uniqueName('ssa-conflict');
    await createNamespace(kite, ns);
    await kite.kubectl(['apply', '--server-side', '-f', '-'], { input: yamlDocs(configMap(ns, 'shared', { key: 'one' })) });
    const clash = await kite.kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-'], {
      input: yamlDocs(configMap(ns, 'shared', { key: 'two' })), allowFail: true,
    });
    assert.equal(clash.code, 1);
    const stderr = lines(clash.stderr);
    assert.equal(stderr[0], 'error: Apply failed with 1 conflict: conflict with "kubectl": .data.key');
    assert.match(clash.stderr, /re-run the apply\s+command with the `--force-conflicts` flag/);
    const forced = await kite.kubectl(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], {
      input: yamlDocs(configMap(ns, 'shared', { key: 'two' })),
    });
    assert.deepEqual(lines(forced.stdout), ['configmap/shared serverside-applied']);
    const shown = await kite.kubectl(['get', 'cm', 'shared', '-n', ns, '-o', 'yaml', '--show-managed-fields']);
    const obj = parseYaml(shown.stdout);
    assert.equal(obj.data.key, 'two');
    assert.deepEqual(managers(obj), ['other/Apply']);
    assert.deepEqual(obj.metadata.managedFields[0].fieldsV1, { 'f:data': { 'f:key': {} } });
    const hidden = parseYaml((await kite.kubectl(['get', 'cm', 'shared', '-n', ns, '-o', 'yaml'])).stdout);
    assert.equal(hidden.metadata.managedFields, undefined);
  });

  it('takes over a client-side-applied object: changed values apply without conflict and dropped keys go', async () => {
    const { kite } = ctx;
    const ns = uniqueName('ssa-migrate');
    await createNamespace(kite, ns);
    const csa = await kite.kubectl(['apply', '-f', '-'], { input: yamlDocs(configMap(ns, 'legacy', { a: '1', b: '2' })) });
    assert.deepEqual(lines(csa.stdout), ['configmap/legacy created']);
    const ssa = await kite.kubectl(['apply', '--server-side', '-f', '-'], { input: yamlDocs(configMap(ns, 'legacy', { a: '5' })) });
    assert.deepEqual(lines(ssa.stdout), ['configmap/legacy serverside-applied']);
    assert.equal(ssa.stderr.trim(), '');
    const cm = await getObject(kite, cmPath(ns, 'legacy'));
    assert.deepEqual(cm.data, { a: '5' });
    assert.deepEqual(managers(cm).filter((m) => m !== 'kubectl-last-applied/Apply'), ['kubectl/Apply']);
    const last = JSON.parse(cm.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    assert.deepEqual(last.data, { a: '5' });
  });
});
