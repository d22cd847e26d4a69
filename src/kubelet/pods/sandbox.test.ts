import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { agentPaths } from '../paths.js';
import { parseResolvConf, podDNSConfig, podDomain, podHostname, type ClusterDNS } from './dns.js';
import { podSandboxConfig, portMappings } from './sandbox.js';

const host = parseResolvConf('# host\nnameserver 192.168.1.1\nnameserver 8.8.8.8\nsearch corp.example lan.\noptions edns0 ndots:2\n');
const dns: ClusterDNS = { servers: ['10.43.0.10'], domain: 'cluster.local', host };

function pod(spec: Partial<NonNullable<Pod['spec']>> = {}, name = 'web-0'): Pod {
  return { metadata: { name, namespace: 'ns', uid: 'u1', labels: { app: 'web' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } };
}

describe('resolv.conf and hostnames', () => {
  it('parses a host resolv.conf', () => {
    assert.deepEqual(host, { servers: ['192.168.1.1', '8.8.8.8'], searches: ['corp.example', 'lan'], options: ['edns0', 'ndots:2'] });
  });
  const cases: [string, Pod, string, string][] = [
    ['the pod name', pod(), 'web-0', ''],
    ['spec.hostname and subdomain', pod({ hostname: 'db', subdomain: 'dbs' }), 'db', 'dbs.ns.svc.cluster.local'],
    ['a long name cut to 63 without a trailing dash', pod({}, `${'a'.repeat(62)}-bcd`), 'a'.repeat(62), ''],
  ];
  for (const [name, p, h, d] of cases) {
    it(name, () => {
      assert.equal(podHostname(p), h);
      assert.equal(podDomain(p, 'cluster.local'), d);
    });
  }
});

describe('podDNSConfig', () => {
  const cases: [string, Partial<NonNullable<Pod['spec']>>, ClusterDNS, { servers: string[]; searches: string[]; options: string[] }][] = [
    ['ClusterFirst', {}, dns, { servers: ['10.43.0.10'], searches: ['ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lan'], options: ['ndots:5'] }],
    ['ClusterFirst on the host network is Default', { hostNetwork: true }, dns, host],
    ['ClusterFirstWithHostNet', { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }, dns, { servers: ['10.43.0.10'], searches: ['ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lan'], options: ['ndots:5'] }],
    ['ClusterFirst without cluster DNS is Default', {}, { ...dns, servers: [] }, host],
    ['Default', { dnsPolicy: 'Default' }, dns, host],
    ['None with dnsConfig', { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['x.example'], options: [{ name: 'ndots', value: '1' }, { name: 'rotate' }] } }, dns,
      { servers: ['1.1.1.1'], searches: ['x.example'], options: ['ndots:1', 'rotate'] }],
    ['dnsConfig merges into ClusterFirst', { dnsConfig: { nameservers: ['10.43.0.10', '9.9.9.9'], searches: ['cluster.local', 'more.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }, dns,
      { servers: ['10.43.0.10', '9.9.9.9'], searches: ['ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lan', 'more.example'], options: ['ndots:2', 'edns0'] }],
  ];
  for (const [name, spec, d, want] of cases) it(name, () => assert.deepEqual(podDNSConfig(pod(spec), d), want));
});

describe('podSandboxConfig', () => {
  const paths = agentPaths('/var/lib/kite');
  it('builds identity, logs, labels, namespaces and cgroup parent', () => {
    const p = pod({ shareProcessNamespace: true, securityContext: { runAsUser: 1000, fsGroup: 2000, supplementalGroups: [3000], sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] } });
    const cfg = podSandboxConfig(p, { paths, dns, attempt: 1 });
    assert.deepEqual(cfg.metadata, { name: 'web-0', uid: 'u1', namespace: 'ns', attempt: 1 });
    assert.equal(cfg.hostname, 'web-0');
    assert.equal(cfg.logDirectory, '/var/lib/kite/agent/logs/ns_web-0_u1');
    assert.deepEqual(cfg.labels, { app: 'web', 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'ns', 'io.kubernetes.pod.uid': 'u1' });
    assert.deepEqual(cfg.annotations, { a: 'b' });
    assert.equal(cfg.linux!.cgroupParent, '/kubepods/besteffort/podu1');
    const sc = cfg.linux!.securityContext!;
    assert.deepEqual([sc.namespaceOptions!.network, sc.namespaceOptions!.pid, sc.namespaceOptions!.ipc], ['POD', 'POD', 'POD']);
    assert.deepEqual(sc.runAsUser, { value: 1000 });
    assert.deepEqual(sc.supplementalGroups, [3000, 2000]);
    assert.deepEqual(cfg.linux!.sysctls, { 'net.core.somaxconn': '1024' });
  });
  it('uses the node network and hostname for host-network pods', () => {
    const cfg = podSandboxConfig(pod({ hostNetwork: true, hostPID: true }), { paths, dns, attempt: 0 });
    assert.equal(cfg.hostname, '');
    assert.equal(cfg.linux!.securityContext!.namespaceOptions!.network, 'NODE');
    assert.equal(cfg.linux!.securityContext!.namespaceOptions!.pid, 'NODE');
  });
  const qos: [string, Pod, string][] = [
    ['guaranteed', pod({ containers: [{ name: 'c', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }] }), '/kubepods/podu1'],
    ['burstable', pod({ containers: [{ name: 'c', resources: { requests: { cpu: '100m' } } }] }), '/kubepods/burstable/podu1'],
  ];
  for (const [name, p, want] of qos) it(`puts ${name} pods in ${want}`, () => assert.equal(podSandboxConfig(p, { paths, dns, attempt: 0 }).linux!.cgroupParent, want));
  it('sets pod resources from its containers', () => {
    const p = pod({ containers: [
      { name: 'a', resources: { requests: { cpu: '500m' }, limits: { cpu: '500m', memory: '64Mi' } } },
      { name: 'b', resources: { requests: { cpu: '250m' }, limits: { cpu: '1', memory: '64Mi' } } },
    ] });
    const r = podSandboxConfig(p, { paths, dns, attempt: 0 }).linux!.resources!;
    assert.deepEqual([r.cpuShares, r.cpuQuota, r.memoryLimitInBytes], [768, 150_000, 128 * 1024 * 1024]);
  });
  it('maps container ports, host ports included', () => {
    const p = pod({ containers: [
      { name: 'a', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 53, protocol: 'UDP' }] },
      { name: 'b', ports: [{ containerPort: 80, hostPort: 8080 }] },
    ] });
    assert.deepEqual(portMappings(p), [
      { protocol: 'TCP', containerPort: 80, hostPort: 8080, hostIp: '' },
      { protocol: 'UDP', containerPort: 53, hostPort: 0, hostIp: '' },
    ]);
  });
});
