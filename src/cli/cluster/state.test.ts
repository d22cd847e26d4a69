import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { clusterKubeconfig } from './create.js';
import { clusterRow, formatRows } from './list.js';
import { planCluster } from './plan.js';
import { listClusterStates, newClusterState, readClusterState, redactToken, writeClusterState } from './state.js';

describe('cluster state', () => {
  it('writeClusterState writes cluster.json with mode 0600 and reads back the same', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kite-cluster-state-'));
    try {
      const plan = planCluster({ name: 'dev', stateDir: dir, nodes: 2, subnetIndex: 4 });
      const state = newClusterState(plan, new Date('2024-01-02T03:04:05Z'));
      state.port = 41000;
      state.server = { pid: 123, args: ['node', 'server'], log: plan.server.log };
      state.agents[1] = { pid: 456, args: ['nsenter'], log: plan.nodes[1]!.log };
      await writeClusterState(state);
      assert.equal((await stat(plan.stateFile)).mode & 0o777, 0o600);
      assert.equal((await stat(plan.dir)).mode & 0o777, 0o700);
      assert.deepEqual(await readClusterState(plan.stateFile), state);
      await mkdir(join(dir, 'stray'));
      await writeFile(join(dir, 'stray', 'cluster.json'), '{"kind":"Other"}');
      assert.deepEqual((await listClusterStates(dir)).map((s) => s.plan.name), ['dev'], 'directories without a valid state file are left out');
      assert.deepEqual(await listClusterStates(join(dir, 'missing')), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('redactToken hides the join token of a command line', () => {
    assert.deepEqual(redactToken(['agent', '--token', 'K10secret', '--data-dir', 'd']), ['agent', '--token', '<redacted>', '--data-dir', 'd']);
    assert.deepEqual(redactToken(['server']), ['server']);
  });

  it('clusterRow says whether the processes still run', async () => {
    const plan = planCluster({ name: 'dev', stateDir: '/s', nodes: 2, subnetIndex: 4 });
    const state = newClusterState(plan, new Date());
    state.phase = 'ready';
    state.server = { pid: 10, args: [], log: '' };
    state.agents = { 0: { pid: 11, args: [], log: '' }, 1: { pid: 12, args: [], log: '' } };
    const all = async () => true;
    assert.equal((await clusterRow(state, all)).status, 'Running');
    assert.equal((await clusterRow(state, async (pid) => pid !== 12)).status, 'Degraded (1/2 agents)');
    assert.equal((await clusterRow(state, async () => false)).status, 'Stopped');
    state.phase = 'failed';
    assert.equal((await clusterRow(state, all)).status, 'Failed');
    const table = formatRows([await clusterRow({ ...state, phase: 'ready' }, all)]);
    assert.match(table, /^NAME\s+NODES\s+SUBNET\s+STATUS\s+KUBECONFIG\ndev\s+2\s+172\.31\.4\.0\/24\s+Running\s+\/s\/dev\/kubeconfig\.yaml\n$/);
    assert.equal(formatRows([]), 'No clusters.\n');
  });

  it('clusterKubeconfig renames the admin kubeconfig after the cluster', async () => {
    const admin = [
      'apiVersion: v1', 'kind: Config', 'clusters:', '- name: kite', '  cluster:', '    server: https://127.0.0.1:41000', '    certificate-authority-data: Q0E=',
      'users:', '- name: admin', '  user:', '    client-certificate-data: Q0VSVA==', '    client-key-data: S0VZ',
      'contexts:', '- name: kite', '  context:', '    cluster: kite', '    user: admin', 'current-context: kite', '',
    ].join('\n');
    const { parse } = await import('yaml');
    const doc = parse(clusterKubeconfig(admin, 'dev'));
    assert.equal(doc['current-context'], 'kite-dev');
    assert.deepEqual(doc.clusters, [{ name: 'kite-dev', cluster: { server: 'https://127.0.0.1:41000', 'certificate-authority-data': 'Q0E=' } }]);
    assert.deepEqual(doc.users, [{ name: 'kite-dev', user: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' } }]);
    assert.deepEqual(doc.contexts, [{ name: 'kite-dev', context: { cluster: 'kite-dev', user: 'kite-dev' } }]);
  });
});
