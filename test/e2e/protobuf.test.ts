// kubectl 1.32's typed clients send protobuf bodies (`kubectl create <generator>`, `create token`,
// `auth can-i`, `auth whoami`) and never fall back to JSON: every generator works against the
// server, and the stored objects carry what kubectl meant (zero pointers such as replicas 0 kept,
// the zero values Go's marshaller writes for non-pointer fields absent).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { lines } from './fixtures.js';
import type { Kite } from './server-process.js';
import { describeBothStores, uniqueName } from './suites.js';

async function getJSON(kite: Kite, args: string[]): Promise<any> {
  return JSON.parse((await kite.kubectl(['get', ...args, '-o', 'json'])).stdout);
}

describeBothStores('kubectl typed clients over protobuf', (ctx) => {
  let ns = '';
  let certDir = '';
  before(async () => {
    ns = uniqueName('pb');
    const res = await ctx.kite.kubectl(['create', 'namespace', ns]);
    assert.deepEqual(lines(res.stdout), [`namespace/${ns} created`]);
    certDir = mkdtempSync(join(tmpdir(), 'kite-pb-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=shop.example.com', '-keyout', join(certDir, 'tls.key'), '-out', join(certDir, 'tls.crt')], { stdio: 'ignore' });
  });
  after(() => { if (certDir) rmSync(certDir, { recursive: true, force: true }); });

  const create = async (...args: string[]) => lines((await ctx.kite.kubectl(['create', '-n', ns, ...args])).stdout);

  it('kubectl create namespace stores a namespace without stray zero values', async () => {
    const obj = await getJSON(ctx.kite, ['namespace', ns]);
    assert.equal(obj.metadata.name, ns);
    assert.equal(obj.metadata.generateName, undefined);
    assert.equal(obj.status.phase, 'Active');
    assert.ok(!('selfLink' in obj.metadata) && !('generation' in obj.metadata && obj.metadata.generation === 0));
  });

  it('kubectl create configmap and secret generic / tls / docker-registry', async () => {
    assert.deepEqual(await create('configmap', 'cm', '--from-literal=a=b', '--from-literal=empty='), ['configmap/cm created']);
    const cm = await getJSON(ctx.kite, ['configmap', 'cm', '-n', ns]);
    assert.deepEqual(cm.data, { a: 'b', empty: '' });
    assert.equal(cm.immutable, undefined);

    assert.deepEqual(await create('secret', 'generic', 'gen', '--from-literal=password=s3cr3t'), ['secret/gen created']);
    const gen = await getJSON(ctx.kite, ['secret', 'gen', '-n', ns]);
    assert.equal(Buffer.from(gen.data.password, 'base64').toString(), 's3cr3t');
    assert.equal(gen.type, 'Opaque');

    assert.deepEqual(await create('secret', 'tls', 'tls', `--cert=${join(certDir, 'tls.crt')}`, `--key=${join(certDir, 'tls.key')}`), ['secret/tls created']);
    const tls = await getJSON(ctx.kite, ['secret', 'tls', '-n', ns]);
    assert.equal(tls.type, 'kubernetes.io/tls');
    assert.match(Buffer.from(tls.data['tls.crt'], 'base64').toString(), /BEGIN CERTIFICATE/);

    assert.deepEqual(await create('secret', 'docker-registry', 'reg', '--docker-server=registry.example.com', '--docker-username=u', '--docker-password=p'), ['secret/reg created']);
    const reg = await getJSON(ctx.kite, ['secret', 'reg', '-n', ns]);
    assert.equal(reg.type, 'kubernetes.io/dockerconfigjson');
    assert.ok(JSON.parse(Buffer.from(reg.data['.dockerconfigjson'], 'base64').toString()).auths['registry.example.com']);
  });

  it('kubectl create deployment keeps --replicas=0 and stores --replicas=3', async () => {
    assert.deepEqual(await create('deployment', 'zero', '--image=nginx:1.27', '--replicas=0'), ['deployment.apps/zero created']);
    assert.deepEqual(await create('deployment', 'three', '--image=nginx:1.27', '--replicas=3', '--port=80'), ['deployment.apps/three created']);
    const zero = await getJSON(ctx.kite, ['deployment', 'zero', '-n', ns]);
    assert.equal(zero.spec.replicas, 0);
    assert.deepEqual(zero.spec.selector, { matchLabels: { app: 'zero' } });
    const c = zero.spec.template.spec.containers[0];
    assert.equal(c.image, 'nginx:1.27');
    assert.equal(c.imagePullPolicy, 'IfNotPresent', 'defaulted, not an empty string from the wire');
    assert.equal(c.stdin, undefined);
    assert.equal(zero.spec.minReadySeconds, undefined);
    assert.equal(zero.spec.paused, undefined);
    assert.equal(zero.spec.template.spec.terminationGracePeriodSeconds, 30);
    const three = await getJSON(ctx.kite, ['deployment', 'three', '-n', ns]);
    assert.equal(three.spec.replicas, 3);
    assert.deepEqual(three.spec.template.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP' }]);
  });

  it('kubectl create job and cronjob', async () => {
    assert.deepEqual(await create('job', 'once', '--image=busybox:1.36', '--', 'echo', 'hi'), ['job.batch/once created']);
    const job = await getJSON(ctx.kite, ['job', 'once', '-n', ns]);
    assert.deepEqual(job.spec.template.spec.containers[0].command, ['echo', 'hi']);
    assert.equal(job.spec.template.spec.restartPolicy, 'Never');
    assert.equal(job.spec.backoffLimit, 6);
    assert.deepEqual(await create('cronjob', 'nightly', '--image=busybox:1.36', '--schedule=*/5 * * * *', '--', 'date'), ['cronjob.batch/nightly created']);
    const cj = await getJSON(ctx.kite, ['cronjob', 'nightly', '-n', ns]);
    assert.equal(cj.spec.schedule, '*/5 * * * *');
    assert.equal(cj.spec.suspend, false);
    assert.equal(cj.spec.jobTemplate.spec.template.spec.restartPolicy, 'OnFailure');
  });

  it('kubectl create service clusterip and nodeport', async () => {
    assert.deepEqual(await create('service', 'clusterip', 'web', '--tcp=80:8080'), ['service/web created']);
    const web = await getJSON(ctx.kite, ['service', 'web', '-n', ns]);
    assert.equal(web.spec.type, 'ClusterIP');
    assert.deepEqual(web.spec.ports, [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }]);
    assert.match(web.spec.clusterIP, /^\d+\.\d+\.\d+\.\d+$/);
    assert.deepEqual(await create('service', 'nodeport', 'np', '--tcp=80:8080'), ['service/np created']);
    const np = await getJSON(ctx.kite, ['service', 'np', '-n', ns]);
    assert.equal(np.spec.type, 'NodePort');
    assert.ok(np.spec.ports[0].nodePort >= 30000);
  });

  it('kubectl create serviceaccount, role, rolebinding, clusterrole and clusterrolebinding', async () => {
    assert.deepEqual(await create('serviceaccount', 'robot'), ['serviceaccount/robot created']);
    assert.equal((await getJSON(ctx.kite, ['serviceaccount', 'robot', '-n', ns])).automountServiceAccountToken, undefined);
    assert.deepEqual(await create('role', 'reader', '--verb=get,list', '--resource=pods'), ['role.rbac.authorization.k8s.io/reader created']);
    assert.deepEqual((await getJSON(ctx.kite, ['role', 'reader', '-n', ns])).rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
    assert.deepEqual(await create('rolebinding', 'reader', '--role=reader', `--serviceaccount=${ns}:robot`), ['rolebinding.rbac.authorization.k8s.io/reader created']);
    const rb = await getJSON(ctx.kite, ['rolebinding', 'reader', '-n', ns]);
    assert.deepEqual(rb.subjects.map((x: any) => [x.kind, x.name, x.namespace]), [['ServiceAccount', 'robot', ns]]);
    assert.deepEqual(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' });
    const cr = uniqueName('nodes');
    assert.deepEqual(lines((await ctx.kite.kubectl(['create', 'clusterrole', cr, '--verb=get', '--resource=nodes'])).stdout), [`clusterrole.rbac.authorization.k8s.io/${cr} created`]);
    assert.deepEqual(lines((await ctx.kite.kubectl(['create', 'clusterrolebinding', cr, `--clusterrole=${cr}`, '--user=jane'])).stdout), [`clusterrolebinding.rbac.authorization.k8s.io/${cr} created`]);
    assert.deepEqual((await getJSON(ctx.kite, ['clusterrolebinding', cr])).subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' }]);
  });

  it('kubectl create quota, priorityclass and poddisruptionbudget --min-available=0', async () => {
    assert.deepEqual(await create('quota', 'q', '--hard=pods=10,requests.cpu=4'), ['resourcequota/q created']);
    assert.deepEqual((await getJSON(ctx.kite, ['quota', 'q', '-n', ns])).spec.hard, { pods: '10', 'requests.cpu': '4' });
    const pc = uniqueName('prio');
    assert.deepEqual(lines((await ctx.kite.kubectl(['create', 'priorityclass', pc, '--value=1000', '--description=batch work'])).stdout), [`priorityclass.scheduling.k8s.io/${pc} created`]);
    const prio = await getJSON(ctx.kite, ['priorityclass', pc]);
    assert.equal(prio.value, 1000);
    assert.equal(prio.globalDefault, undefined);
    assert.equal(prio.preemptionPolicy, 'PreemptLowerPriority');
    assert.deepEqual(await create('poddisruptionbudget', 'pdb', '--selector=app=web', '--min-available=0'), ['poddisruptionbudget.policy/pdb created']);
    const pdb = await getJSON(ctx.kite, ['pdb', 'pdb', '-n', ns]);
    assert.equal(pdb.spec.minAvailable, 0, 'a zero minAvailable is a value, not absent');
    assert.deepEqual(pdb.spec.selector, { matchLabels: { app: 'web' } });
  });

  it('kubectl create ingress', async () => {
    assert.deepEqual(await create('ingress', 'shop', '--rule=shop.example.com/=web:80'), ['ingress.networking.k8s.io/shop created']);
    const ing = await getJSON(ctx.kite, ['ingress', 'shop', '-n', ns]);
    assert.deepEqual(ing.spec.rules, [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Exact', backend: { service: { name: 'web', port: { number: 80 } } } }] } }]);
  });

  it('kubectl create token prints a service account token', async () => {
    await create('serviceaccount', 'tokens');
    const res = await ctx.kite.kubectl(['create', 'token', 'tokens', '-n', ns, '--duration=10m']);
    const token = res.stdout.trim();
    assert.equal(token.split('.').length, 3, res.stdout);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    assert.equal(claims.sub, `system:serviceaccount:${ns}:tokens`);
  });

  it('kubectl auth can-i answers yes, and auth whoami names the user', async () => {
    const can = await ctx.kite.kubectl(['auth', 'can-i', 'get', 'pods', '-n', ns]);
    assert.equal(can.stdout.trim(), 'yes');
    const list = await ctx.kite.kubectl(['auth', 'can-i', '--list', '-n', ns]);
    assert.match(list.stdout, /\*\.\*\s+\[\]\s+\[\]\s+\[\*\]/);
    const who = await ctx.kite.kubectl(['auth', 'whoami', '-o', 'json']);
    const review = JSON.parse(who.stdout);
    assert.equal(review.kind, 'SelfSubjectReview');
    assert.ok(review.status.userInfo.username, who.stdout);
  });
});
