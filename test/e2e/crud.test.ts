// kubectl's everyday verbs against the server: create, get (every output format and selector),
// apply, replace, delete, describe, label, annotate, patch, edit, scale, explain, diff, wait, and
// the error messages users see.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { describeBothStores, parseTable, uniqueName, type Kite } from './harness.js';
import {
  cmPath, configMap, createNamespace, createObject, deployPath, deployment, getObject, lines, namespace,
  service, yamlDocs,
} from './fixtures.js';

const RFC3339_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** A namespace holding configmap app-config (a=1, b=two), deployment web and service web. */
async function seed(kite: Kite, prefix: string): Promise<string> {
  const ns = uniqueName(prefix);
  await createNamespace(kite, ns);
  await createObject(kite, cmPath(ns), configMap(ns, 'app-config', { a: '1', b: 'two' }));
  await createObject(kite, deployPath(ns), deployment(ns, 'web'));
  await createObject(kite, `/api/v1/namespaces/${ns}/services`, service(ns, 'web'));
  return ns;
}

describeBothStores('kubectl CRUD', (ctx) => {
  // ---------------------------------------------------------------------------------- create

  it('creates a namespace, configmap, deployment and service from one YAML stream', async () => {
    const { kite } = ctx;
    const ns = uniqueName('create');
    const res = await kite.kubectl(['create', '-f', '-'], {
      input: yamlDocs(namespace(ns), configMap(ns, 'app-config', { a: '1' }), deployment(ns, 'web'), service(ns, 'web')),
    });
    assert.deepEqual(lines(res.stdout), [
      `namespace/${ns} created`,
      'configmap/app-config created',
      'deployment.apps/web created',
      'service/web created',
    ]);
    const cm = await getObject(kite, cmPath(ns, 'app-config'));
    assert.deepEqual(cm.data, { a: '1' });
    const dep = await getObject(kite, deployPath(ns, 'web'));
    assert.equal(dep.spec.template.spec.containers[0].image, 'nginx:1.25');
    const svc = await getObject(kite, `/api/v1/namespaces/${ns}/services/web`);
    assert.equal(svc.spec.ports[0].port, 80);
  });

  it('fills in object metadata and Kubernetes defaults on create', async () => {
    const { kite } = ctx;
    const ns = await seed(kite, 'defaults');
    const cm = await getObject(kite, cmPath(ns, 'app-config'));
    assert.equal(cm.kind, 'ConfigMap');
    assert.equal(cm.apiVersion, 'v1');
    assert.equal(cm.metadata.namespace, ns);
    assert.match(cm.metadata.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.match(cm.metadata.resourceVersion, /^[1-9]\d*$/);
    assert.match(cm.metadata.creationTimestamp, RFC3339_SECONDS);

    const dep = await getObject(kite, deployPath(ns, 'web'));
    assert.equal(dep.metadata.generation, 1);
    assert.equal(dep.spec.strategy.type, 'RollingUpdate');
    assert.equal(dep.spec.strategy.rollingUpdate.maxUnavailable, '25%');
    assert.equal(dep.spec.strategy.rollingUpdate.maxSurge, '25%');
    assert.equal(dep.spec.revisionHistoryLimit, 10);
    assert.equal(dep.spec.progressDeadlineSeconds, 600);
    const pod = dep.spec.template.spec;
    assert.equal(pod.restartPolicy, 'Always');
    assert.equal(pod.dnsPolicy, 'ClusterFirst');
    assert.equal(pod.terminationGracePeriodSeconds, 30);
    assert.equal(pod.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.equal(pod.containers[0].terminationMessagePath, '/dev/termination-log');
    assert.equal(pod.containers[0].terminationMessagePolicy, 'File');
    assert.equal(pod.containers[0].ports[0].protocol, 'TCP');

    const svc = await getObject(kite, `/api/v1/namespaces/${ns}/services/web`);
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.equal(svc.spec.sessionAffinity, 'None');
    assert.equal(svc.spec.ports[0].protocol, 'TCP');
    assert.equal(svc.spec.ports[0].targetPort, 80);

    const list = await getObject(kite, cmPath(ns));
    assert.equal(list.kind, 'ConfigMapList');
    assert.equal(list.apiVersion, 'v1');
    assert.ok(Array.isArray(list.items));
    assert.match(list.metadata.resourceVersion, /^[1-9]\d*$/);
  });

  it('allocates a cluster IP to a ClusterIP service', async () => {
    const { kite } = ctx;
    const ns = await seed(kite, 'clusterip');
    const svc = await getObject(kite, `/api/v1/namespaces/${ns}/services/web`);
    assert.match(String(svc.spec.clusterIP), /^\d+\.\d+\.\d+\.\d+$/, JSON.stringify(svc.spec));
    assert.deepEqual(svc.spec.clusterIPs, [svc.spec.clusterIP]);
    const table = parseTable((await kite.kubectl(['get', 'svc', 'web', '-n', ns])).stdout);
    assert.equal(table[0]['CLUSTER-IP'], svc.spec.clusterIP);
  });

  // ---------------------------------------------------------------------------------- get

  it('prints server-side tables for get and get -o wide', async () => {
    const { kite } = ctx;
    const ns = await seed(kite, 'table');
    const cm = parseTable((await kite.kubectl(['get', 'configmap', 'app-config', '-n', ns])).stdout);
    assert.equal(cm.length, 1);
    assert.deepEqual(Object.keys(cm[0]), ['NAME', 'DATA', 'AGE']);
    assert.equal(cm[0].NAME, 'app-config');
    assert.equal(cm[0].DATA, '2');
    assert.match(cm[0].AGE, /^\d+(s|m)$/);

    const dep = parseTable((await kite.kubectl(['get', 'deploy', 'web', '-n', ns])).stdout);
    assert.deepEqual(Object.keys(dep[0]), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    assert.match(dep[0].READY, /^\d+\/1$/);

    const wide = parseTable((await kite.kubectl(['get', 'deploy', 'web', '-n', ns, '-o', 'wide'])).stdout);
    assert.deepEqual(Object.keys(wide[0]), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    assert.equal(wide[0].CONTAINERS, 'web,sidecar');
    assert.equal(wide[0].IMAGES, 'nginx:1.25,busybox:1.36');
    assert.equal(wide[0].SELECTOR, 'app=web');

    const svc = parseTable((await kite.kubectl(['get', 'svc', 'web', '-n', ns, '-o', 'wide'])).stdout);
    assert.deepEqual(Object.keys(svc[0]), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
    assert.equal(svc[0].TYPE, 'ClusterIP');
    assert.equal(svc[0]['EXTERNAL-IP'], '<none>');
    assert.equal(svc[0]['PORT(S)'], '80/TCP');
    assert.equal(svc[0].SELECTOR, 'app=web');
  });

  it('prints objects as yaml, json, jsonpath, custom-columns and name', async () => {
    const { kite } = ctx;
    const ns = await seed(kite, 'formats');
    const asYaml = parseYaml((await kite.kubectl(['get', 'cm', 'app-config', '-n', ns, '-o', 'yaml'])).stdout);
    assert.equal(asYaml.kind, 'ConfigMap');
    assert.equal(asYaml.metadata.name, 'app-config');
    assert.deepEqual(asYaml.data, { a: '1', b: 'two' });

    const asJson = JSON.parse((await kite.kubectl(['get', 'deploy', 'web', '-n', ns, '-o', 'json'])).stdout);
    assert.equal(asJson.kind, 'Deployment');
    assert.equal(asJson.apiVersion, 'apps/v1');
    assert.equal(asJson.spec.replicas, 1);

    const list = JSON.parse((await kite.kubectl(['get', 'cm', '-n', ns, '-o', 'json'])).stdout);
    assert.equal(list.kind, 'List');
    assert.ok(list.items.some((i: any) => i.kind === 'ConfigMap' && i.metadata.name === 'app-config'));

    const jp = await kite.kubectl(['get', 'cm', 'app-config', '-n', ns, '-o', 'jsonpath={.metadata.name}']);
    assert.equal(jp.stdout, 'app-config');
    const jpData = await kite.kubectl(['get', 'cm', 'app-config', '-n', ns, '-o', 'jsonpath={.data.b}']);
    assert.equal(jpData.stdout, 'two');

    const cc = await kite.kubectl(['get', 'cm', 'app-config', '-n', ns, '-o', 'custom-columns=NAME:.metadata.name,A:.data.a']);
    assert.deepEqual(parseTable(cc.stdout), [{ NAME: 'app-config', A: '1' }]);

    const names = await kite.kubectl(['get', 'deploy,svc', '-n', ns, '-o', 'name']);
    assert.deepEqual(lines(names.stdout), ['deployment.apps/web', 'service/web']);
  });

  it('selects with -A, -l and --field-selector, and shows labels', async () => {
    const { kite } = ctx;
    const ns = await seed(kite, 'select');
    await createObject(kite, cmPath(ns), configMap(ns, 'other', { x: 'y' }, { tier: 'back' }));

    const all = parseTable((await kite.kubectl(['get', 'cm', '-A'])).stdout);
    assert.deepEqual(Object.keys(all[0]), ['NAMESPACE', 'NAME', 'DATA', 'AGE']);
    assert.ok(all.some((r) => r.NAMESPACE === ns && r.NAME === 'app-config' && r.DATA === '2'));
    assert.ok(all.some((r) => r.NAMESPACE === ns && r.NAME === 'other' && r.DATA === '1'));

    const byLabel = await kite.kubectl(['get', 'deploy,svc,cm', '-n', ns, '-l', 'app=web', '-o', 'name']);
    assert.deepEqual(lines(byLabel.stdout), ['deployment.apps/web', 'service/web']);
    const setBased = await kite.kubectl(['get', 'cm', '-n', ns, '-l', 'tier in (back,front)', '-o', 'name']);
    assert.deepEqual(lines(setBased.stdout), ['configmap/other']);
    const notLabelled = await kite.kubectl(['get', 'cm', '-n', ns, '-l', '!tier', '-o', 'name']);
    assert.ok(lines(notLabelled.stdout).includes('configmap/app-config'));
    assert.ok(!lines(notLabelled.stdout).includes('configmap/other'));

    const byField = await kite.kubectl(['get', 'cm', '-n', ns, '--field-selector', 'metadata.name=other', '-o', 'name']);
    assert.deepEqual(lines(byField.stdout), ['configmap/other']);
    const notField = await kite.kubectl(['get', 'cm', '-n', ns, '--field-selector', 'metadata.name!=other', '-o', 'name']);
    assert.ok(!lines(notField.stdout).includes('configmap/other'));
    assert.ok(lines(notField.stdout).includes('configmap/app-config'));

    const none = await kite.kubectl(['get', 'cm', '-n', ns, '-l', 'app=nothing']);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, new RegExp(`No resources found in ${ns} namespace\\.`));

    const shown = parseTable((await kite.kubectl(['get', 'deploy', 'web', '-n', ns, '--show-labels'])).stdout);
    assert.equal(shown[0].LABELS, 'app=web');
    const col = parseTable((await kite.kubectl(['get', 'cm', 'other', '-n', ns, '-L', 'tier'])).stdout);
    assert.equal(col[0].TIER, 'back');
  });

  it('pages lists with limit and continue, and sorts with --sort-by', async () => {
    const { kite } = ctx;
    const ns = uniqueName('paging');
    await createNamespace(kite, ns);
    const names = ['e', 'c', 'a', 'd', 'b'];
    for (const n of names) await createObject(kite, cmPath(ns), configMap(ns, n, { k: n }));

    const first = await getObject(kite, `${cmPath(ns)}?limit=2`);
    assert.equal(first.items.length, 2);
    assert.ok(first.metadata.continue, 'a cut-short list carries a continue token');
    const collected: string[] = first.items.map((i: any) => i.metadata.name);
    let token: string | undefined = first.metadata.continue;
    for (let pages = 0; token && pages < 10; pages++) {
      const page = await getObject(kite, `${cmPath(ns)}?limit=2&continue=${encodeURIComponent(token)}`);
      collected.push(...page.items.map((i: any) => i.metadata.name));
      token = page.metadata.continue || undefined;
    }
    assert.deepEqual(collected.filter((n) => names.includes(n)).sort(), [...names].sort());
    assert.equal(new Set(collected).size, collected.length, 'a name appeared on two pages');

    const chunked = await kite.kubectl(['get', 'cm', '-n', ns, '--chunk-size=2', '-o', 'name']);
    assert.deepEqual(lines(chunked.stdout).filter((l) => names.some((n) => l === `configmap/${n}`)).length, 5);

    const sorted = parseTable((await kite.kubectl(['get', 'cm', '-n', ns, '--sort-by=.data.k'])).stdout);
    assert.deepEqual(sorted.map((r) => r.NAME).filter((n) => names.includes(n)), ['a', 'b', 'c', 'd', 'e']);
  });

  it('lists a namespace\'s deployments and services with get all', async () => {
    const { kite } = ctx;
    const ns = await seed(kite, 'getall');
    const res = await kite.kubectl(['get', 'all', '-n', ns, '-o', 'name']);
    const out = lines(res.stdout);
    assert.ok(out.includes('deployment.apps/web'), res.stdout);
    assert.ok(out.includes('service/web'), res.stdout);
    assert.ok(!out.some((l) => l.startsWith('configmap/')), 'configmaps are not in the "all" category');
  });

  it('does not persist a server-side dry run', async () => {
    const { kite } = ctx;
    const ns = await seed(kite, 'dryrun');
    const created = await kite.kubectl(['create', '--dry-run=server', '-f', '-'], { input: yamlDocs(configMap(ns, 'ghost', { a: '1' })) });
    assert.deepEqual(lines(created.stdout), ['configmap/ghost created (server dry run)']);
    assert.equal((await kite.request('GET', cmPath(ns, 'ghost'))).status, 404);

    const before = await getObject(kite, deployPath(ns, 'web'));
    const scaled = await kite.kubectl(['patch', 'deploy', 'web', '-n', ns, '--dry-run=server', '-p', '{"spec":{"replicas":5}}', '-o', 'jsonpath={.spec.replicas}']);
    assert.equal(scaled.stdout, '5', 'the dry-run response shows the would-be object');
    const after = await getObject(kite, deployPath(ns, 'web'));
    assert.equal(after.spec.replicas, 1);
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);

    const deleted = await kite.kubectl(['delete', 'cm', 'app-config', '-n', ns, '--dry-run=server']);
    assert.deepEqual(lines(deleted.stdout), ['configmap "app-config" deleted (server dry run)']);
    assert.equal((await kite.request('GET', cmPath(ns, 'app-config'))).status, 200);
  });

  it('applies server-side', async () => {
    const { kite } = ctx;
    const ns = uniqueName('ssa');
    await createNamespace(kite, ns);
    const res = await kite.kubectl(['apply', '--server-side', '-f', '-'], { input: yamlDocs(configMap(ns, 'ssa', { a: '1' })) });
    assert.deepEqual(lines(res.stdout), ['configmap/ssa serverside-applied']);
    const again = await kite.kubectl(['apply', '--server-side', '-f', '-'], { input: yamlDocs(configMap(ns, 'ssa', { a: '2', b: '3' })) });
    assert.deepEqual(lines(again.stdout), ['configmap/ssa serverside-applied']);
    const cm = await getObject(kite, cmPath(ns, 'ssa'));
    assert.deepEqual(cm.data, { a: '2', b: '3' });
  });

  it('rejects an unsupported field selector with BadRequest', async () => {
    const { kite } = ctx;
    const res = await kite.kubectl(['get', 'cm', '-n', 'default', '--field-selector', 'data.a=1'], { allowFail: true });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /Error from server \(BadRequest\)/);
  });

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
