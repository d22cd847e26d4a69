import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOTATION_BACKEND_TYPE, ANNOTATION_PUBLIC_IP, ANNOTATION_VTEP_MAC, desiredPeers, peerOf, type Node } from './peers.js';
import { cidrContains, networkAddress } from './ipv4.js';
import { masqueradeRuleset } from './masquerade.js';
import { vtepMAC } from './vxlan.js';

function node(name: string, podCIDR?: string, ip?: string, annotations: Record<string, string> = {}): Node {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name, annotations },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
    status: ip ? { addresses: [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }] } : {},
  };
}

describe('pod network peers', () => {
  it('takes the podCIDR and InternalIP of a node, or its public-ip annotation', () => {
    assert.deepEqual(peerOf(node('b', '10.42.2.0/24', '192.168.1.2'), 'host-gw'), { name: 'b', podCIDR: '10.42.2.0/24', ip: '192.168.1.2' });
    assert.deepEqual(peerOf(node('b', '10.42.2.0/24', '192.168.1.2', { [ANNOTATION_PUBLIC_IP]: '172.16.0.2' }), 'host-gw'),
      { name: 'b', podCIDR: '10.42.2.0/24', ip: '172.16.0.2' });
  });

  it('skips nodes without a podCIDR, without an address, on another backend, or (vxlan) without a VTEP MAC', () => {
    assert.ok('skip' in peerOf(node('b', undefined, '192.168.1.2'), 'host-gw'));
    assert.ok('skip' in peerOf(node('b', '10.42.2.0/24'), 'host-gw'));
    assert.ok('skip' in peerOf(node('b', '10.42.2.0/24', '192.168.1.2', { [ANNOTATION_BACKEND_TYPE]: 'vxlan' }), 'host-gw'));
    assert.ok('skip' in peerOf(node('b', '10.42.2.0/24', '192.168.1.2'), 'vxlan'));
    const mac = '02:AA:bb:cc:dd:ee';
    assert.deepEqual(peerOf(node('b', '10.42.2.0/24', '192.168.1.2', { [ANNOTATION_VTEP_MAC]: mac }), 'vxlan'),
      { name: 'b', podCIDR: '10.42.2.0/24', ip: '192.168.1.2', vtepMAC: mac.toLowerCase() });
  });

  it('lists every other node, never this one nor one claiming its podCIDR', () => {
    const peers = desiredPeers([
      node('a', '10.42.1.0/24', '192.168.1.1'), node('b', '10.42.2.0/24', '192.168.1.2'),
      node('c', '10.42.1.0/24', '192.168.1.3'), node('d'),
    ], { name: 'a', podCIDR: '10.42.1.0/24' }, 'host-gw');
    assert.deepEqual([...peers.keys()], ['b']);
  });

  it('uses the network address of a podCIDR as its VXLAN gateway', () => {
    assert.equal(networkAddress('10.42.7.0/24'), '10.42.7.0');
    assert.equal(cidrContains('10.42.0.0/16', '10.42.7.0/24'), true);
    assert.equal(cidrContains('10.42.0.0/16', '10.43.0.0/24'), false);
  });

  it('gives each node a stable, locally administered unicast VTEP MAC', () => {
    const mac = vtepMAC('node-a');
    assert.equal(mac, vtepMAC('node-a'));
    assert.notEqual(mac, vtepMAC('node-b'));
    assert.match(mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    const first = parseInt(mac.slice(0, 2), 16);
    assert.equal(first & 0x03, 0x02);
  });

  it('masquerades pod traffic leaving the cluster CIDR only', () => {
    const rules = masqueradeRuleset('10.42.1.0/24', '10.42.0.0/16');
    assert.match(rules, /table ip kite-nat/);
    assert.match(rules, /ip saddr 10\.42\.1\.0\/24 ip daddr 10\.42\.0\.0\/16 return/);
    assert.match(rules, /ip saddr 10\.42\.1\.0\/24 masquerade/);
    assert.ok(rules.indexOf('return') < rules.indexOf('masquerade'), 'cluster traffic returns before the masquerade rule');
  });
});
