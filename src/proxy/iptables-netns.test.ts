// The proxier's iptables mode against the real kernel, in network namespaces of its own
// (netns-testing.ts): iptables-restore and iptables-save run inside the "node" namespace, so the
// host's own rules are never read or changed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startTestServer, type TestServer } from '../apiserver/testing/fixture.js';
import { realClock } from '../apimachinery/clock.js';
import { createInformerFactory } from '../client/informers.js';
import { ApiClient } from '../client/rest.js';
import { inProcessTransport } from '../client/transport.js';
import { ENDPOINT_IPS, fetchIn, itServesTheService, NODE_IPS, NodeNetwork, netnsSkipReason, POD_CIDR, sh } from './netns-testing.js';
import { Proxier } from './proxier.js';

type Obj = any;

const skip = netnsSkipReason({ binary: 'iptables', path: '/usr/sbin/iptables-restore' })
  || (!existsSync('/usr/sbin/iptables-save') ? 'needs /usr/sbin/iptables-save' : false);
const net = new NodeNetwork('kpi');
const NS = net.ns;
const saved = () => sh('ip', 'netns', 'exec', NS.node, 'iptables-save');

describe('proxier in iptables mode in network namespaces', { skip }, () => {
  let s: TestServer;
  let client: ApiClient;
  const abort = new AbortController();
  let running: Promise<void> | undefined;
  let clusterIP = '';
  let emptyIP = '';
  let nodePort = 0;

  before(async () => {
    await net.create();
    s = await startTestServer();
    client = new ApiClient(inProcessTransport(() => s.server.connectInProcess({ name: 'admin', groups: ['system:masters'] })));
    const services = client.kind<Obj>('v1', 'Service');
    const svc = await services.create('default', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
      spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
    });
    clusterIP = svc.spec.clusterIP;
    nodePort = svc.spec.ports[0].nodePort;
    await client.kind<Obj>('discovery.k8s.io/v1', 'EndpointSlice').create('default', {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: ENDPOINT_IPS.map((ip) => ({ addresses: [ip], nodeName: 'n1' })),
    });
    const empty = await services.create('default', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'empty' },
      spec: { ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
    });
    emptyIP = empty.spec.clusterIP;
    const informers = createInformerFactory(client, { clock: realClock });
    const proxier = new Proxier({
      informers, nodeName: 'n1', nodeIPs: NODE_IPS, clusterCIDR: POD_CIDR, mode: 'iptables',
      iptablesPrefix: ['ip', 'netns', 'exec', NS.node],
    });
    running = proxier.start(abort.signal);
    await proxier.ready;
  });

  after(async () => {
    abort.abort();
    await running;
    net.close();
    client?.close();
    await s?.close();
  });

  itServesTheService(NS, () => ({ clusterIP, nodePort }));

  it('refuses connections to a Service without endpoints instead of letting them time out', () => {
    const r = fetchIn(NS.client, `http://${emptyIP}/`);
    assert.equal(r.ok, false);
    assert.match(r.text, /refused/i);
  });

  it('removes every KITE-* chain and its jumps from the built-in chains when stopped', async () => {
    assert.match(saved(), /-A PREROUTING .*-j KITE-SERVICES/);
    abort.abort();
    await running;
    const after = saved();
    assert.doesNotMatch(after, /KITE-/);
  });
});
