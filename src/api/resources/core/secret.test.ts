import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Secret } from 'kubernetes-types/core/v1.js';
import { T0, iso } from './fixtures.js';
import { secretResource } from './secret.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const makeSecret = (extra: Partial<Secret> = {}): Secret => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default', creationTimestamp: iso(T0) }, ...extra,
});
const defaulted = (s: Secret): Secret => {
  secretResource.setDefaults!(s as never);
  return s;
};
const errors = (s: Secret): string[] => secretResource.validate!(defaulted(s) as never).map((e) => `${e.field}: ${e.message}`);

describe('secret defaults', () => {
  it('defaults the type to Opaque and folds stringData into data', () => {
    const s = defaulted(makeSecret({ data: { a: b64('1') }, stringData: { b: 'two', a: 'one' } }));
    assert.equal(s.type, 'Opaque');
    assert.deepEqual(s.data, { a: b64('one'), b: b64('two') });
    assert.equal(s.stringData, undefined);
  });
});

describe('secret validation', () => {
  const cases: [string, Partial<Secret>, string[]][] = [
    ['an opaque secret', { data: { password: b64('x') } }, []],
    ['a TLS secret without its keys', { type: 'kubernetes.io/tls', data: {} }, ['data[tls.crt]: Required value', 'data[tls.key]: Required value']],
    ['a basic-auth secret with neither key', { type: 'kubernetes.io/basic-auth' }, ['data[username]: Required value', 'data[password]: Required value']],
    ['a token secret without its account', { type: 'kubernetes.io/service-account-token' }, [
      'metadata.annotations[kubernetes.io/service-account.name]: Required value',
    ]],
    ['a docker config that is not JSON', { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{nope') } }, [
      'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": ',
    ]],
    ['a bad key', { data: { 'a b': b64('x') } }, ['data[a b]: Invalid value: "a b": a valid config key']],
  ];
  for (const [name, extra, want] of cases) {
    it(`handles ${name}`, () => {
      const got = errors(makeSecret(extra));
      assert.equal(got.length, want.length, got.join('\n'));
      want.forEach((w, i) => assert.ok(got[i]!.startsWith(w), `${got[i]} should start with ${w}`));
    });
  }

  it('keeps the type immutable', () => {
    const old = defaulted(makeSecret({ data: {} }));
    const next = makeSecret({ type: 'kubernetes.io/basic-auth', data: { username: b64('u') } });
    assert.deepEqual(secretResource.validateUpdate!(next as never, old as never).map((e) => `${e.field}: ${e.message}`), [
      'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
    ]);
  });
});

describe('secret printer and fields', () => {
  it('prints type, key count and age and selects on type', () => {
    const s = defaulted(makeSecret({ data: { a: b64('1'), b: b64('2') } }));
    assert.deepEqual(secretResource.row!(s as never, T0 + 90_000), ['Opaque', 2, '90s']);
    assert.equal(secretResource.fields!.type!(s as never), 'Opaque');
  });
});
