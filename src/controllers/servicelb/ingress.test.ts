import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  desiredIngress, ENABLE_LB_LABEL, EXCLUDE_LB_LABEL, isOurLoadBalancer, loadBalancerIPs, nodeFingerprint, sameIngress,
  type EndpointSlice, type Node, type Service,
} from './ingress.js';

function node(name: string, opts: { ready?: boolean; unschedulable?: boolean; labels?: Record<string, string>; internal?: string[]; external?: string[] } = {}): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: opts.labels ?? {} },
    spec: opts.unschedulable ? { unschedulable: true } : {},
    status: {
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
      addresses: [
        ...(opts.internal ?? []).map((address) => ({ type: 'InternalIP', address })),
        ...(opts.external ?? []).map((address) => ({ type: 'ExternalIP', address })),
        { type: 'Hostname', address: name },
      ],
    },
  };
}

function lb(spec: Partial<NonNullable<Service['spec']>> = {}): Service {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], ...spec },
  };
}

describe('load balancer addresses', () => {
  it('are the InternalIPs of every ready, schedulable node, sorted numerically', () => {
    const nodes = [
      node('c', { internal: ['10.0.0.10'] }),
      node('a', { internal: ['10.0.0.9'] }),
      node('down', { ready: false, internal: ['10.0.0.1'] }),
      node('cordoned', { unschedulable: true, internal: ['10.0.0.2'] }),
      node('excluded', { labels: { [EXCLUDE_LB_LABEL]: '' }, internal: ['10.0.0.3'] }),
    ];
    assert.deepEqual(loadBalancerIPs(lb(), nodes), ['10.0.0.9', '10.0.0.10']);
  });

  it('are the ExternalIPs when any eligible node has one (as k3s reports them)', () => {
    const nodes = [node('a', { internal: ['10.0.0.1'], external: ['203.0.113.5'] }), node('b', { internal: ['10.0.0.2'] })];
    assert.deepEqual(loadBalancerIPs(lb(), nodes), ['203.0.113.5']);
  });

  it('come only from nodes labelled enablelb=true once any node carries the label', () => {
    const nodes = [
      node('a', { internal: ['10.0.0.1'], labels: { [ENABLE_LB_LABEL]: 'true' } }),
      node('b', { internal: ['10.0.0.2'], labels: { [ENABLE_LB_LABEL]: 'false' } }),
      node('c', { internal: ['10.0.0.3'] }),
    ];
    assert.deepEqual(loadBalancerIPs(lb(), nodes), ['10.0.0.1']);
    assert.deepEqual(loadBalancerIPs(lb(), [nodes[1]!, nodes[2]!]), []);
  });

  it('follow the service IP families, IPv4 when none is set', () => {
    const nodes = [node('a', { internal: ['10.0.0.1', 'fd00::1'] })];
    assert.deepEqual(loadBalancerIPs(lb(), nodes), ['10.0.0.1']);
    assert.deepEqual(loadBalancerIPs(lb({ ipFamilies: ['IPv6', 'IPv4'] }), nodes), ['fd00::1', '10.0.0.1']);
  });

  it('come only from nodes with a ready endpoint for externalTrafficPolicy: Local', () => {
    const nodes = [node('a', { internal: ['10.0.0.1'] }), node('b', { internal: ['10.0.0.2'] }), node('c', { internal: ['10.0.0.3'] })];
    const slices: EndpointSlice[] = [{
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-x', namespace: 'default' }, addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.42.1.5'], nodeName: 'b', conditions: { ready: true } },
        { addresses: ['10.42.2.5'], nodeName: 'c', conditions: { ready: false } },
      ],
    }];
    assert.deepEqual(loadBalancerIPs(lb({ externalTrafficPolicy: 'Local' }), nodes, slices), ['10.0.0.2']);
    assert.deepEqual(loadBalancerIPs(lb({ externalTrafficPolicy: 'Cluster' }), nodes, slices), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  });
});

describe('load balancer ingress', () => {
  it('is one VIP entry per address with the service ports', () => {
    assert.deepEqual(desiredIngress(lb(), ['10.0.0.1']), [
      { ip: '10.0.0.1', ipMode: 'VIP', ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] },
    ]);
    assert.ok(sameIngress(desiredIngress(lb(), []), undefined));
  });

  it('belongs to us only for LoadBalancer services without a loadBalancerClass', () => {
    assert.ok(isOurLoadBalancer(lb()));
    assert.ok(!isOurLoadBalancer(lb({ loadBalancerClass: 'example.com/lb' })));
    assert.ok(!isOurLoadBalancer(lb({ type: 'ClusterIP' })));
  });

  it('changes with a node only when readiness, scheduling, labels or addresses change', () => {
    const a = node('a', { internal: ['10.0.0.1'] });
    const heartbeat = structuredClone(a);
    heartbeat.metadata!.annotations = { seen: 'now' };
    heartbeat.status!.conditions![0]!.lastHeartbeatTime = '2024-01-01T00:00:00Z';
    assert.equal(nodeFingerprint(heartbeat), nodeFingerprint(a));
    assert.notEqual(nodeFingerprint(node('a', { internal: ['10.0.0.1'], ready: false })), nodeFingerprint(a));
    assert.notEqual(nodeFingerprint(node('a', { internal: ['10.0.0.2'] })), nodeFingerprint(a));
  });
});
