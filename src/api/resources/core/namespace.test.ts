import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { T0, iso } from './fixtures.js';
import { namespaceResource } from './namespace.js';

const makeNamespace = (name: string): Namespace => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, creationTimestamp: iso(T0) } });

describe('namespace', () => {
  it('defaults the kubernetes finalizer and the Active phase, and prints them', () => {
    const ns = makeNamespace('team-a');
    namespaceResource.setDefaults!(ns as never);
    assert.deepEqual(ns.spec!.finalizers, ['kubernetes']);
    assert.equal(ns.status!.phase, 'Active');
    assert.deepEqual(namespaceResource.row!(ns as never, T0 + 45_000), ['Active', '45s']);
    assert.equal(namespaceResource.fields!['status.phase']!(ns as never), 'Active');
  });

  const names: [string, number][] = [['team-a', 0], ['team.a', 1], ['Team', 1]];
  for (const [name, n] of names) {
    it(`validates ${name} as a DNS label`, () => {
      const errs = namespaceResource.validate!(makeNamespace(name) as never);
      assert.equal(errs.length, n);
      if (n) assert.equal(errs[0]!.field, 'metadata.name');
    });
  }

  it('requires qualified finalizer names', () => {
    const ns = makeNamespace('a');
    (ns as { spec?: unknown }).spec = { finalizers: ['kubernetes', 'example.com/cleanup', 'cleanup'] };
    assert.deepEqual(namespaceResource.validate!(ns as never).map((e) => e.field), ['spec.finalizers[2]']);
  });
});
