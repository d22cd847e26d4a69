import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { coreV1Resources } from './index.js';

const byPlural = new Map(coreV1Resources.map((r) => [r.plural, r]));

describe('core v1 resource list', () => {
  it('serves each kind once in the core group', () => {
    assert.equal(byPlural.size, coreV1Resources.length);
    for (const r of coreV1Resources) {
      assert.equal(r.group, '');
      assert.equal(r.version, 'v1');
      assert.equal(r.schema, `io.k8s.api.core.v1.${r.kind}`);
      assert.equal(r.singular, r.kind.toLowerCase());
    }
  });

  const shortNames: [string, string[] | undefined, boolean][] = [
    ['pods', ['po'], true], ['services', ['svc'], true], ['replicationcontrollers', ['rc'], true],
    ['namespaces', ['ns'], false], ['nodes', ['no'], false], ['persistentvolumes', ['pv'], false],
    ['persistentvolumeclaims', ['pvc'], true], ['configmaps', ['cm'], true], ['endpoints', ['ep'], true],
    ['events', ['ev'], true], ['serviceaccounts', ['sa'], true], ['limitranges', ['limits'], true],
    ['resourcequotas', ['quota'], true], ['secrets', undefined, true], ['podtemplates', undefined, true],
  ];
  for (const [plural, names, namespaced] of shortNames) {
    it(`describes ${plural} for discovery`, () => {
      const r = byPlural.get(plural);
      assert.ok(r, plural);
      assert.deepEqual(r.shortNames, names);
      assert.equal(r.namespaced, namespaced);
    });
  }

  it('puts pods, services and replication controllers in the all category only', () => {
    assert.deepEqual(coreV1Resources.filter((r) => r.categories?.includes('all')).map((r) => r.plural).sort(),
      ['pods', 'replicationcontrollers', 'services']);
  });

  it('declares the subresources kubectl relies on', () => {
    const sub = (plural: string, name: string) => byPlural.get(plural)!.subresources?.find((s) => s.name === name);
    assert.deepEqual(sub('pods', 'eviction'), { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] });
    assert.deepEqual(sub('pods', 'exec')?.kind, 'PodExecOptions');
    assert.deepEqual(sub('pods', 'log')?.verbs, ['get']);
    assert.deepEqual(sub('replicationcontrollers', 'scale'), {
      name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'],
    });
    assert.equal(sub('serviceaccounts', 'token')?.group, 'authentication.k8s.io');
    for (const r of coreV1Resources) {
      assert.equal(!!r.hasStatus, !!r.subresources?.some((s) => s.name === 'status'), `${r.plural} status flag`);
    }
  });

  it('gives every printed row as many cells as columns', () => {
    for (const r of coreV1Resources) {
      const row = r.row!({ metadata: { name: 'x', creationTimestamp: '2024-01-01T00:00:00Z' } }, Date.parse('2024-01-02T00:00:00Z'));
      assert.equal(row.length, r.columns!.length, r.plural);
      // Name comes first from the server, unless a kind places it itself (events put it last).
      const own = r.columns!.filter((c) => c.name === 'Name');
      assert.ok(own.length === 0 || (own[0].format === 'name' && r.columns!.at(-1) === own[0]), `${r.plural} Name column`);
    }
  });
});
