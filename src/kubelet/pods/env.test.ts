import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Container, Pod, Secret, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { expand } from './expand.js';
import { serviceEnv, serviceEnvMap } from './service-env.js';
import { fieldRefValue, formatMap, resourceFieldRefValue } from './downward.js';
import { containerEnv, EnvError, type EnvSource } from './env.js';

const vars = new Map([['A', 'a'], ['B', 'b']]);

describe('expand', () => {
  const cases: [string, string][] = [
    ['$(A)', 'a'],
    ['x$(A)y$(B)z', 'xaybz'],
    ['$(C)', '$(C)'],
    ['$$(A)', '$(A)'],
    ['$$$(A)', '$a'],
    ['$(A', '$(A'],
    ['$A', '$A'],
    ['end$', 'end$'],
    ['$()', '$()'],
    ['', ''],
  ];
  for (const [input, want] of cases) {
    it(`expands ${JSON.stringify(input)} to ${JSON.stringify(want)}`, () => {
      assert.equal(expand(input, (n) => vars.get(n)), want);
    });
  }
});

const svc = (name: string, ns: string, clusterIP: string, ports: ServicePort[] = [{ port: 80 }]): Service =>
  ({ metadata: { name, namespace: ns }, spec: { clusterIP, ports } });

describe('service environment', () => {
  it('gives host, port, named ports and docker link variables', () => {
    const env = serviceEnv(svc('my-db', 'ns', '10.0.0.7', [{ port: 5432, name: 'pg' }, { port: 53, name: 'dns-udp', protocol: 'UDP' }]));
    assert.deepEqual(Object.fromEntries(env), {
      MY_DB_SERVICE_HOST: '10.0.0.7',
      MY_DB_SERVICE_PORT: '5432',
      MY_DB_SERVICE_PORT_PG: '5432',
      MY_DB_SERVICE_PORT_DNS_UDP: '53',
      MY_DB_PORT: 'tcp://10.0.0.7:5432',
      MY_DB_PORT_5432_TCP: 'tcp://10.0.0.7:5432',
      MY_DB_PORT_5432_TCP_PROTO: 'tcp',
      MY_DB_PORT_5432_TCP_PORT: '5432',
      MY_DB_PORT_5432_TCP_ADDR: '10.0.0.7',
      MY_DB_PORT_53_UDP: 'udp://10.0.0.7:53',
      MY_DB_PORT_53_UDP_PROTO: 'udp',
      MY_DB_PORT_53_UDP_PORT: '53',
      MY_DB_PORT_53_UDP_ADDR: '10.0.0.7',
    });
  });
  it('brackets IPv6 cluster IPs in link URLs', () => {
    const env = new Map(serviceEnv(svc('v6', 'ns', 'fd00::1')));
    assert.equal(env.get('V6_PORT'), 'tcp://[fd00::1]:80');
  });
  const kubernetes = svc('kubernetes', 'default', '10.0.0.1', [{ port: 443, name: 'https' }]);
  const cases: { name: string; links: boolean; own: Service[]; want: string[] }[] = [
    { name: 'links on: own namespace and kubernetes', links: true, own: [svc('web', 'ns', '10.0.0.2')], want: ['KUBERNETES_SERVICE_HOST', 'WEB_SERVICE_HOST'] },
    { name: 'links off: only kubernetes', links: false, own: [svc('web', 'ns', '10.0.0.2')], want: ['KUBERNETES_SERVICE_HOST'] },
    { name: 'headless and IP-less services are skipped', links: true, own: [svc('h', 'ns', 'None'), svc('e', 'ns', '')], want: ['KUBERNETES_SERVICE_HOST'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const m = serviceEnvMap(c.links, c.own, [kubernetes, svc('other', 'default', '10.0.0.9')]);
      assert.deepEqual([...m.keys()].filter((k) => k.endsWith('_SERVICE_HOST')).sort(), c.want);
    });
  }
});

const pod: Pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u-1', labels: { app: 'web', tier: 'x"y' }, annotations: { note: 'hi' } },
  spec: { nodeName: 'n1', serviceAccountName: 'sa', containers: [{ name: 'c' }] },
};
const ctx = { hostIPs: ['192.168.1.2', 'fd00::2'], podIPs: ['10.42.0.5', 'fd01::5'], nodeAllocatable: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' } };

describe('fieldRef', () => {
  const cases: [string, string][] = [
    ['metadata.name', 'p'],
    ['metadata.namespace', 'ns'],
    ['metadata.uid', 'u-1'],
    ["metadata.labels['app']", 'web'],
    ["metadata.labels['missing']", ''],
    ["metadata.annotations['note']", 'hi'],
    ['metadata.labels', 'app="web"\ntier="x\\"y"'],
    ['spec.nodeName', 'n1'],
    ['spec.serviceAccountName', 'sa'],
    ['status.hostIP', '192.168.1.2'],
    ['status.hostIPs', '192.168.1.2,fd00::2'],
    ['status.podIP', '10.42.0.5'],
    ['status.podIPs', '10.42.0.5,fd01::5'],
  ];
  for (const [path, want] of cases) {
    it(`resolves ${path}`, () => assert.equal(fieldRefValue({ fieldPath: path }, pod, ctx), want));
  }
  it('rejects other paths', () => assert.throws(() => fieldRefValue({ fieldPath: 'spec.hostname' }, pod, ctx), /unsupported fieldPath: spec.hostname/));
  it('formats an empty map as nothing', () => assert.equal(formatMap(undefined), ''));
});

describe('resourceFieldRef', () => {
  const c: Container = { name: 'c', resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1500m', memory: '128Mi' } } };
  const bare: Container = { name: 'b' };
  const cases: [string, Container, string, string | undefined, string][] = [
    ['cpu limit rounds up to cores', c, 'limits.cpu', undefined, '2'],
    ['cpu limit in millicores', c, 'limits.cpu', '1m', '1500'],
    ['cpu request rounds up', c, 'requests.cpu', undefined, '1'],
    ['memory request in bytes', c, 'requests.memory', undefined, String(64 * 1024 * 1024)],
    ['memory limit in Mi', c, 'limits.memory', '1Mi', '128'],
    ['memory limit rounds up', c, 'limits.memory', '100Mi', '2'],
    ['unset limit is node allocatable', bare, 'limits.cpu', undefined, '4'],
    ['unset memory limit is allocatable in Gi', bare, 'limits.memory', '1Gi', '8'],
    ['unset request is zero', bare, 'requests.memory', undefined, '0'],
    ['ephemeral-storage limit from allocatable', bare, 'limits.ephemeral-storage', '1Gi', '100'],
  ];
  for (const [name, container, resource, divisor, want] of cases) {
    it(name, () => assert.equal(resourceFieldRefValue({ resource, divisor }, container, ctx), want));
  }
  it('rejects unknown resources', () => assert.throws(() => resourceFieldRefValue({ resource: 'limits.gpu' }, c, ctx), /unsupported container resource : limits.gpu/));
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

function source(): EnvSource {
  const cms: Record<string, ConfigMap> = { cfg: { data: { MODE: 'prod', 'bad key': 'x', '1st': 'y', URL: 'http://$(HOST)' } } };
  const secrets: Record<string, Secret> = { creds: { data: { PASSWORD: b64('s3cret') } } };
  return {
    configMap: (ns, name) => (ns === 'ns' ? cms[name] : undefined),
    secret: async (ns, name) => (ns === 'ns' ? secrets[name] : undefined),
    services: (ns) => (ns === 'default' ? [svc('kubernetes', 'default', '10.0.0.1', [{ port: 443, name: 'https' }])] : [svc('web', 'ns', '10.0.0.2')]),
  };
}

async function envOf(container: Partial<Container>, p: Pod = pod) {
  const r = await containerEnv(p, { name: 'c', ...container }, { ...ctx, source: source() });
  return { ...r, map: Object.fromEntries(r.env.map((e) => [e.name, e.value])) };
}

describe('containerEnv', () => {
  it('expands against earlier variables only, and service variables', async () => {
    const { env, map } = await envOf({ env: [
      { name: 'LATE', value: '$(FIRST)-$(LATER)' },
      { name: 'FIRST', value: 'one' },
      { name: 'SECOND', value: '$(FIRST)/$(WEB_SERVICE_HOST)/$$(FIRST)' },
      { name: 'LATER', value: 'x' },
    ] });
    assert.equal(map.LATE, '$(FIRST)-$(LATER)');
    assert.equal(map.SECOND, 'one/10.0.0.2/$(FIRST)');
    assert.deepEqual(env.slice(0, 4).map((e) => e.name), ['LATE', 'FIRST', 'SECOND', 'LATER']);
  });
  it('applies envFrom with prefix, skipping invalid keys with a warning', async () => {
    const r = await envOf({ envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 'creds' } }] });
    assert.equal(r.map.CFG_MODE, 'prod');
    assert.equal(r.map['CFG_1st'], 'y');
    assert.equal(r.map.PASSWORD, 's3cret');
    assert.equal(r.map.CFG_URL, 'http://$(HOST)', 'envFrom values are not expanded');
    assert.deepEqual(r.warnings, [{
      reason: 'InvalidEnvironmentVariableNames',
      message: 'Keys [CFG_bad key] from the EnvFrom configMap ns/cfg were skipped since they are considered invalid environment variable names.',
    }]);
  });
  it('env overrides envFrom and service variables do not override either', async () => {
    const r = await envOf({ envFrom: [{ configMapRef: { name: 'cfg' } }], env: [{ name: 'MODE', value: 'dev' }, { name: 'WEB_SERVICE_HOST', value: 'mine' }] });
    assert.equal(r.map.MODE, 'dev');
    assert.equal(r.map.WEB_SERVICE_HOST, 'mine');
    assert.equal(r.map.KUBERNETES_SERVICE_PORT, '443');
  });
  it('resolves valueFrom references', async () => {
    const { map } = await envOf({ resources: { limits: { memory: '1Gi' } }, env: [
      { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'MODE' } } },
      { name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope', optional: true } } },
      { name: 'OPT2', valueFrom: { secretKeyRef: { name: 'gone', key: 'k', optional: true } } },
      { name: 'EMPTY' },
    ] });
    assert.deepEqual(
      [map.MODE, map.PW, map.NODE, map.MEM, 'OPT' in map, 'OPT2' in map, map.EMPTY],
      ['prod', 's3cret', 'n1', '1024', false, false, ''],
    );
  });
  it('leaves out service links when disabled, except kubernetes', async () => {
    const { map } = await envOf({}, { ...pod, spec: { ...pod.spec!, enableServiceLinks: false } });
    assert.ok(!('WEB_SERVICE_HOST' in map));
    assert.equal(map.KUBERNETES_SERVICE_HOST, '10.0.0.1');
  });
  const failures: [string, Partial<Container>, string][] = [
    ['missing config map', { envFrom: [{ configMapRef: { name: 'x' } }] }, 'configmap "x" not found'],
    ['missing secret', { envFrom: [{ secretRef: { name: 'x' } }] }, 'secret "x" not found'],
    ['missing config map key', { env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] }, "couldn't find key k in ConfigMap ns/cfg"],
    ['missing secret key', { env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }] }, "couldn't find key k in Secret ns/creds"],
    ['missing config map of a key ref', { env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'x', key: 'k' } } }] }, 'configmap "x" not found'],
    ['bad field path', { env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.x' } } }] }, 'unsupported fieldPath: spec.x'],
  ];
  for (const [name, container, message] of failures) {
    it(`fails on ${name}`, async () => {
      await assert.rejects(envOf(container), (e: unknown) => e instanceof EnvError && e.message === message && e.reason === 'CreateContainerConfigError');
    });
  }
  it('skips optional missing envFrom sources', async () => {
    const { map } = await envOf({ envFrom: [{ configMapRef: { name: 'x', optional: true } }, { secretRef: { name: 'y', optional: true } }] });
    assert.equal(map.KUBERNETES_SERVICE_HOST, '10.0.0.1');
  });
});
