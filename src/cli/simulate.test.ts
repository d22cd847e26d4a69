import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError } from './flags.js';
import { parseSimulateFlags } from './simulate.js';

const env = { home: '/home/u', isTTY: false };

describe('kite simulate flags', () => {
  it('reads the fleet from the flags', () => {
    const f = parseSimulateFlags({ nodes: '12', zones: 'a, b,c', cpu: '16', memory: '64Gi', pods: '250', kubeconfig: '/k.yaml' }, env);
    assert.equal(f.kubeconfig, '/k.yaml');
    assert.deepEqual(f.fleet, { count: 12, zones: ['a', 'b', 'c'], capacity: { cpu: '16', memory: '64Gi', pods: '250' } });
    assert.equal(f.logFormat, 'json');
  });

  it('finds the kubeconfig in $KUBECONFIG, then ~/.kube/config', () => {
    assert.equal(parseSimulateFlags({ nodes: '1' }, { ...env, kubeconfigEnv: '/a.yaml:/b.yaml' }).kubeconfig, '/a.yaml');
    assert.equal(parseSimulateFlags({ nodes: '1' }, env).kubeconfig, '/home/u/.kube/config');
  });

  const bad: [string, Record<string, string>][] = [
    ['no --nodes', {}],
    ['zero nodes', { nodes: '0' }],
    ['a bad cpu', { nodes: '1', cpu: 'lots' }],
    ['a bad pod count', { nodes: '1', pods: '-1' }],
  ];
  for (const [name, raw] of bad) {
    it(`refuses ${name}`, () => assert.throws(() => parseSimulateFlags(raw, env), FlagError));
  }
});
