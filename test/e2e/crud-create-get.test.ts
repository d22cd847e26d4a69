// kubectl creating and reading objects against the server: create from one YAML stream, the
// metadata and defaults filled in, cluster IPs, get (every output format and selector, paging,
// get all), dry run, server-side apply, and a field selector the server does not support.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import {
  cmPath, configMap, createNamespace, createObject, deployPath, deployment, getObject, lines, namespace, seed, service, yamlDocs,
} from './fixtures.js';
import { parseTable } from './kubectl.js';
import { describeBothStores, uniqueName } from './suites.js';

const RFC3339_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

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
});
