// kubectl and networking.k8s.io/v1 against the server: NetworkPolicies applied, defaulted,
// listed with their columns, described, and rejected with Kubernetes' field errors; Ingresses and
// IngressClasses listed with theirs.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createNamespace, getObject, lines, yamlDocs } from './fixtures.js';
import { parseTable } from './kubectl.js';
import { describeBothStores, uniqueName } from './suites.js';

const netpolPath = (ns: string, name?: string) => `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies${name ? `/${name}` : ''}`;

function dbPolicy(ns: string): object {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
    metadata: { name: 'db-access', namespace: ns },
    spec: {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { role: 'api' } } }], ports: [{ port: 5432 }] }],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }],
    },
  };
}

describeBothStores('kubectl networking', (ctx) => {
  it('applies a NetworkPolicy, fills in its defaults, lists it as netpol and describes it', async () => {
    const { kite } = ctx;
    const ns = uniqueName('netpol');
    await createNamespace(kite, ns);
    const created = await kite.kubectl(['apply', '-f', '-'], { input: yamlDocs(dbPolicy(ns)) });
    assert.deepEqual(lines(created.stdout), ['networkpolicy.networking.k8s.io/db-access created']);

    const np = await getObject(kite, netpolPath(ns, 'db-access'));
    assert.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress']);
    assert.equal(np.spec.ingress[0].ports[0].protocol, 'TCP');
    assert.equal(np.metadata.generation, 1);

    const table = parseTable((await kite.kubectl(['get', 'netpol', '-n', ns])).stdout);
    assert.equal(table.length, 1);
    assert.deepEqual(Object.keys(table[0]!), ['NAME', 'POD-SELECTOR', 'AGE']);
    assert.equal(table[0]!.NAME, 'db-access');
    assert.equal(table[0]!['POD-SELECTOR'], 'app=db');

    const described = (await kite.kubectl(['describe', 'netpol', 'db-access', '-n', ns])).stdout;
    assert.match(described, /PodSelector:\s+app=db/);
    assert.match(described, /To Port: 5432\/TCP/);
    assert.match(described, /Except: 10\.1\.0\.0\/16/);
    assert.match(described, /Policy Types: Ingress, Egress/);
  });

  it('rejects an invalid NetworkPolicy with 422 Invalid and Kubernetes field paths', async () => {
    const { kite } = ctx;
    const ns = uniqueName('netpol-bad');
    await createNamespace(kite, ns);
    const bad = {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
      metadata: { name: 'bad', namespace: ns },
      spec: {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] } }], ports: [{ protocol: 'ICMP' }] }],
      },
    };
    const res = await kite.kubectl(['apply', '-f', '-'], { input: yamlDocs(bad), allowFail: true });
    assert.equal(res.code, 1, res.stdout);
    assert.match(res.stderr, /The NetworkPolicy "bad" is invalid/);
    assert.match(res.stderr, /spec\.ingress\[0\]\.ports\[0\]\.protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"/);
    assert.match(res.stderr, /spec\.ingress\[0\]\.from\[0\]\.ipBlock\.except\[0\]: Invalid value: "10\.1\.0\.0\/24": must be a strict subset of `cidr`/);
    assert.equal((await kite.request('GET', netpolPath(ns, 'bad'))).status, 404);

    const raw = await kite.request('POST', netpolPath(ns), bad);
    assert.equal(raw.status, 422);
    const status = raw.json();
    assert.equal(status.reason, 'Invalid');
    assert.equal(status.details.kind, 'NetworkPolicy');
    assert.deepEqual(status.details.causes.map((c: { field: string }) => c.field),
      ['spec.ingress[0].ports[0].protocol', 'spec.ingress[0].from[0].ipBlock.except[0]']);
  });

  it('applies an IngressClass and an Ingress and lists them with their columns', async () => {
    const { kite } = ctx;
    const ns = uniqueName('ing');
    const cls = uniqueName('cls');
    await createNamespace(kite, ns);
    const objects = [
      { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: cls }, spec: { controller: 'example.com/ingress' } },
      {
        apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: ns },
        spec: {
          ingressClassName: cls,
          rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
        },
      },
    ];
    const created = await kite.kubectl(['apply', '-f', '-'], { input: yamlDocs(...objects) });
    assert.deepEqual(lines(created.stdout), [`ingressclass.networking.k8s.io/${cls} created`, 'ingress.networking.k8s.io/web created']);

    const ing = parseTable((await kite.kubectl(['get', 'ing', '-n', ns])).stdout);
    assert.deepEqual(Object.keys(ing[0]!), ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
    assert.deepEqual([ing[0]!.CLASS, ing[0]!.HOSTS, ing[0]!.PORTS], [cls, 'web.example.com', '80']);
    const ic = parseTable((await kite.kubectl(['get', 'ingressclass', cls])).stdout);
    assert.deepEqual(ic.map((r) => [r.NAME, r.CONTROLLER, r.PARAMETERS]), [[cls, 'example.com/ingress', '<none>']]);

    const bad = { ...objects[1], metadata: { name: 'bad', namespace: ns }, spec: { rules: [{ host: '10.0.0.1' }] } };
    const res = await kite.kubectl(['apply', '-f', '-'], { input: yamlDocs(bad), allowFail: true });
    assert.equal(res.code, 1, res.stdout);
    assert.match(res.stderr, /The Ingress "bad" is invalid: spec\.rules\[0\]\.host: Invalid value: "10\.0\.0\.1": must be a DNS name, not an IP address/);
    await kite.kubectl(['delete', 'ingressclass', cls]);
  });
});
