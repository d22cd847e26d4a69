import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { NetworkPolicy, NetworkPolicySpec } from 'kubernetes-types/networking/v1.js';
import { networkpolicies } from './networkpolicy.js';
import { isStrictSubset, parseCIDR } from './cidr.js';

const k = (o: NetworkPolicy) => o as unknown as KubeObject;
const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const policy = (spec: NetworkPolicySpec): NetworkPolicy => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z' },
  spec,
});
const validate = (spec: NetworkPolicySpec) => messages(networkpolicies.validate!(k(policy(spec))));
const defaulted = (spec: NetworkPolicySpec) => {
  const np = policy(structuredClone(spec));
  networkpolicies.setDefaults!(k(np));
  return np.spec!;
};

describe('NetworkPolicy defaults', () => {
  it('fills in Ingress alone without egress rules', () => {
    assert.deepEqual(defaulted({ podSelector: {} }).policyTypes, ['Ingress']);
    assert.deepEqual(defaulted({ podSelector: {}, egress: [] }).policyTypes, ['Ingress']);
  });

  it('adds Egress when egress rules exist', () => {
    assert.deepEqual(defaulted({ podSelector: {}, egress: [{}] }).policyTypes, ['Ingress', 'Egress']);
  });

  it('keeps policyTypes that are given', () => {
    assert.deepEqual(defaulted({ podSelector: {}, egress: [{}], policyTypes: ['Egress'] }).policyTypes, ['Egress']);
  });

  it('defaults port protocols to TCP in both directions and keeps the ones given', () => {
    const spec = defaulted({
      podSelector: {},
      ingress: [{ ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }],
      egress: [{ ports: [{}] }],
    });
    assert.deepEqual(spec.ingress![0]!.ports, [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }]);
    assert.deepEqual(spec.egress![0]!.ports, [{ protocol: 'TCP' }]);
  });
});

describe('NetworkPolicy validation', () => {
  const cases: { name: string; spec: NetworkPolicySpec; want: string[] }[] = [
    { name: 'deny all ingress', spec: { podSelector: {}, policyTypes: ['Ingress'] }, want: [] },
    {
      name: 'a full policy',
      spec: {
        podSelector: { matchLabels: { app: 'db' } },
        ingress: [{
          from: [
            { podSelector: { matchLabels: { role: 'frontend' } }, namespaceSelector: { matchLabels: { team: 'a' } } },
            { ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } },
          ],
          ports: [{ protocol: 'TCP', port: 6379 }, { port: 'http' }, { protocol: 'UDP', port: 32000, endPort: 32768 }],
        }],
        egress: [{ to: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }], ports: [{ protocol: 'SCTP' }] }],
        policyTypes: ['Ingress', 'Egress'],
      },
      want: [],
    },
    {
      name: 'a bad selector operator and label value',
      spec: { podSelector: { matchExpressions: [{ key: 'app', operator: 'Near' }], matchLabels: { app: 'a b' } } },
      want: [
        `spec.podSelector.matchLabels: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
        'spec.podSelector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator',
      ],
    },
    {
      name: 'an unknown protocol',
      spec: { podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP', port: 1 }] }] },
      want: ['spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"'],
    },
    {
      name: 'port numbers out of range',
      spec: { podSelector: {}, egress: [{ ports: [{ port: 0 }, { port: 70000 }] }] },
      want: [
        'spec.egress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
        'spec.egress[0].ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
      ],
    },
    {
      name: 'a bad port name',
      spec: { podSelector: {}, ingress: [{ ports: [{ port: 'web--http' }] }] },
      want: ['spec.ingress[0].ports[0].port: Invalid value: "web--http": must not contain consecutive hyphens'],
    },
    {
      name: 'an endPort below port and out of range',
      spec: { podSelector: {}, ingress: [{ ports: [{ port: 8080, endPort: 80 }, { port: 1, endPort: 65536 }] }] },
      want: [
        'spec.ingress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`',
        'spec.ingress[0].ports[1].endPort: Invalid value: 65536: must be between 1 and 65535, inclusive',
      ],
    },
    {
      name: 'an endPort with a named port or no port',
      spec: { podSelector: {}, ingress: [{ ports: [{ port: 'http', endPort: 90 }, { endPort: 90 }] }] },
      want: [
        'spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric',
        'spec.ingress[0].ports[1].endPort: Invalid value: 90: may not be specified when `port` is not specified',
      ],
    },
    {
      name: 'an empty peer',
      spec: { podSelector: {}, ingress: [{ from: [{}] }] },
      want: ['spec.ingress[0].from[0]: Required value: must specify a peer'],
    },
    {
      name: 'ipBlock with another peer',
      spec: { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] },
      want: ['spec.egress[0].to[0]: Forbidden: may not specify both ipBlock and another peer'],
    },
    {
      name: 'pod and namespace selectors together',
      spec: { podSelector: {}, ingress: [{ from: [{ podSelector: {}, namespaceSelector: {} }] }] },
      want: [],
    },
    {
      name: 'an ipBlock without a cidr',
      spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '' } }] }] },
      want: ['spec.ingress[0].from[0].ipBlock.cidr: Required value'],
    },
    {
      name: 'an invalid cidr',
      spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33', except: ['nonsense'] } }] }] },
      want: ['spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0/33": not a valid CIDR'],
    },
    {
      name: 'excepts that are not strict subsets, stopping at one that does not parse',
      spec: {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.0.0/16', '10.1.0.0/24', '10.0.0.0/8', 'bad', '10.2.0.0/24'] } }] }],
      },
      want: [
        'spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "10.0.0.0/16": must be a strict subset of `cidr`',
        'spec.ingress[0].from[0].ipBlock.except[1]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`',
        'spec.ingress[0].from[0].ipBlock.except[2]: Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`',
        'spec.ingress[0].from[0].ipBlock.except[3]: Invalid value: "bad": not a valid CIDR',
      ],
    },
    {
      name: 'an unknown policy type',
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Sideways'] },
      want: ['spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"'],
    },
    {
      name: 'more than two policy types',
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] },
      want: ['spec.policyTypes: Invalid value: []networking.PolicyType{"Ingress", "Egress", "Ingress"}: may not specify more than two policyTypes'],
    },
  ];
  for (const c of cases) it(`validates ${c.name}`, () => assert.deepEqual(validate(c.spec), c.want));
});

describe('NetworkPolicy CIDRs', () => {
  it('parses IPv4 (leading zeros allowed) and IPv6, clearing host bits', () => {
    assert.deepEqual(parseCIDR('10.1.2.3/8'), { family: 4, base: 10n << 24n, prefix: 8 });
    assert.deepEqual(parseCIDR('010.0.0.0/8'), { family: 4, base: 10n << 24n, prefix: 8 });
    assert.deepEqual(parseCIDR('::ffff:1.2.3.4/128')?.base, (0xffffn << 32n) | 0x01020304n);
    assert.deepEqual(parseCIDR('2001:db8::1/32'), { family: 6, base: 0x20010db8n << 96n, prefix: 32 });
  });

  it('refuses what is not a CIDR', () => {
    for (const bad of ['10.0.0.0', '10.0.0.0/', '10.0.0/8', '256.0.0.0/8', '10.0.0.0/-1', '::/129', 'fe80::1%eth0/64', '1:2:3/16']) {
      assert.equal(parseCIDR(bad), undefined, bad);
    }
  });

  it('tells strict subsets apart', () => {
    const p = (s: string) => parseCIDR(s)!;
    assert.ok(isStrictSubset(p('10.0.1.0/24'), p('10.0.0.0/16')));
    assert.ok(!isStrictSubset(p('10.0.0.0/16'), p('10.0.0.0/16')));
    assert.ok(!isStrictSubset(p('10.1.0.0/24'), p('10.0.0.0/16')));
    assert.ok(!isStrictSubset(p('::/120'), p('0.0.0.0/0')));
  });
});

describe('NetworkPolicy resource', () => {
  it('prints POD-SELECTOR and AGE', () => {
    const now = Date.parse('2024-01-03T00:00:00Z');
    assert.deepEqual(networkpolicies.row!(k(policy({ podSelector: { matchLabels: { app: 'db', tier: 'x' } } })), now), ['app=db,tier=x', '2d']);
    assert.deepEqual(networkpolicies.row!(k(policy({ podSelector: {} })), now), ['<none>', '2d']);
    assert.deepEqual(networkpolicies.columns!.map((c) => c.name), ['Pod-Selector', 'Age']);
  });

  it('is namespaced in networking.k8s.io/v1 with the netpol short name', () => {
    assert.deepEqual(
      [networkpolicies.group, networkpolicies.version, networkpolicies.plural, networkpolicies.namespaced, networkpolicies.shortNames],
      ['networking.k8s.io', 'v1', 'networkpolicies', true, ['netpol']],
    );
  });
});
