// kubectl changing and removing objects against the server: apply (configure, unchanged, prune),
// replace, delete (by file, name and label; a namespace with its contents), label, annotate,
// patch (strategic merge, JSON merge, JSON patch), edit and scale.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  cmPath, configMap, createNamespace, createObject, deployPath, deployment, getObject, lines, seed, yamlDocs,
} from './fixtures.js';
import { describeBothStores, uniqueName } from './suites.js';

describeBothStores('kubectl CRUD', (ctx) => {
  // ---------------------------------------------------------------------------------- apply

  it('applies: creates, configures, reports unchanged, and prunes keys dropped from the manifest', async () => {
    const { kite } = ctx;
    const ns = uniqueName('apply');
    await createNamespace(kite, ns);
    const v1 = yamlDocs(configMap(ns, 'settings', { mode: 'fast', level: '1' }), deployment(ns, 'api', { replicas: 1 }));
    const created = await kite.kubectl(['apply', '-f', '-'], { input: v1 });
    assert.deepEqual(lines(created.stdout), ['configmap/settings created', 'deployment.apps/api created']);

    const cm1 = await getObject(kite, cmPath(ns, 'settings'));
    const lastApplied = cm1.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
    assert.ok(lastApplied, 'last-applied-configuration annotation missing');
    assert.deepEqual(JSON.parse(lastApplied).data, { mode: 'fast', level: '1' });

    // Someone else's label survives apply (it is not in the last-applied configuration).
    await kite.kubectl(['label', 'cm', 'settings', '-n', ns, 'owner=ops']);

    const v2 = yamlDocs(
      configMap(ns, 'settings', { mode: 'safe' }),
      deployment(ns, 'api', { replicas: 2, image: 'nginx:1.27' }),
    );
    const configured = await kite.kubectl(['apply', '-f', '-'], { input: v2 });
    assert.deepEqual(lines(configured.stdout), ['configmap/settings configured', 'deployment.apps/api configured']);
    const cm2 = await getObject(kite, cmPath(ns, 'settings'));
    assert.deepEqual(cm2.data, { mode: 'safe' }, 'a key removed from the manifest is removed from the object');
    assert.equal(cm2.metadata.labels?.owner, 'ops');
    assert.deepEqual(JSON.parse(cm2.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).data, { mode: 'safe' });
    const dep2 = await getObject(kite, deployPath(ns, 'api'));
    assert.equal(dep2.spec.replicas, 2);
    assert.equal(dep2.spec.template.spec.containers[0].image, 'nginx:1.27');
    assert.equal(dep2.spec.template.spec.containers[1].image, 'busybox:1.36');
    assert.equal(dep2.metadata.generation, 2, 'a spec change bumps generation');

    const unchanged = await kite.kubectl(['apply', '-f', '-'], { input: v2 });
    assert.deepEqual(lines(unchanged.stdout), ['configmap/settings unchanged', 'deployment.apps/api unchanged']);
    // Nothing was written: the configmap keeps its resourceVersion (the deployment's moves with
    // its controller's status writes, so its generation is what shows no spec write happened).
    const cm3 = await getObject(kite, cmPath(ns, 'settings'));
    assert.equal(cm3.metadata.resourceVersion, cm2.metadata.resourceVersion);
    const dep3 = await getObject(kite, deployPath(ns, 'api'));
    assert.equal(dep3.metadata.generation, 2);
  });

  it('replaces an object from a file', async () => {
    const { kite } = ctx;
    const ns = await seed(kite, 'replace');
    const before = await getObject(kite, cmPath(ns, 'app-config'));
    const res = await kite.kubectl(['replace', '-f', '-'], { input: yamlDocs(configMap(ns, 'app-config', { c: '3' })) });
    assert.deepEqual(lines(res.stdout), ['configmap/app-config replaced']);
    const after = await getObject(kite, cmPath(ns, 'app-config'));
    assert.deepEqual(after.data, { c: '3' });
    assert.equal(after.metadata.uid, before.metadata.uid);
    assert.notEqual(after.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.ok(Number(after.metadata.resourceVersion) > Number(before.metadata.resourceVersion));
  });

  // ---------------------------------------------------------------------------------- delete

  it('deletes by file, by name and by label, waiting for the objects to go', async () => {
    const { kite } = ctx;
    const ns = uniqueName('delete');
    await createNamespace(kite, ns);
    const manifest = yamlDocs(configMap(ns, 'from-file', { a: '1' }));
    await kite.kubectl(['create', '-f', '-'], { input: manifest });
    for (const [name, labels] of [['one', { tier: 'x' }], ['two', { tier: 'x' }], ['three', { tier: 'y' }], ['byname', undefined]] as const) {
      await createObject(kite, cmPath(ns), configMap(ns, name, { k: 'v' }, labels));
    }

    const byFile = await kite.kubectl(['delete', '-f', '-'], { input: manifest });
    assert.deepEqual(lines(byFile.stdout), ['configmap "from-file" deleted']);
    assert.equal((await kite.request('GET', cmPath(ns, 'from-file'))).status, 404);

    const byName = await kite.kubectl(['delete', 'configmap', 'byname', '-n', ns, '--wait=true', '--timeout=30s']);
    assert.deepEqual(lines(byName.stdout), ['configmap "byname" deleted']);
    assert.equal((await kite.request('GET', cmPath(ns, 'byname'))).status, 404);

    const byLabel = await kite.kubectl(['delete', 'cm', '-n', ns, '-l', 'tier=x', '--timeout=30s']);
    assert.deepEqual(lines(byLabel.stdout).sort(), ['configmap "one" deleted', 'configmap "two" deleted']);
    const left = (await getObject(kite, cmPath(ns))).items.map((i: any) => i.metadata.name);
    assert.ok(left.includes('three'));
    assert.ok(!left.includes('one') && !left.includes('two'));
  });

  it('deletes a deployment and a namespace with its contents', async () => {
    const { kite } = ctx;
    const ns = await seed(kite, 'nsdel');
    const dep = await kite.kubectl(['delete', 'deployment', 'web', '-n', ns, '--timeout=30s']);
    assert.deepEqual(lines(dep.stdout), ['deployment.apps "web" deleted']);
    assert.equal((await kite.request('GET', deployPath(ns, 'web'))).status, 404);

    // The namespace controller empties the namespace, then finalizes it.
    const res = await kite.kubectl(['delete', 'namespace', ns, '--timeout=60s']);
    assert.deepEqual(lines(res.stdout), [`namespace "${ns}" deleted`]);
    assert.equal((await kite.request('GET', `/api/v1/namespaces/${ns}`)).status, 404);
    const cms = await getObject(kite, cmPath(ns));
    assert.deepEqual(cms.items, [], 'configmaps of a deleted namespace are gone');
  });

  // ---------------------------------------------------------------------------------- label / annotate

  it('labels and annotates, refusing to overwrite without --overwrite, and removes with key-', async () => {
    const { kite } = ctx;
    const ns = await seed(kite, 'label');
    const name = ['cm', 'app-config', '-n', ns];
    assert.deepEqual(lines((await kite.kubectl(['label', ...name, 'env=prod'])).stdout), ['configmap/app-config labeled']);
    assert.equal((await getObject(kite, cmPath(ns, 'app-config'))).metadata.labels.env, 'prod');

    const refused = await kite.kubectl(['label', ...name, 'env=dev'], { allowFail: true });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /'env' already has a value \(prod\), and --overwrite is false/);
    assert.equal((await getObject(kite, cmPath(ns, 'app-config'))).metadata.labels.env, 'prod');

    await kite.kubectl(['label', ...name, 'env=dev', '--overwrite']);
    assert.equal((await getObject(kite, cmPath(ns, 'app-config'))).metadata.labels.env, 'dev');

    assert.deepEqual(lines((await kite.kubectl(['label', ...name, 'env-'])).stdout), ['configmap/app-config unlabeled']);
    assert.equal((await getObject(kite, cmPath(ns, 'app-config'))).metadata.labels?.env, undefined);

    assert.deepEqual(lines((await kite.kubectl(['annotate', ...name, 'note=first'])).stdout), ['configmap/app-config annotated']);
    assert.equal((await getObject(kite, cmPath(ns, 'app-config'))).metadata.annotations.note, 'first');
    const refusedNote = await kite.kubectl(['annotate', ...name, 'note=second'], { allowFail: true });
    assert.equal(refusedNote.code, 1);
    assert.match(refusedNote.stderr, /--overwrite is false/);
    await kite.kubectl(['annotate', ...name, 'note=second', '--overwrite']);
    assert.equal((await getObject(kite, cmPath(ns, 'app-config'))).metadata.annotations.note, 'second');
    await kite.kubectl(['annotate', ...name, 'note-']);
    assert.equal((await getObject(kite, cmPath(ns, 'app-config'))).metadata.annotations?.note, undefined);
  });

  // ---------------------------------------------------------------------------------- patch

  it('patches with strategic merge: a container is merged by name, the rest kept', async () => {
    const { kite } = ctx;
    const ns = await seed(kite, 'smp');
    const res = await kite.kubectl(['patch', 'deploy', 'web', '-n', ns, '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}}}']);
    assert.deepEqual(lines(res.stdout), ['deployment.apps/web patched']);
    const dep = await getObject(kite, deployPath(ns, 'web'));
    const containers = dep.spec.template.spec.containers;
    assert.deepEqual(containers.map((c: any) => c.name), ['web', 'sidecar']);
    assert.equal(containers[0].image, 'nginx:1.26');
    assert.equal(containers[0].ports[0].containerPort, 80, 'fields of the patched container are kept');
    assert.equal(containers[1].image, 'busybox:1.36');
    assert.deepEqual(containers[1].command, ['sleep', '3600']);
    assert.equal(dep.metadata.generation, 2);

    const again = await kite.kubectl(['patch', 'deploy', 'web', '-n', ns, '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}}}']);
    assert.deepEqual(lines(again.stdout), ['deployment.apps/web patched (no change)']);

    // $patch: delete removes one element of a merged list.
    await kite.kubectl(['patch', 'deploy', 'web', '-n', ns, '--type=strategic', '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}']);
    const afterDelete = await getObject(kite, deployPath(ns, 'web'));
    assert.deepEqual(afterDelete.spec.template.spec.containers.map((c: any) => c.name), ['web']);
  });

  it('patches with JSON merge patch: maps merge, null deletes, lists are replaced', async () => {
    const { kite } = ctx;
    const ns = await seed(kite, 'merge');
    const res = await kite.kubectl(['patch', 'cm', 'app-config', '-n', ns, '--type=merge', '-p', '{"data":{"a":null,"c":"3"}}']);
    assert.deepEqual(lines(res.stdout), ['configmap/app-config patched']);
    assert.deepEqual((await getObject(kite, cmPath(ns, 'app-config'))).data, { b: 'two', c: '3' });

    await kite.kubectl(['patch', 'deploy', 'web', '-n', ns, '--type=merge', '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"nginx:1.26"}]}}}}']);
    const dep = await getObject(kite, deployPath(ns, 'web'));
    assert.deepEqual(dep.spec.template.spec.containers.map((c: any) => [c.name, c.image]), [['only', 'nginx:1.26']]);
  });

  it('patches with JSON patch', async () => {
    const { kite } = ctx;
    const ns = await seed(kite, 'jsonpatch');
    const res = await kite.kubectl(['patch', 'deploy', 'web', '-n', ns, '--type=json', '-p', JSON.stringify([
      { op: 'replace', path: '/spec/replicas', value: 2 },
      { op: 'add', path: '/metadata/labels/patched', value: 'yes' },
      { op: 'remove', path: '/spec/template/spec/containers/1' },
    ])]);
    assert.deepEqual(lines(res.stdout), ['deployment.apps/web patched']);
    const dep = await getObject(kite, deployPath(ns, 'web'));
    assert.equal(dep.spec.replicas, 2);
    assert.equal(dep.metadata.labels.patched, 'yes');
    assert.deepEqual(dep.spec.template.spec.containers.map((c: any) => c.name), ['web']);

    const failed = await kite.kubectl(['patch', 'deploy', 'web', '-n', ns, '--type=json', '-p',
      '[{"op":"test","path":"/spec/replicas","value":7}]'], { allowFail: true });
    assert.equal(failed.code, 1, 'a failing JSON-patch test operation is an error');
    assert.equal((await getObject(kite, deployPath(ns, 'web'))).spec.replicas, 2);
  });

  // ---------------------------------------------------------------------------------- edit

  it('edits with a scripted editor', async () => {
    const { kite } = ctx;
    const ns = uniqueName('edit');
    await createNamespace(kite, ns);
    await createObject(kite, cmPath(ns), configMap(ns, 'paint', { colour: 'blue-v1', other: 'same' }));
    const res = await kite.kubectl(['edit', 'cm', 'paint', '-n', ns], { env: { EDITOR: 'sed -i s/blue-v1/green-v2/' } });
    assert.deepEqual(lines(res.stdout), ['configmap/paint edited']);
    assert.deepEqual((await getObject(kite, cmPath(ns, 'paint'))).data, { colour: 'green-v2', other: 'same' });

    const before = await getObject(kite, cmPath(ns, 'paint'));
    const noop = await kite.kubectl(['edit', 'cm', 'paint', '-n', ns], { env: { EDITOR: 'true' } });
    assert.match(noop.stderr, /Edit cancelled, no changes made\./);
    assert.equal((await getObject(kite, cmPath(ns, 'paint'))).metadata.resourceVersion, before.metadata.resourceVersion);
  });

  // ---------------------------------------------------------------------------------- scale

  it('scales a deployment through the scale subresource', async () => {
    const { kite } = ctx;
    const ns = await seed(kite, 'scale');
    const res = await kite.kubectl(['scale', 'deploy/web', '-n', ns, '--replicas=3']);
    assert.deepEqual(lines(res.stdout), ['deployment.apps/web scaled']);
    assert.equal((await getObject(kite, deployPath(ns, 'web'))).spec.replicas, 3);

    const scale = await getObject(kite, `${deployPath(ns, 'web')}/scale`);
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    assert.equal(scale.metadata.name, 'web');
    assert.equal(scale.spec.replicas, 3);
    assert.equal(scale.status.selector, 'app=web');

    // With a precondition kubectl GETs the scale and PUTs it back.
    await kite.kubectl(['scale', 'deploy/web', '-n', ns, '--current-replicas=3', '--replicas=4']);
    assert.equal((await getObject(kite, deployPath(ns, 'web'))).spec.replicas, 4);
    const refused = await kite.kubectl(['scale', 'deploy/web', '-n', ns, '--current-replicas=1', '--replicas=5'], { allowFail: true });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Expected replicas to be 1, was 4/i);
    assert.equal((await getObject(kite, deployPath(ns, 'web'))).spec.replicas, 4);
  });
});
