// The proxier against the real kernel, inside network namespaces this test makes (netns-testing.ts):
// a "node" namespace holding the proxy's table, a bridge to two endpoint namespaces running busybox
// httpd, and a client namespace routed through the node. Nothing touches the host's own network.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startTestServer, type TestServer } from '../apiserver/testing/fixture.js';
import { realClock } from '../apimachinery/clock.js';
import { createInformerFactory } from '../client/informers.js';
import { ApiClient } from '../client/rest.js';
import { inProcessTransport } from '../client/transport.js';
import { ENDPOINT_IPS, fetchIn, itServesTheService, NODE_IPS, NodeNetwork, netnsSkipReason, poll, POD_CIDR } from './netns-testing.js';
import { Proxier } from './proxier.js';

type Obj = any;

const skip = netnsSkipReason({ binary: 'nftables', path: '/usr/sbin/nft' });
const net = new NodeNetwork('kp');
const NS = net.ns;

describe('proxier in network namespaces', { skip }, () => {
  let s: TestServer;
  let client: ApiClient;
  const abort = new AbortController();
  let proxier: Proxier;
  let running: Promise<void> | undefined;
  let clusterIP = '';
  let nodePort = 0;

  before(async () => {
    await net.create();
    const n = NS.node;
    s = await startTestServer();
    client = new ApiClient(inProcessTransport(() => s.server.connectInProcess({ name: 'admin', groups: ['system:masters'] })));
    const svc = await client.kind<Obj>('v1', 'Service').create('default', {
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
    const informers = createInformerFactory(client, { clock: realClock });
    proxier = new Proxier({
      informers, nodeName: 'n1', nodeIPs: NODE_IPS, clusterCIDR: POD_CIDR,
      nftCommand: ['ip', 'netns', 'exec', n, 'nft'],
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

  it('rejects connections to the ClusterIP once the Service has no endpoints', async () => {
    const slices = client.kind<Obj>('discovery.k8s.io/v1', 'EndpointSlice');
    const slice = await slices.get('default', 'web-1');
    await slices.update('default', { ...slice, endpoints: [] });
    const text = await poll('a refused connection', () => {
      const r = fetchIn(NS.client, `http://${clusterIP}/`);
      return !r.ok && /refused/i.test(r.text) ? r.text : undefined;
    });
    assert.match(text, /refused/i);
  });

  it('deletes its table when stopped', async () => {
    abort.abort();
    await running;
    const r = spawnSync('ip', ['netns', 'exec', NS.node, 'nft', 'list', 'table', 'ip', 'kite-proxy'], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
  });
});
