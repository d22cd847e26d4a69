import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { portPolicy, type EndpointModel, type ServicePortModel } from './model.js';

const ep = (ip: string, o: Partial<EndpointModel> = {}): EndpointModel => ({ ip, port: 8080, ready: true, serving: true, terminating: false, nodeName: 'n1', ...o });
function port(o: Partial<ServicePortModel> = {}): ServicePortModel {
  return {
    namespace: 'default', name: 'web', portName: 'http', protocol: 'tcp', clusterIP: '10.43.0.5', port: 80, nodePort: 0,
    externalIPs: [], loadBalancerIPs: [], internalLocal: false, externalLocal: false, endpoints: [ep('10.42.0.2'), ep('10.42.1.3', { nodeName: 'n2' })], ...o,
  };
}
const flags = (sp: ServicePortModel, nodeName = 'n1') => {
  const { cluster: _c, local: _l, ...rest } = portPolicy(sp, nodeName);
  return rest;
};

describe('portPolicy', () => {
  it('ClusterIP with Cluster policy: the cluster chain serves ClusterIP traffic, no external chain', () => {
    assert.deepEqual(flags(port()), {
      hasEndpoints: true, external: false, usesCluster: true, usesLocal: false, internalChain: 'cluster', externalChain: 'cluster',
      hasInternal: true, hasExternal: true, usesExternalChain: false,
    });
  });

  it('NodePort with a Local external policy keeps the cluster chain for short-circuited clients', () => {
    const p = flags(port({ nodePort: 30080, externalLocal: true }));
    assert.equal(p.usesCluster, true);
    assert.equal(p.usesLocal, true);
    assert.equal(p.externalChain, 'local');
    assert.equal(p.internalChain, 'cluster');
    assert.equal(p.usesExternalChain, true);
  });

  it('a Local policy without endpoints on this node has none to send to, though others have some', () => {
    const p = flags(port({ internalLocal: true, nodePort: 30080, externalLocal: true }), 'n3');
    assert.equal(p.hasEndpoints, true);
    assert.equal(p.hasInternal, false);
    assert.equal(p.hasExternal, false);
    assert.equal(p.usesLocal, false);
    assert.equal(p.internalChain, 'local');
  });

  it('nothing is served without usable endpoints anywhere', () => {
    const p = flags(port({ nodePort: 30080, endpoints: [ep('10.42.0.2', { ready: false, serving: false })] }));
    assert.deepEqual([p.hasEndpoints, p.usesCluster, p.hasInternal, p.hasExternal, p.usesExternalChain], [false, false, false, false, false]);
  });
});
