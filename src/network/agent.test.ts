import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startTestServer, type TestServer } from '../apiserver/testing/fixture.js';
import { ApiClient } from '../client/rest.js';
import { inProcessTransport } from '../client/transport.js';
import { PodNetwork } from './agent.js';
import { ANNOTATION_BACKEND_TYPE, ANNOTATION_PUBLIC_IP, ANNOTATION_VTEP_MAC, type Node } from './peers.js';
import type { CommandRunner } from './runner.js';
import { vtepMAC } from './vxlan.js';

/** Records commands instead of running them; `ip -j route show` answers with `routes`. */
function recorder(routes: { dst: string }[] = []) {
  const commands: string[] = [];
  const inputs: string[] = [];
  const run: CommandRunner = async (file, args, opts) => {
    const line = [file, ...args].join(' ');
    commands.push(line);
    if (opts?.input) inputs.push(opts.input);
    if (line.startsWith('ip -j route show')) return JSON.stringify(routes);
    if (file === 'cat') return '1\n';
    return '';
  };
  return { run, commands, inputs, clear: () => { commands.length = 0; } };
}

describe('pod network agent', () => {
  let server: TestServer;
  let client: ApiClient;

  before(async () => {
    server = await startTestServer();
    client = new ApiClient(inProcessTransport(() => server.server.connectInProcess({ name: 'admin', groups: ['system:masters'] })));
  });
  after(async () => {
    client.close();
    await server.close();
  });

  const nodes = () => client.kind<Node>('v1', 'Node');
  async function addNode(name: string, ip: string, podCIDR?: string, annotations: Record<string, string> = {}): Promise<void> {
    await nodes().create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name, annotations }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });
    const n = await nodes().get(undefined, name);
    await nodes().updateStatus(undefined, { ...n, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
  }
  const setPodCIDR = (name: string, cidr: string) => nodes().patch(undefined, name, { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, 'merge');
  const removeAll = async () => {
    for (const n of (await nodes().list()).items) await nodes().delete(undefined, n.metadata!.name!);
  };

  it('host-gw: routes every other node podCIDR via its address, follows node changes, and removes it all on stop', async () => {
    await addNode('a', '192.168.9.1', '10.42.1.0/24');
    await addNode('b', '192.168.9.2', '10.42.2.0/24');
    await addNode('c', '192.168.9.3');
    const r = recorder();
    const net = new PodNetwork({ client, nodeName: 'a', backend: 'host-gw', runner: r.run });
    const done = net.start(new AbortController().signal);
    await net.ready;
    assert.ok(r.commands.includes('ip route replace 10.42.2.0/24 via 192.168.9.2 proto 75'));
    assert.ok(!r.commands.some((c) => c.includes('10.42.1.0/24 via')), 'no route to its own podCIDR');
    assert.ok(r.commands.includes('nft -f -'));
    assert.match(r.inputs.join('\n'), /ip saddr 10\.42\.1\.0\/24 ip daddr 10\.42\.0\.0\/16 return/);
    const a = await nodes().get(undefined, 'a');
    assert.equal(a.metadata?.annotations?.[ANNOTATION_BACKEND_TYPE], 'host-gw');
    assert.equal(a.metadata?.annotations?.[ANNOTATION_PUBLIC_IP], '192.168.9.1');

    r.clear();
    await setPodCIDR('c', '10.42.3.0/24');
    await eventually(() => r.commands.includes('ip route replace 10.42.3.0/24 via 192.168.9.3 proto 75'));
    await nodes().delete(undefined, 'b');
    await eventually(() => r.commands.includes('ip route del 10.42.2.0/24 via 192.168.9.2 proto 75'));
    assert.deepEqual([...net.peers().keys()], ['c']);

    r.clear();
    await net.stop();
    await done;
    assert.ok(r.commands.includes('ip route flush proto 75'));
    assert.ok(r.commands.includes('nft delete table ip kite-nat'));
    assert.ok(r.commands.includes('ip link del kite.1'));
    await removeAll();
  });

  it('vxlan: creates the device, publishes its MAC and programs FDB, neighbour and route per peer', async () => {
    const macB = vtepMAC('b');
    await addNode('a', '192.168.9.1', '10.42.1.0/24');
    await addNode('b', '192.168.9.2', '10.42.2.0/24', { [ANNOTATION_VTEP_MAC]: macB, [ANNOTATION_BACKEND_TYPE]: 'vxlan' });
    await addNode('h', '192.168.9.4', '10.42.4.0/24', { [ANNOTATION_BACKEND_TYPE]: 'host-gw' });
    const r = recorder();
    const net = new PodNetwork({ client, nodeName: 'a', backend: 'vxlan', runner: r.run });
    const done = net.start(new AbortController().signal);
    await net.ready;
    const macA = vtepMAC('a');
    assert.deepEqual(r.commands.filter((c) => c.startsWith('ip link') || c.startsWith('ip addr')), [
      'ip link del kite.1',
      `ip link add kite.1 address ${macA} mtu 1450 type vxlan id 1 local 192.168.9.1 dstport 8472 nolearning`,
      'ip addr replace 10.42.1.0/32 dev kite.1',
      'ip link set kite.1 up',
    ]);
    assert.ok(r.commands.includes(`bridge fdb replace ${macB} dev kite.1 dst 192.168.9.2 self permanent`));
    assert.ok(r.commands.includes(`ip neigh replace 10.42.2.0 lladdr ${macB} dev kite.1 nud permanent`));
    assert.ok(r.commands.includes('ip route replace 10.42.2.0/24 via 10.42.2.0 dev kite.1 onlink proto 75'));
    assert.ok(!r.commands.some((c) => c.includes('10.42.4.0')), 'a node on another backend is no peer');
    await eventually(async () => (await nodes().get(undefined, 'a')).metadata?.annotations?.[ANNOTATION_VTEP_MAC] === macA);

    r.clear();
    await nodes().delete(undefined, 'b');
    await eventually(() => r.commands.includes(`bridge fdb del ${macB} dev kite.1 dst 192.168.9.2 self`));
    assert.ok(r.commands.includes('ip neigh del 10.42.2.0 dev kite.1'));
    assert.ok(r.commands.includes('ip route del 10.42.2.0/24 via 10.42.2.0 dev kite.1 proto 75'));
    await net.stop();
    await done;
    await removeAll();
  });

  it('waits for its node to get a podCIDR, then removes routes a previous run left behind', async () => {
    await addNode('a', '192.168.9.1');
    await addNode('b', '192.168.9.2', '10.42.2.0/24');
    const r = recorder([{ dst: '10.42.2.0/24' }, { dst: '10.42.9.0/24' }]);
    const net = new PodNetwork({ client, nodeName: 'a', backend: 'host-gw', runner: r.run, keepOnStop: true });
    const done = net.start(new AbortController().signal);
    let ready = false;
    void net.ready.then(() => { ready = true; });
    await new Promise((res) => setImmediate(res));
    assert.equal(ready, false);
    assert.ok(!r.commands.some((c) => c.startsWith('ip route')), 'nothing is programmed without a podCIDR');

    await setPodCIDR('a', '10.42.1.0/24');
    await net.ready;
    assert.ok(r.commands.includes('ip route del 10.42.9.0/24 proto 75'), 'the stale route goes');
    assert.ok(!r.commands.includes('ip route del 10.42.2.0/24 proto 75'), 'the wanted one stays');
    r.clear();
    await net.stop();
    await done;
    assert.deepEqual(r.commands, [], 'keepOnStop leaves the network in place');
    await removeAll();
  });
});
