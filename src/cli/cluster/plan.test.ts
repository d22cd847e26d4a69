import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentArgs, chooseSubnetIndex, cidrsOverlap, clusterNameError, inNetns, planCluster, serverArgs } from './plan.js';

describe('cluster plan', () => {
  it('cidrsOverlap compares IPv4 ranges, bare addresses as /32', () => {
    assert.equal(cidrsOverlap('172.31.1.0/24', '172.31.1.77'), true);
    assert.equal(cidrsOverlap('172.16.0.0/12', '172.31.5.0/24'), true);
    assert.equal(cidrsOverlap('172.31.1.0/24', '172.31.2.0/24'), false);
    assert.equal(cidrsOverlap('10.0.0.0/8', '172.31.1.0/24'), false);
    assert.equal(cidrsOverlap('fe80::/64', '172.31.1.0/24'), false, 'IPv6 never overlaps');
  });

  it('chooseSubnetIndex takes the first /24 no route, address or other cluster uses', () => {
    assert.equal(chooseSubnetIndex([]), 1);
    assert.equal(chooseSubnetIndex(['192.0.2.0/24', '127.0.0.0/8']), 1);
    assert.equal(chooseSubnetIndex(['172.31.1.0/24', '172.31.2.5/32']), 3);
    assert.equal(chooseSubnetIndex(['172.31.1.1/24'], [2, 3]), 4);
    assert.equal(chooseSubnetIndex(['0.0.0.0/0']), 1, 'a default route that slipped through is not a conflict');
  });

  it('chooseSubnetIndex fails when every /24 is in use', () => {
    assert.throws(() => chooseSubnetIndex(['172.16.0.0/12']), /no free \/24/);
  });

  it('clusterNameError accepts short DNS labels that start with a letter', () => {
    assert.equal(clusterNameError('dev'), undefined);
    assert.equal(clusterNameError('ci-2'), undefined);
    assert.match(clusterNameError('Dev') ?? '', /not a valid cluster name/);
    assert.match(clusterNameError('2dev') ?? '', /not a valid cluster name/);
    assert.match(clusterNameError('dev-') ?? '', /not a valid cluster name/);
    assert.match(clusterNameError('abcdefghijk') ?? '', /too long/);
  });

  it('planCluster names, addresses and places every node', () => {
    const plan = planCluster({ name: 'dev', stateDir: '/var/lib/kite/clusters', nodes: 3, subnetIndex: 7 });
    assert.equal(plan.dir, '/var/lib/kite/clusters/dev');
    assert.equal(plan.subnet, '172.31.7.0/24');
    assert.equal(plan.gateway, '172.31.7.1');
    assert.equal(plan.bridge, 'kite-dev');
    assert.equal(plan.stateFile, '/var/lib/kite/clusters/dev/cluster.json');
    assert.equal(plan.kubeconfig, '/var/lib/kite/clusters/dev/kubeconfig.yaml');
    assert.equal(plan.server.nodeToken, '/var/lib/kite/clusters/dev/server/server/node-token');
    assert.deepEqual(plan.nodes.map((n) => [n.nodeName, n.netns, n.hostVeth, n.ip, n.dataDir, n.log]), [
      ['dev-node-0', 'kite-dev-0', 'kite-7-0', '172.31.7.10', '/var/lib/kite/clusters/dev/node-0', '/var/lib/kite/clusters/dev/logs/node-0.log'],
      ['dev-node-1', 'kite-dev-1', 'kite-7-1', '172.31.7.11', '/var/lib/kite/clusters/dev/node-1', '/var/lib/kite/clusters/dev/logs/node-1.log'],
      ['dev-node-2', 'kite-dev-2', 'kite-7-2', '172.31.7.12', '/var/lib/kite/clusters/dev/node-2', '/var/lib/kite/clusters/dev/logs/node-2.log'],
    ]);
  });

  it('planCluster keeps interface names within 15 characters', () => {
    const plan = planCluster({ name: 'abcdefghij', stateDir: '/s', nodes: 50, subnetIndex: 254 });
    for (const name of [plan.bridge, ...plan.nodes.map((n) => n.hostVeth)]) assert.ok(name.length <= 15, name);
  });

  it('planCluster refuses bad node counts and names', () => {
    assert.throws(() => planCluster({ name: 'dev', stateDir: '/s', nodes: 0, subnetIndex: 1 }), /--nodes/);
    assert.throws(() => planCluster({ name: 'dev', stateDir: '/s', nodes: 51, subnetIndex: 1 }), /--nodes/);
    assert.throws(() => planCluster({ name: 'Dev', stateDir: '/s', nodes: 1, subnetIndex: 1 }), /cluster name/);
  });

  it('serverArgs and agentArgs give the command lines of the server and each agent', () => {
    const plan = planCluster({ name: 'dev', stateDir: '/s', nodes: 2, subnetIndex: 3 });
    assert.deepEqual(serverArgs(plan, 40123), [
      'server', '--disable-agent', '--bind-address', '0.0.0.0', '--advertise-address', '172.31.3.1',
      '--data-dir', '/s/dev/server', '--port', '40123', '--log-format', 'text',
    ]);
    assert.deepEqual(agentArgs(plan, plan.nodes[1]!, 40123, 'K10abc::node:x'), [
      'agent', '--server', 'https://172.31.3.1:40123', '--token', 'K10abc::node:x', '--data-dir', '/s/dev/node-1',
      '--node-name', 'dev-node-1', '--node-ip', '172.31.3.11', '--log-format', 'text',
    ]);
  });

  it('inNetns enters the network namespace only', () => {
    assert.deepEqual(inNetns('kite-dev-0', ['node', 'kite.js', 'agent']), ['nsenter', '--net=/run/netns/kite-dev-0', '--', 'node', 'kite.js', 'agent']);
  });
});
