import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkPolicy, NetworkPolicySpec } from 'kubernetes-types/networking/v1.js';
import { parseIPv4 } from '../../apimachinery/ipv4.js';
import { computeRuleset, podChainName, type Ruleset } from './compute.js';
import { cidrRange } from './intervals.js';
import { namespaceInfo, policyInfo, type NamedPort, type PodInfo, type PolicyModel } from './model.js';

const NODE = 'n1';

function pod(name: string, ip: string, o: { ns?: string; labels?: Record<string, string>; node?: string; ports?: NamedPort[]; hostNetwork?: boolean } = {}): PodInfo {
  return { namespace: o.ns ?? 'default', name, ip, labels: o.labels ?? {}, nodeName: o.node ?? NODE, hostNetwork: o.hostNetwork ?? false, ports: o.ports ?? [] };
}

function policy(name: string, spec: NetworkPolicySpec, ns = 'default') {
  const np: NetworkPolicy = { metadata: { name, namespace: ns }, spec };
  return policyInfo(np)!;
}

function model(pods: PodInfo[], policies: ReturnType<typeof policy>[], namespaces: PolicyModel['namespaces'] = []): PolicyModel {
  const names = new Set([...pods.map((p) => p.namespace), ...namespaces.map((n) => n.name)]);
  const nsList = [...names].map((n) => namespaces.find((x) => x.name === n) ?? { name: n, labels: { 'kubernetes.io/metadata.name': n } });
  return { nodeName: NODE, pods, namespaces: nsList, policies };
}

interface Packet { src: string; dst: string; proto?: 'tcp' | 'udp' | 'sctp' | 'icmp'; port?: number }

/** Runs a packet through the ruleset the way the forward chain does (egress of the source, then ingress of the destination). */
function allowed(rs: Ruleset, p: Packet): boolean {
  const proto = p.proto ?? 'tcp';
  const port = p.port ?? 80;
  const inSet = (name: string, value: string) => {
    const set = rs.sets.get(name);
    assert.ok(set, `set ${name} exists`);
    if (set.type === 'addrPort') return set.elements.includes(value);
    const n = parseIPv4(value)!;
    return set.elements.some((e) => {
      const r = e.includes('-') ? [parseIPv4(e.split('-')[0]!)!, parseIPv4(e.split('-')[1]!)!] : cidrRange(e)!;
      return n >= r[0]! && n <= r[1]!;
    });
  };
  const matches = (term: string): boolean => {
    let m: RegExpExecArray | null;
    if ((m = /^ip (saddr|daddr) @(\S+)$/.exec(term))) return inSet(m[2]!, m[1] === 'saddr' ? p.src : p.dst);
    if ((m = /^ip (saddr|daddr) ([\d.]+)$/.exec(term))) return (m[1] === 'saddr' ? p.src : p.dst) === m[2];
    if ((m = /^meta l4proto (\w+)$/.exec(term))) return proto === m[1];
    if ((m = /^(tcp|udp|sctp) dport (\d+)(?:-(\d+))?$/.exec(term))) return proto === m[1] && port >= Number(m[2]) && port <= Number(m[3] ?? m[2]);
    if ((m = /^ip daddr \. meta l4proto \. th dport @(\S+)$/.exec(term))) return inSet(m[1]!, `${p.dst} . ${proto} . ${port}`);
    throw new Error(`unknown match ${term}`);
  };
  const run = (chain: string): boolean => {
    for (const rule of rs.chains.get(chain)!) {
      if (rule === 'drop') return false;
      const terms = rule.replace(/ ?return$/, '').split(/ (?=ip |meta |tcp |udp |sctp )/).filter(Boolean);
      // "ip daddr . meta l4proto . th dport @x" splits wrongly above; rejoin it.
      const joined = rule.startsWith('ip daddr . ') ? [rule.replace(/ return$/, '')] : terms;
      if (joined.every(matches)) return true;
    }
    throw new Error(`chain ${chain} does not end in drop`);
  };
  const egress = rs.egress.get(p.src);
  if (egress && !run(egress)) return false;
  const ingress = rs.ingress.get(p.dst);
  return !ingress || run(ingress);
}

const web = pod('web', '10.244.1.2', { labels: { app: 'web' }, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] });
const client = pod('client', '10.244.1.3', { labels: { role: 'client' } });
const other = pod('other', '10.244.1.4', { labels: { role: 'other' } });
const remoteClient = pod('remote', '10.244.2.2', { labels: { role: 'client' }, node: 'n2' });
const prodPod = pod('prod-client', '10.244.2.3', { ns: 'prod', labels: { role: 'client' }, node: 'n2' });
const prodNs = { name: 'prod', labels: { 'kubernetes.io/metadata.name': 'prod', env: 'prod' } };
const all = [web, client, other, remoteClient, prodPod];

describe('computeRuleset', () => {
  it('leaves every pod open when no policy selects it', () => {
    const rs = computeRuleset(model(all, [policy('p', { podSelector: { matchLabels: { app: 'db' } } })]));
    assert.equal(rs.ingress.size, 0);
    assert.equal(rs.egress.size, 0);
    assert.ok(allowed(rs, { src: client.ip, dst: web.ip }));
  });

  it('isolates for ingress by default and denies everything without ingress rules', () => {
    const rs = computeRuleset(model(all, [policy('deny', { podSelector: {} })]));
    assert.deepEqual([...rs.ingress.keys()].sort(), [web.ip, client.ip, other.ip].sort(), 'only local pods get chains');
    assert.equal(rs.egress.size, 0, 'policyTypes default to Ingress only');
    assert.equal(allowed(rs, { src: client.ip, dst: web.ip }), false);
    assert.equal(allowed(rs, { src: remoteClient.ip, dst: web.ip }), false);
    assert.equal(allowed(rs, { src: '192.168.1.1', dst: web.ip, proto: 'icmp' }), false);
    assert.ok(allowed(rs, { src: web.ip, dst: '8.8.8.8' }), 'egress stays open');
    assert.ok(allowed(rs, { src: web.ip, dst: web.ip }), 'a pod reaches itself');
  });

  it('adds Egress to the default policyTypes when the policy has egress rules', () => {
    const rs = computeRuleset(model(all, [policy('p', { podSelector: { matchLabels: { app: 'web' } }, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] })]));
    assert.deepEqual([...rs.ingress.keys()], [web.ip]);
    assert.deepEqual([...rs.egress.keys()], [web.ip]);
    assert.ok(allowed(rs, { src: web.ip, dst: '10.9.9.9' }));
    assert.equal(allowed(rs, { src: web.ip, dst: '192.168.0.1' }), false);
    assert.equal(allowed(rs, { src: client.ip, dst: web.ip }), false, 'and ingress is denied');
  });

  it('denies all egress with policyTypes [Egress] and no rules, ingress untouched', () => {
    const rs = computeRuleset(model(all, [policy('p', { podSelector: { matchLabels: { role: 'client' } }, policyTypes: ['Egress'] })]));
    assert.equal(rs.ingress.size, 0);
    assert.deepEqual([...rs.egress.keys()], [client.ip], 'the remote client is not this node\'s to judge');
    assert.equal(allowed(rs, { src: client.ip, dst: web.ip }), false);
    assert.ok(allowed(rs, { src: other.ip, dst: client.ip }));
  });

  it('allows everything with an empty rule', () => {
    const rs = computeRuleset(model(all, [policy('p', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] })]));
    assert.equal(rs.ingress.size, 3);
    assert.deepEqual(rs.chains.get(podChainName('ingress', web.ip)), [`ip saddr ${web.ip} return`, 'return', 'drop']);
    assert.ok(allowed(rs, { src: '1.2.3.4', dst: web.ip, proto: 'udp', port: 9 }));
    assert.ok(allowed(rs, { src: web.ip, dst: '1.2.3.4', proto: 'icmp' }));
  });

  it('allows from pods of the policy namespace picked by podSelector, on any node', () => {
    const rs = computeRuleset(model(all, [policy('p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }] }] })], [prodNs]));
    assert.ok(allowed(rs, { src: client.ip, dst: web.ip }));
    assert.ok(allowed(rs, { src: remoteClient.ip, dst: web.ip }));
    assert.equal(allowed(rs, { src: other.ip, dst: web.ip }), false);
    assert.equal(allowed(rs, { src: prodPod.ip, dst: web.ip }), false, 'same labels in another namespace do not count');
    assert.ok(allowed(rs, { src: other.ip, dst: client.ip }), 'pods not selected stay open');
  });

  it('allows from every pod of the namespaces picked by namespaceSelector', () => {
    const rs = computeRuleset(model(all, [policy('p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }] }] })], [prodNs]));
    assert.ok(allowed(rs, { src: prodPod.ip, dst: web.ip }));
    assert.equal(allowed(rs, { src: client.ip, dst: web.ip }), false);
  });

  it('combines namespaceSelector and podSelector in one peer as an intersection', () => {
    const prodOther = pod('prod-other', '10.244.2.4', { ns: 'prod', labels: { role: 'other' }, node: 'n2' });
    const rs = computeRuleset(model([...all, prodOther], [policy('p', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, podSelector: { matchLabels: { role: 'client' } } }] }],
    })], [prodNs]));
    assert.ok(allowed(rs, { src: prodPod.ip, dst: web.ip }));
    assert.equal(allowed(rs, { src: prodOther.ip, dst: web.ip }), false);
    assert.equal(allowed(rs, { src: client.ip, dst: web.ip }), false);
  });

  it('matches namespaces by their name label, set for namespaces that lack it', () => {
    const rs = computeRuleset(model(all, [policy('p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'prod' } } }] }] })], [namespaceInfo({ metadata: { name: 'prod' } })!]));
    assert.ok(allowed(rs, { src: prodPod.ip, dst: web.ip }));
  });

  it('allows an ipBlock less its excepts', () => {
    const rs = computeRuleset(model(all, [policy('p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24', '172.17.200.7/32'] } }] }] })]));
    assert.ok(allowed(rs, { src: '172.17.0.9', dst: web.ip }));
    assert.ok(allowed(rs, { src: '172.17.255.255', dst: web.ip }));
    assert.equal(allowed(rs, { src: '172.17.1.50', dst: web.ip }), false);
    assert.equal(allowed(rs, { src: '172.17.200.7', dst: web.ip }), false);
    assert.ok(allowed(rs, { src: '172.17.200.8', dst: web.ip }));
    const set = [...rs.sets.values()][0]!;
    assert.deepEqual(set.elements, ['172.17.0.0/24', '172.17.2.0-172.17.200.6', '172.17.200.8-172.17.255.255']);
  });

  it('limits a rule to its ports: protocols, numbers, ranges with endPort, protocol alone', () => {
    const rs = computeRuleset(model(all, [policy('p', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ ports: [{ port: 80 }, { protocol: 'UDP', port: 5000, endPort: 5010 }, { protocol: 'SCTP' }] }],
    })]));
    assert.ok(allowed(rs, { src: client.ip, dst: web.ip, proto: 'tcp', port: 80 }));
    assert.equal(allowed(rs, { src: client.ip, dst: web.ip, proto: 'udp', port: 80 }), false, 'TCP is the default protocol');
    assert.ok(allowed(rs, { src: client.ip, dst: web.ip, proto: 'udp', port: 5010 }));
    assert.equal(allowed(rs, { src: client.ip, dst: web.ip, proto: 'udp', port: 5011 }), false);
    assert.ok(allowed(rs, { src: client.ip, dst: web.ip, proto: 'sctp', port: 1 }));
    assert.equal(allowed(rs, { src: client.ip, dst: web.ip, proto: 'icmp' }), false);
  });

  it('resolves a named ingress port against the guarded pod\'s container ports and protocol', () => {
    const web2 = pod('web2', '10.244.1.5', { labels: { app: 'web' }, ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] });
    const rs = computeRuleset(model([...all, web2], [policy('p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 'http' }, { port: 'dns' }] }] })]));
    assert.ok(allowed(rs, { src: client.ip, dst: web.ip, port: 8080 }));
    assert.equal(allowed(rs, { src: client.ip, dst: web.ip, port: 9090 }), false);
    assert.ok(allowed(rs, { src: client.ip, dst: web2.ip, port: 9090 }));
    assert.equal(allowed(rs, { src: client.ip, dst: web.ip, proto: 'udp', port: 53 }), false, 'dns is UDP, the policy port TCP');
  });

  it('allows nothing when none of a rule\'s ports resolve (not everything)', () => {
    const rs = computeRuleset(model(all, [policy('p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 'metrics' }, { protocol: 'ICMP', port: 1 }] }] })]));
    assert.deepEqual(rs.chains.get(podChainName('ingress', web.ip)), [`ip saddr ${web.ip} return`, 'drop']);
  });

  it('resolves a named egress port against the destination pods among the peers', () => {
    const rs = computeRuleset(model(all, [policy('p', {
      podSelector: { matchLabels: { role: 'client' } }, policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: {} }], ports: [{ port: 'http' }, { port: 'dns', protocol: 'UDP' }] }],
    })]));
    assert.ok(allowed(rs, { src: client.ip, dst: web.ip, port: 8080 }));
    assert.ok(allowed(rs, { src: client.ip, dst: web.ip, proto: 'udp', port: 53 }));
    assert.equal(allowed(rs, { src: client.ip, dst: web.ip, port: 80 }), false);
    assert.equal(allowed(rs, { src: client.ip, dst: other.ip, port: 8080 }), false, 'other has no port named http');
  });

  it('unions the rules of every policy selecting a pod', () => {
    const rs = computeRuleset(model(all, [
      policy('a', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ port: 80 }] }] }),
      policy('b', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'other' } } }], ports: [{ port: 443 }] }] }),
      policy('deny', { podSelector: {} }),
    ]));
    assert.ok(allowed(rs, { src: client.ip, dst: web.ip, port: 80 }));
    assert.equal(allowed(rs, { src: client.ip, dst: web.ip, port: 443 }), false);
    assert.ok(allowed(rs, { src: other.ip, dst: web.ip, port: 443 }));
    assert.equal(allowed(rs, { src: other.ip, dst: client.ip, port: 80 }), false);
  });

  it('needs both the source\'s egress and the destination\'s ingress to allow', () => {
    const rs = computeRuleset(model(all, [
      policy('in', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }] }] }),
      policy('out', { podSelector: { matchLabels: { role: 'client' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.244.1.4/32' } }] }] }),
    ]));
    assert.equal(allowed(rs, { src: client.ip, dst: web.ip }), false);
    assert.ok(allowed(rs, { src: client.ip, dst: other.ip }));
  });

  it('never targets hostNetwork pods, nor lets selectors pick them as peers', () => {
    const host = pod('host', '10.0.0.5', { labels: { role: 'client', app: 'web' }, hostNetwork: true });
    const rs = computeRuleset(model([...all, host], [policy('p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }] }] })]));
    assert.equal(rs.ingress.has(host.ip), false);
    assert.equal(allowed(rs, { src: host.ip, dst: web.ip }), false);
  });

  it('selects nothing with a selector that does not parse', () => {
    const rs = computeRuleset(model(all, [policy('p', { podSelector: { matchExpressions: [{ key: 'app', operator: 'Bogus' }] } })]));
    assert.equal(rs.ingress.size, 0);
  });

  it('shares one peer set among the pods a policy selects and names it after the policy rule', () => {
    const rs = computeRuleset(model(all, [policy('p', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }] }] })]));
    assert.equal(rs.sets.size, 1);
    const [name, set] = [...rs.sets][0]!;
    assert.match(name, /^peers-[0-9A-F]{8}-default\/p\/ingress\/0$/);
    assert.deepEqual(set.elements, ['10.244.1.3', '10.244.2.2']);
    for (const ip of [web.ip, client.ip, other.ip]) assert.ok(rs.chains.get(podChainName('ingress', ip))!.includes(`ip saddr @${name} return`));
  });
});
