import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { T0, makeService } from './fixtures.js';
import { serviceResource } from './service.js';

const now = T0 + 3 * 3600_000;
const defaulted = (s: Service): Service => {
  serviceResource.setDefaults!(s as never);
  return s;
};
const messages = (s: Service): string[] => serviceResource.validate!(defaulted(s) as never).map((e) => `${e.field}: ${e.message}`);

describe('service defaults', () => {
  it('fills type, affinity, policies, families and target ports but no cluster IP', () => {
    const s = defaulted(makeService('web', {}, [{ port: 80 }, { name: 'b', port: 81, targetPort: 'http' }]));
    assert.equal(s.spec!.type, 'ClusterIP');
    assert.equal(s.spec!.sessionAffinity, 'None');
    assert.equal(s.spec!.internalTrafficPolicy, 'Cluster');
    assert.equal(s.spec!.ipFamilyPolicy, 'SingleStack');
    assert.deepEqual(s.spec!.ipFamilies, ['IPv4']);
    assert.equal(s.spec!.clusterIP, undefined);
    assert.deepEqual(s.spec!.ports![0], { port: 80, protocol: 'TCP', targetPort: 80 });
    assert.equal(s.spec!.ports![1]!.targetPort, 'http');
    assert.equal(s.spec!.externalTrafficPolicy, undefined);
  });

  it('derives families from a requested cluster IP and fills clusterIPs', () => {
    const s = defaulted(makeService('web', { clusterIP: 'fd00::10' }));
    assert.deepEqual(s.spec!.clusterIPs, ['fd00::10']);
    assert.deepEqual(s.spec!.ipFamilies, ['IPv6']);
  });

  it('defaults external policy and node port allocation for load balancers', () => {
    const s = defaulted(makeService('web', { type: 'LoadBalancer' }));
    assert.equal(s.spec!.externalTrafficPolicy, 'Cluster');
    assert.equal(s.spec!.allocateLoadBalancerNodePorts, true);
  });

  it('adds the client IP timeout with ClientIP affinity', () => {
    const s = defaulted(makeService('web', { sessionAffinity: 'ClientIP' }));
    assert.equal(s.spec!.sessionAffinityConfig!.clientIP!.timeoutSeconds, 10800);
  });
});

describe('service validation', () => {
  const cases: [string, Service, string[]][] = [
    ['a valid service', makeService('web'), []],
    ['a headless service without ports', makeService('db', { clusterIP: 'None' }, []), []],
    ['missing ports', makeService('web', {}, []), ['spec.ports: Required value']],
    ['a name that is not a DNS-1035 label', makeService('1web'), [
      'metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')',
    ]],
    ['unnamed ports when there are several', makeService('web', {}, [{ name: 'a', port: 80 }, { port: 81 }]), ['spec.ports[1].name: Required value']],
    ['duplicate port names', makeService('web', {}, [{ name: 'a', port: 80 }, { name: 'a', port: 81 }]), ['spec.ports[1].name: Duplicate value: "a"']],
    ['port out of range', makeService('web', {}, [{ port: 0 }]), [
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
    ]],
    ['unknown type', makeService('web', { type: 'Magic' }), [
      'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ]],
    ['node port out of range', makeService('web', { type: 'NodePort' }, [{ port: 80, nodePort: 80 }]), [
      'spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
    ]],
    ['node port on a ClusterIP service', makeService('web', {}, [{ port: 80, nodePort: 30080 }]), [
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    ]],
    ['ExternalName without a name', makeService('ext', { type: 'ExternalName' }, []), ['spec.externalName: Required value']],
    ['a bad cluster IP', makeService('web', { clusterIP: '10.0.0.300' }), [
      'spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]],
  ];
  for (const [name, svc, want] of cases) {
    it(`handles ${name}`, () => assert.deepEqual(messages(svc), want));
  }

  it('keeps the cluster IP immutable', () => {
    const old = defaulted(makeService('web', { clusterIP: '10.43.0.10' }));
    const next = structuredClone(old);
    next.spec!.clusterIP = '10.43.0.11';
    next.spec!.clusterIPs = ['10.43.0.11'];
    assert.deepEqual(serviceResource.validateUpdate!(next as never, old as never).map((e) => `${e.field}: ${e.message}`), [
      'spec.clusterIPs[0]: Invalid value: []string{"10.43.0.11"}: may not change once set',
    ]);
    assert.deepEqual(serviceResource.validateUpdate!(structuredClone(old) as never, old as never), []);
  });
});

describe('service printer', () => {
  it('prints ports with node ports, the cluster IP and the selector', () => {
    const s = defaulted(makeService('web', { type: 'NodePort', clusterIP: '10.43.0.10' }, [
      { name: 'http', port: 80 }, { name: 'https', port: 443, nodePort: 30443 },
    ]));
    assert.deepEqual(serviceResource.row!(s as never, now), ['NodePort', '10.43.0.10', '<none>', '80/TCP,443:30443/TCP', '3h', 'app=web']);
  });

  it('prints a pending load balancer and a headless service', () => {
    const lb = defaulted(makeService('lb', { type: 'LoadBalancer', clusterIP: '10.43.0.12' }));
    assert.equal(serviceResource.row!(lb as never, now)[2], '<pending>');
    (lb as { status?: unknown }).status = { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } };
    assert.equal(serviceResource.row!(lb as never, now)[2], '203.0.113.7');
    const headless = defaulted(makeService('db', { clusterIP: 'None', selector: {} }, []));
    assert.deepEqual(serviceResource.row!(headless as never, now), ['ClusterIP', 'None', '<none>', '<none>', '3h', '<none>']);
  });

  it('prints an ExternalName target as the external IP', () => {
    const s = defaulted(makeService('ext', { type: 'ExternalName', externalName: 'db.example.com' }, []));
    assert.deepEqual(serviceResource.row!(s as never, now).slice(0, 3), ['ExternalName', '<none>', 'db.example.com']);
  });
});
