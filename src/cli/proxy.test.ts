import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError } from './flags.js';
import { parseProxyFlags } from './proxy.js';

const env = { home: '/home/u', isTTY: false };

describe('kite proxy flags', () => {
  it('defaults the kubeconfig, the cluster CIDR and the NodePort addresses', () => {
    const f = parseProxyFlags({ nodeName: 'n1' }, env);
    assert.equal(f.kubeconfig, '/home/u/.kube/config');
    assert.equal(f.clusterCIDR, '10.42.0.0/16');
    assert.deepEqual(f.nodeIPs, []);
    assert.equal(f.mode, 'auto');
    assert.equal(parseProxyFlags({ nodeName: 'n1', proxyMode: 'userspace' }, env).mode, 'userspace');
    assert.equal(parseProxyFlags({ nodeName: 'n1' }, { ...env, kubeconfigEnv: '/a.yaml:/b.yaml' }).kubeconfig, '/a.yaml');
  });

  it('takes repeated node IPs and a cluster CIDR', () => {
    const f = parseProxyFlags({ nodeName: 'n1', nodeIp: ['192.0.2.1', '192.0.2.2'], clusterCidr: '10.244.0.0/16', kubeconfig: 'k.yaml' }, env);
    assert.deepEqual(f.nodeIPs, ['192.0.2.1', '192.0.2.2']);
    assert.equal(f.clusterCIDR, '10.244.0.0/16');
    assert.equal(f.kubeconfig, 'k.yaml');
  });

  it('refuses a missing node name, a bad node IP or CIDR', () => {
    assert.throws(() => parseProxyFlags({}, env), FlagError);
    assert.throws(() => parseProxyFlags({ nodeName: 'n1', nodeIp: ['nope'] }, env), FlagError);
    assert.throws(() => parseProxyFlags({ nodeName: 'n1', clusterCidr: '10.42.0.0' }, env), FlagError);
    assert.throws(() => parseProxyFlags({ nodeName: 'n1', clusterCidr: '10.42.0.0/40' }, env), FlagError);
    assert.throws(() => parseProxyFlags({ nodeName: 'n1', proxyMode: 'ipvs' }, env), /--proxy-mode: "ipvs"/);
  });
});
