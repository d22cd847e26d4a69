// The server as a process: TLS and client-certificate authentication, version and health
// endpoints, the kubeconfig it writes, restarts that keep the CA, clean shutdown, and discovery
// as kubectl sees it.
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { stringify as toYaml, parse as parseYaml } from 'yaml';
import { httpsRequest } from './https.js';
import { kubectlOnPath, parseTable, runKubectl, stripAnsi } from './kubectl.js';
import { describeBothStores, uniqueName } from './suites.js';

/** A plain-HTTP GET: resolves with the response, or with the socket error when the server drops it. */
function plainHttpGet(port: number, path: string): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', (err) => resolve({ status: res.statusCode, body, error: err.message }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('plain HTTP request timed out')));
    req.on('error', (err) => resolve({ error: err.message }));
  });
}

describeBothStores('kite server', (ctx) => {
  it('answers a request without a client certificate with 401 and an Unauthorized Status', async () => {
    const { kite } = ctx;
    const res = await httpsRequest(kite.port, { method: 'GET', path: '/api/v1/namespaces', ca: kite.tls().ca });
    assert.equal(res.status, 401, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const status = res.json();
    assert.equal(status.kind, 'Status');
    assert.equal(status.apiVersion, 'v1');
    assert.equal(status.status, 'Failure');
    assert.equal(status.reason, 'Unauthorized');
    assert.equal(status.code, 401);
  });

  it('makes kubectl with bad credentials report that it must log in', async () => {
    const { kite } = ctx;
    const dir = await mkdtemp(join(tmpdir(), 'kite-e2e-anon-'));
    try {
      const cfg = parseYaml(await readFile(kite.kubeconfig, 'utf8'));
      // An unknown bearer token (with no credentials at all kubectl prompts for a password).
      for (const u of cfg.users) u.user = { token: 'not-a-valid-token' };
      const anon = join(dir, 'kubeconfig.yaml');
      await writeFile(anon, toYaml(cfg), { mode: 0o600 });
      const res = await runKubectl(['get', 'configmaps', '-n', 'default'], {
        PATH: process.env.PATH, KUBECONFIG: anon, KUBECACHEDIR: join(dir, 'cache'), HOME: dir,
      }, { allowFail: true });
      assert.equal(res.code, 1, res.stdout + res.stderr);
      assert.match(res.stderr,
        /^error: You must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)$/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses plain HTTP on its port', async () => {
    const res = await plainHttpGet(ctx.kite.port, '/version');
    // A Go server answers 400 "Client sent an HTTP request to an HTTPS server"; dropping the
    // connection is as good. Serving the request is not.
    if (res.status !== undefined) {
      assert.equal(res.status, 400, `plain HTTP got ${res.status}: ${res.body}`);
      assert.doesNotMatch(res.body ?? '', /gitVersion/);
    } else {
      assert.ok(res.error, 'plain HTTP got neither a response nor an error');
    }
  });

  it('reports version 1.32 on /version', async () => {
    const res = await ctx.kite.request('GET', '/version');
    assert.equal(res.status, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const v = res.json();
    assert.equal(v.major, '1');
    assert.equal(v.minor, '32');
    assert.match(v.gitVersion, /^v1\.32\.\d+([-+].*)?$/);
    for (const field of ['gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform']) {
      assert.equal(typeof v[field], 'string', `/version.${field} should be a string: ${res.body}`);
    }
  });

  it('answers ok on /healthz, /livez and /readyz', async () => {
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const res = await ctx.kite.request('GET', path);
      assert.equal(res.status, 200, `${path}: ${res.body}`);
      assert.equal(res.body.trim(), 'ok', `${path} body`);
    }
  });

  it('writes an admin kubeconfig readable only by its owner', async () => {
    const { kite } = ctx;
    const st = await stat(kite.kubeconfig);
    assert.equal((st.mode & 0o777).toString(8), '600');
    const cfg = parseYaml(await readFile(kite.kubeconfig, 'utf8'));
    assert.equal(cfg.kind, 'Config');
    const current = cfg.contexts.find((c: any) => c.name === cfg['current-context']);
    assert.ok(current, `current-context ${cfg['current-context']} is not among the contexts`);
    const cluster = cfg.clusters.find((c: any) => c.name === current.context.cluster);
    assert.equal(cluster.cluster.server, kite.url);
    assert.ok(cluster.cluster['certificate-authority-data'] || cluster.cluster['certificate-authority']);
    assert.ok(!cluster.cluster['insecure-skip-tls-verify'], 'the admin kubeconfig must verify the server');
  });

  it('runs kubectl version against a 1.32 server', async () => {
    const res = await ctx.kite.kubectl(['version']);
    assert.match(res.stdout, /^Client Version: v1\.32\./m);
    assert.match(res.stdout, /^Server Version: v1\.32\.\d+/m);
    assert.doesNotMatch(res.stderr, /version difference|WARNING/i);
  });

  it('makes the kubectl dispatcher on PATH pick kubectl 1.32', { skip: kubectlOnPath ? false : 'no kubectl on PATH' }, async () => {
    const { kite } = ctx;
    const dir = await mkdtemp(join(tmpdir(), 'kite-e2e-dispatch-'));
    try {
      const res = await runKubectl(['version'], {
        PATH: process.env.PATH, KUBECONFIG: kite.kubeconfig, KUBECACHEDIR: join(dir, 'cache'), HOME: dir,
      }, {}, kubectlOnPath);
      assert.match(res.stdout, /^Client Version: v1\.32\./m);
      assert.match(res.stdout, /^Server Version: v1\.32\./m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lists the built-in resources in kubectl api-resources', async () => {
    const res = await ctx.kite.kubectl(['api-resources']);
    assert.doesNotMatch(res.stderr, /couldn't get resource list/);
    const rows = parseTable(res.stdout);
    const want = [
      { NAME: 'pods', SHORTNAMES: 'po', APIVERSION: 'v1', NAMESPACED: 'true', KIND: 'Pod' },
      { NAME: 'configmaps', SHORTNAMES: 'cm', APIVERSION: 'v1', NAMESPACED: 'true', KIND: 'ConfigMap' },
      { NAME: 'services', SHORTNAMES: 'svc', APIVERSION: 'v1', NAMESPACED: 'true', KIND: 'Service' },
      { NAME: 'namespaces', SHORTNAMES: 'ns', APIVERSION: 'v1', NAMESPACED: 'false', KIND: 'Namespace' },
      { NAME: 'nodes', SHORTNAMES: 'no', APIVERSION: 'v1', NAMESPACED: 'false', KIND: 'Node' },
      { NAME: 'deployments', SHORTNAMES: 'deploy', APIVERSION: 'apps/v1', NAMESPACED: 'true', KIND: 'Deployment' },
      { NAME: 'replicasets', SHORTNAMES: 'rs', APIVERSION: 'apps/v1', NAMESPACED: 'true', KIND: 'ReplicaSet' },
      { NAME: 'leases', SHORTNAMES: '', APIVERSION: 'coordination.k8s.io/v1', NAMESPACED: 'true', KIND: 'Lease' },
      { NAME: 'priorityclasses', SHORTNAMES: 'pc', APIVERSION: 'scheduling.k8s.io/v1', NAMESPACED: 'false', KIND: 'PriorityClass' },
    ];
    for (const w of want) {
      const row = rows.find((r) => r.NAME === w.NAME && r.APIVERSION === w.APIVERSION);
      assert.deepEqual(row, w, `api-resources row for ${w.NAME}; output:\n${res.stdout}`);
    }
    // Subresources are not resources of their own.
    assert.ok(!rows.some((r) => r.NAME.includes('/')), 'subresources listed as resources');
  });

  it('lists group versions in kubectl api-versions', async () => {
    const res = await ctx.kite.kubectl(['api-versions']);
    const versions = res.stdout.split('\n').filter(Boolean);
    for (const gv of ['v1', 'apps/v1', 'coordination.k8s.io/v1', 'scheduling.k8s.io/v1']) {
      assert.ok(versions.includes(gv), `api-versions lacks ${gv}:\n${res.stdout}`);
    }
    assert.deepEqual([...versions].sort(), versions, 'api-versions prints sorted output');
  });

  it('runs kubectl cluster-info', async () => {
    const res = await ctx.kite.kubectl(['cluster-info']);
    assert.match(stripAnsi(res.stdout), new RegExp(`Kubernetes control plane is running at ${ctx.kite.url.replace(/\./g, '\\.')}`));
  });

  it('keeps its CA and data across a restart', async () => {
    const { kite } = ctx;
    const ns = uniqueName('restart');
    await kite.kubectl(['create', '-f', '-'], {
      input: `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n---\n` +
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\n  namespace: ${ns}\ndata:\n  a: "1"\n`,
    });
    const before = parseYaml(await readFile(kite.kubeconfig, 'utf8'));
    const caBefore = before.clusters[0].cluster['certificate-authority-data'];
    const copy = join(kite.dataDir, '..', 'kubeconfig-before-restart.yaml');
    await copyFile(kite.kubeconfig, copy);

    await kite.restart();

    const after = parseYaml(await readFile(kite.kubeconfig, 'utf8'));
    assert.equal(after.clusters[0].cluster['certificate-authority-data'], caBefore, 'CA changed across restart');
    // The kubeconfig from before the restart still works: same CA, same client certificate trust.
    const res = await kite.kubectl(['get', 'configmap', 'keep', '-n', ns, '-o', 'jsonpath={.data.a}'], {
      env: { KUBECONFIG: copy },
    });
    assert.equal(res.stdout, '1');
    const st = await stat(kite.kubeconfig);
    assert.equal((st.mode & 0o777).toString(8), '600');
  });

  it('exits 0 on SIGTERM, ending open watches', async () => {
    // Last in the suite: the server is down afterwards. stop() fails when it takes over 15 s.
    const { kite } = ctx;
    const watch = await kite.stream('/api/v1/namespaces/default/configmaps?watch=true');
    const getW = kite.spawnKubectl(['get', 'cm', '-n', 'default', '-w', '-v=6']);
    try {
      assert.equal(watch.status, 200);
      await getW.waitFor((_, err) => /watch=true/.test(err), 20_000, 'kubectl get -w to be watching');
      const { code, signal } = await kite.stop();
      assert.equal(signal, null, `server died of ${signal}\n${kite.log(3000)}`);
      assert.equal(code, 0, `server exited ${code}\n${kite.log(3000)}`);
      await watch.waitEnd(5_000);
    } finally {
      watch.close();
      await getW.kill();
    }
  });
});
