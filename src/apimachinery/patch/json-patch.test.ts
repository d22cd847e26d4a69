import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, decodeJsonPatch } from './json-patch.js';
import { StatusError } from '../status.js';

const doc = { metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 1, args: ['a', 'b'] } };

describe('applyJsonPatch', () => {
  const cases: { name: string; patch: unknown[]; want: unknown }[] = [
    { name: 'replace', patch: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
      want: { ...doc, spec: { replicas: 3, args: ['a', 'b'] } } },
    { name: 'add a map key', patch: [{ op: 'add', path: '/metadata/labels/tier', value: 'fe' }],
      want: { ...doc, metadata: { name: 'web', labels: { app: 'web', tier: 'fe' } } } },
    { name: 'append to a list', patch: [{ op: 'add', path: '/spec/args/-', value: 'c' }],
      want: { ...doc, spec: { replicas: 1, args: ['a', 'b', 'c'] } } },
    { name: 'remove', patch: [{ op: 'remove', path: '/metadata/labels/app' }], want: { ...doc, metadata: { name: 'web', labels: {} } } },
    { name: 'escaped path', patch: [{ op: 'add', path: '/metadata/labels/example.com~1role', value: 'db' }],
      want: { ...doc, metadata: { name: 'web', labels: { app: 'web', 'example.com/role': 'db' } } } },
    { name: 'test then replace', patch: [{ op: 'test', path: '/spec/replicas', value: 1 }, { op: 'replace', path: '/spec/replicas', value: 2 }],
      want: { ...doc, spec: { replicas: 2, args: ['a', 'b'] } } },
    { name: 'move and copy', patch: [{ op: 'copy', from: '/metadata/name', path: '/metadata/labels/name' }, { op: 'move', from: '/spec/args', path: '/spec/command' }],
      want: { metadata: { name: 'web', labels: { app: 'web', name: 'web' } }, spec: { replicas: 1, command: ['a', 'b'] } } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const before = structuredClone(doc);
      assert.deepEqual(applyJsonPatch(doc, c.patch), c.want);
      assert.deepEqual(doc, before, 'input untouched');
    });
  }

  const failures: { name: string; patch: unknown[]; cause: string }[] = [
    { name: 'failed test', patch: [{ op: 'test', path: '/spec/replicas', value: 5 }], cause: 'testing value /spec/replicas failed: test failed' },
    { name: 'replace of a missing key', patch: [{ op: 'replace', path: '/spec/nope', value: 1 }],
      cause: 'replace operation does not apply: doc is missing key: /spec/nope: missing value' },
    { name: 'remove of a missing path', patch: [{ op: 'remove', path: '/spec/nope' }],
      cause: 'remove operation does not apply: doc is missing path: "/spec/nope": missing value' },
    { name: 'add under a missing parent', patch: [{ op: 'add', path: '/status/phase', value: 'x' }],
      cause: 'add operation does not apply: doc is missing path: "/status/phase": missing value' },
    { name: 'move from a missing path', patch: [{ op: 'move', from: '/nope', path: '/x' }],
      cause: 'move operation does not apply: doc is missing from path: /nope: missing value' },
    { name: 'unknown op', patch: [{ op: 'frobnicate', path: '/x' }], cause: 'Unexpected kind: frobnicate' },
  ];
  for (const f of failures) {
    test(`422 on ${f.name}`, () => {
      assert.throws(() => applyJsonPatch(doc, f.patch), (e: unknown) => {
        assert.ok(e instanceof StatusError);
        assert.equal(e.code, 422);
        assert.equal(e.reason, 'Invalid');
        assert.equal(e.message, 'the server rejected our request due to an error in our request');
        assert.deepEqual(e.details?.causes, [{ reason: 'UnexpectedServerResponse', message: f.cause }]);
        return true;
      });
    });
  }

  test('earlier operations do not leak when a later one fails', () => {
    const d = { a: 1 };
    assert.throws(() => applyJsonPatch(d, [{ op: 'replace', path: '/a', value: 2 }, { op: 'test', path: '/a', value: 3 }]), StatusError);
    assert.deepEqual(d, { a: 1 });
  });
});

describe('decodeJsonPatch', () => {
  for (const [bad, msg] of [
    [{ op: 'add' }, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
    ['x', 'json: cannot unmarshal string into Go value of type jsonpatch.Patch'],
    [[1], 'json: cannot unmarshal non-object into Go value of type jsonpatch.Operation'],
  ] as const) {
    test(`400 for ${JSON.stringify(bad)}`, () => {
      assert.throws(() => decodeJsonPatch(bad), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === msg);
    });
  }
});
