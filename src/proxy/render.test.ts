import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { categorizeEndpoints, servicePorts, type EndpointModel, type NodeInfo, type ServicePortModel } from './model.js';
import { clusterChainName, endpointChainName, externalChainName, localChainName } from './names.js';
import { generateRuleset, renderServicePort } from './render.js';

type Obj = any;
const node: NodeInfo = { nodeName: 'n1', nodeIPs: ['10.200.1.1'], clusterCIDR: '10.42.0.0/16' };
const ep = (ip: string, o: Partial<EndpointModel> = {}): EndpointModel => ({ ip, port: 8080, ready: true, serving: true, terminating: false, nodeName: 'n1', ...o });
function port(o: Partial<ServicePortModel> = {}): ServicePortModel {
  return {
    namespace: 'default', name: 'web', portName: 'http', protocol: 'tcp', clusterIP: '10.43.0.5', port: 80, nodePort: 0,
    externalIPs: [], loadBalancerIPs: [], internalLocal: false, externalLocal: false, endpoints: [ep('10.42.0.2'), ep('10.42.1.3', { nodeName: 'n2' })], ...o,
  };
}
const rules = (sp: ServicePortModel) => generateRuleset({ node, ports: [sp] });
const svcChain = clusterChainName(port());

describe('ruleset generation', () => {
  it('ClusterIP: a dispatch element to the service chain, which picks a random endpoint chain that DNATs', () => {
    const text = rules(port());
    assert.match(text, new RegExp(`add element ip kite-proxy service-ips \\{ 10\\.43\\.0\\.5 \\. tcp \\. 80 : goto ${svcChain} \\}`));
    const e1 = endpointChainName(port(), '10.42.0.2', 8080);
    const e2 = endpointChainName(port(), '10.42.1.3', 8080);
    assert.ok(text.includes(`add rule ip kite-proxy ${svcChain} numgen random mod 2 vmap { 0 : goto ${e1}, 1 : goto ${e2} }`));
    assert.ok(text.includes(`add rule ip kite-proxy ${e1} meta l4proto tcp dnat to 10.42.0.2:8080`));
    assert.ok(text.includes('add element ip kite-proxy cluster-ips { 10.43.0.5 }'));
  });

  it('a ClusterIP without endpoints is rejected from the filter chains, with no service chain', () => {
    const text = rules(port({ endpoints: [] }));
    assert.ok(text.includes('add element ip kite-proxy no-endpoint-services { 10.43.0.5 . tcp . 80 : goto reject-chain }'));
    assert.ok(!text.includes(svcChain));
    assert.ok(text.includes('add rule ip kite-proxy reject-chain meta l4proto tcp reject with tcp reset'));
    assert.ok(text.includes('add rule ip kite-proxy filter-forward ct state new jump service-endpoints-check'));
  });

  it('masquerades off-cluster clients of a ClusterIP, and hairpin traffic in each endpoint chain', () => {
    const text = rules(port());
    assert.ok(text.includes(`add rule ip kite-proxy ${svcChain} ip daddr 10.43.0.5 tcp dport 80 ip saddr != 10.42.0.0/16 jump mark-for-masquerade`));
    assert.ok(text.includes(`${endpointChainName(port(), '10.42.0.2', 8080)} ip saddr 10.42.0.2 jump mark-for-masquerade`));
    assert.ok(text.includes('add rule ip kite-proxy masquerading masquerade fully-random'));
    assert.ok(!generateRuleset({ node: { ...node, clusterCIDR: undefined }, ports: [port()] }).includes('ip saddr != '));
  });

  it('NodePort, externalIPs and load-balancer IPs go through the external chain, which masquerades under Cluster policy', () => {
    const sp = port({ nodePort: 30080, externalIPs: ['192.0.2.9'], loadBalancerIPs: ['192.0.2.10'] });
    const text = rules(sp);
    const ext = externalChainName(sp);
    assert.ok(text.includes(`add element ip kite-proxy service-nodeports { tcp . 30080 : goto ${ext} }`));
    assert.ok(text.includes(`192.0.2.9 . tcp . 80 : goto ${ext}`));
    assert.ok(text.includes(`192.0.2.10 . tcp . 80 : goto ${ext}`));
    assert.ok(text.includes(`add rule ip kite-proxy ${ext} jump mark-for-masquerade\nadd rule ip kite-proxy ${ext} goto ${svcChain}`));
    assert.ok(text.includes('add element ip kite-proxy nodeport-ips { 10.200.1.1 }'));
    assert.ok(text.includes('ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports'));
    assert.ok(generateRuleset({ node: { ...node, nodeIPs: [] }, ports: [sp] }).includes('fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports'));
  });

  it('sessionAffinity ClientIP: a timed set per endpoint, checked before the random choice and updated on DNAT', () => {
    const sp = port({ affinityTimeout: 600, endpoints: [ep('10.42.0.2')] });
    const r = renderServicePort(sp, node);
    const [set] = [...r.sets.keys()];
    assert.equal(r.sets.get(set!), 600);
    const text = rules(sp);
    assert.ok(text.includes(`add set ip kite-proxy ${set} { type ipv4_addr; flags dynamic,timeout; timeout 600s; }`));
    const e1 = endpointChainName(sp, '10.42.0.2', 8080);
    assert.ok(text.includes(`add rule ip kite-proxy ${svcChain} ip saddr @${set} goto ${e1}`));
    assert.ok(text.includes(`add rule ip kite-proxy ${e1} update @${set} { ip saddr }`));
    assert.notEqual([...renderServicePort({ ...sp, affinityTimeout: 700 }, node).sets.keys()][0], set, 'a new timeout makes a new set');
  });

  it('internalTrafficPolicy Local: only this node\'s endpoints; none here drops, none anywhere rejects', () => {
    const sp = port({ internalLocal: true });
    const r = renderServicePort(sp, node);
    const local = localChainName(sp);
    assert.deepEqual([...r.chains.keys()].filter((c) => !c.startsWith('endpoint-')), [local]);
    assert.match(r.chains.get(local)!.at(-1)!, /numgen random mod 1 vmap \{ 0 : goto endpoint-/);
    assert.deepEqual(r.elements.get('service-ips'), [`10.43.0.5 . tcp . 80 : goto ${local}`]);
    const remote = renderServicePort(port({ internalLocal: true, endpoints: [ep('10.42.1.3', { nodeName: 'n2' })] }), node);
    assert.deepEqual(remote.elements.get('no-endpoint-services'), ['10.43.0.5 . tcp . 80 : drop']);
    const none = renderServicePort(port({ internalLocal: true, endpoints: [] }), node);
    assert.deepEqual(none.elements.get('no-endpoint-services'), ['10.43.0.5 . tcp . 80 : goto reject-chain']);
  });

  it('externalTrafficPolicy Local: pod and host clients short-circuit to the cluster chain, others reach local endpoints unmasqueraded', () => {
    const sp = port({ nodePort: 30080, externalLocal: true });
    const r = renderServicePort(sp, node);
    assert.deepEqual(r.chains.get(externalChainName(sp)), [
      `ip saddr 10.42.0.0/16 goto ${svcChain}`,
      'fib saddr type local jump mark-for-masquerade',
      `fib saddr type local goto ${svcChain}`,
      `goto ${localChainName(sp)}`,
    ]);
    const remote = renderServicePort(port({ nodePort: 30080, externalLocal: true, endpoints: [ep('10.42.1.3', { nodeName: 'n2' })] }), node);
    assert.deepEqual(remote.elements.get('no-endpoint-nodeports'), ['tcp . 30080 : drop']);
    assert.ok(!remote.chains.get(externalChainName(sp))!.some((x) => x.startsWith('goto ')));
  });

  it('terminating endpoints serve only when no endpoint is ready', () => {
    const term = ep('10.42.0.9', { ready: false, serving: true, terminating: true });
    const gone = ep('10.42.0.10', { ready: false, serving: false, terminating: true });
    assert.deepEqual(categorizeEndpoints(port({ endpoints: [ep('10.42.0.2'), term] }), 'n1').cluster.map((e) => e.ip), ['10.42.0.2']);
    assert.deepEqual(categorizeEndpoints(port({ endpoints: [term, gone] }), 'n1').cluster.map((e) => e.ip), ['10.42.0.9']);
    assert.equal(categorizeEndpoints(port({ endpoints: [gone] }), 'n1').hasEndpoints, false);
  });

  it('builds ServicePorts from a Service and its EndpointSlices', () => {
    const svc: Obj = {
      metadata: { namespace: 'apps', name: 'web' },
      spec: { type: 'LoadBalancer', clusterIP: '10.43.0.7', externalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP', externalIPs: ['192.0.2.1'],
        ports: [{ name: 'http', port: 80, nodePort: 30001 }, { name: 'dns', port: 53, protocol: 'UDP' }] },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.2' }, { hostname: 'lb.example' }] } },
    };
    const slice: Obj = { addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 5353, protocol: 'UDP' }],
      endpoints: [{ addresses: ['10.42.0.5'], nodeName: 'n1', conditions: { ready: false, serving: true, terminating: true } }, { addresses: ['10.42.0.4'] }] };
    const [http, dns] = servicePorts(svc, [slice]);
    assert.equal(http!.nodePort, 30001);
    assert.equal(http!.affinityTimeout, 10_800);
    assert.deepEqual(http!.loadBalancerIPs, ['192.0.2.2']);
    assert.equal(http!.externalLocal, true);
    assert.deepEqual(http!.endpoints.map((e) => [e.ip, e.port, e.ready, e.terminating]), [['10.42.0.4', 8080, true, false], ['10.42.0.5', 8080, false, true]]);
    assert.equal(dns!.protocol, 'udp');
    assert.equal(dns!.endpoints[0]!.port, 5353);
    assert.deepEqual(servicePorts({ ...svc, spec: { ...svc.spec, clusterIP: 'None' } }, [slice]), []);
    assert.deepEqual(servicePorts({ metadata: { name: 'x' }, spec: { type: 'ExternalName', externalName: 'example.com' } } as Obj, []), []);
  });
});

describe('services another proxy serves', () => {
  it('a Service labelled service.kubernetes.io/service-proxy-name gets no rules, as kube-proxy leaves it alone', () => {
    const svc: Obj = {
      metadata: { namespace: 'kube-system', name: 'kube-dns', labels: { 'service.kubernetes.io/service-proxy-name': 'kite-node-dns' } },
      spec: { type: 'ClusterIP', clusterIP: '10.43.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
    };
    assert.deepEqual(servicePorts(svc, []), []);
    delete svc.metadata.labels;
    assert.equal(servicePorts(svc, []).length, 1);
  });
});

