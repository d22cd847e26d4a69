import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlagError } from '../flags.js';
import { DEFAULT_STATE_DIR, parseClusterFlags } from './command.js';

describe('kite cluster flags', () => {
  it('defaults to one node of cluster "dev" under /var/lib/kite/clusters', () => {
    assert.deepEqual(parseClusterFlags({}, '/home/u'), { name: 'dev', nodes: 1, stateDir: DEFAULT_STATE_DIR, waitMs: 180_000 });
  });

  it('reads --nodes, --name, a relative --state-dir and --wait', () => {
    assert.deepEqual(parseClusterFlags({ name: 'ci', nodes: '3', stateDir: 'st', wait: '2m' }, '/home/u'), { name: 'ci', nodes: 3, stateDir: '/home/u/st', waitMs: 120_000 });
    assert.equal(parseClusterFlags({ wait: '45s' }, '/').waitMs, 45_000);
  });

  it('refuses bad values with the flag named', () => {
    assert.throws(() => parseClusterFlags({ nodes: '0' }, '/'), (e: unknown) => e instanceof FlagError && /--nodes/.test(e.message));
    assert.throws(() => parseClusterFlags({ nodes: 'three' }, '/'), /--nodes/);
    assert.throws(() => parseClusterFlags({ name: 'My_Cluster' }, '/'), /--name/);
    assert.throws(() => parseClusterFlags({ wait: 'soon' }, '/'), /--wait/);
  });
});
