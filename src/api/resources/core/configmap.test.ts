import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { T0, iso } from './fixtures.js';
import { configMapResource, isConfigMapKey } from './configmap.js';

const makeConfigMap = (data: Record<string, string> = {}, extra: Partial<ConfigMap> = {}): ConfigMap => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default', creationTimestamp: iso(T0) }, data, ...extra,
});
const errors = (cm: ConfigMap): string[] => configMapResource.validate!(cm as never).map((e) => `${e.field}: ${e.message}`);

describe('config map keys', () => {
  const cases: [string, string[]][] = [
    ['app.properties', []],
    ['KEY_NAME-1', []],
    ['.', ["must not be '.'"]],
    ['..data', ["must not start with '..'"]],
  ];
  for (const [key, want] of cases) it(`checks ${JSON.stringify(key)}`, () => assert.deepEqual(isConfigMapKey(key), want));

  it('rejects a key with a slash at data[key]', () => {
    assert.deepEqual(errors(makeConfigMap({ 'a/b': 'x' })), [
      "data[a/b]: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ]);
  });
});

describe('config map validation', () => {
  it('rejects a key present in both data and binaryData', () => {
    assert.deepEqual(errors(makeConfigMap({ a: 'x' }, { binaryData: { a: 'eA==' } })), [
      'data[a]: Invalid value: "a": duplicate of key present in binaryData',
    ]);
  });

  it('limits the total size to 1 MiB', () => {
    assert.deepEqual(errors(makeConfigMap({ a: 'x'.repeat(1024 * 1024) })), []);
    assert.deepEqual(errors(makeConfigMap({ a: 'x'.repeat(1024 * 1024), b: 'y' })), ['[]: Too long: may not be more than 1048576 bytes']);
  });

  it('locks data once immutable', () => {
    const old = makeConfigMap({ a: 'x' }, { immutable: true });
    const next = makeConfigMap({ a: 'y' }, { immutable: false });
    assert.deepEqual(configMapResource.validateUpdate!(next as never, old as never).map((e) => `${e.field}: ${e.message}`), [
      'immutable: Forbidden: field is immutable when `immutable` is set',
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    assert.deepEqual(configMapResource.validateUpdate!(makeConfigMap({ a: 'y' }) as never, makeConfigMap({ a: 'x' }) as never), []);
  });
});

describe('config map printer', () => {
  it('counts data and binaryData keys', () => {
    const cm = makeConfigMap({ a: '1', b: '2' }, { binaryData: { c: 'eA==' } });
    assert.deepEqual(configMapResource.row!(cm as never, T0 + 5 * 86400_000), [3, '5d']);
  });
});
