import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch, mergePatchObject } from './merge-patch.js';
import { StatusError } from '../status.js';

// The examples of RFC 7386, appendix A, plus the API-object cases that matter to us.
const cases: [unknown, unknown, unknown][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];
for (const [target, patch, want] of cases) {
  test(`${JSON.stringify(target)} + ${JSON.stringify(patch)} → ${JSON.stringify(want)}`, () => {
    const t = structuredClone(target);
    const p = structuredClone(patch);
    assert.deepEqual(applyMergePatch(t, p), want);
    assert.deepEqual(t, target);
    assert.deepEqual(p, patch);
  });
}

test('mergePatchObject requires an object patch', () => {
  assert.deepEqual(mergePatchObject({ metadata: { labels: { a: '1' } } }, { metadata: { labels: { a: null, b: '2' } } }),
    { metadata: { labels: { b: '2' } } });
  assert.throws(() => mergePatchObject({}, [1]), (e: unknown) => e instanceof StatusError && e.code === 400);
});
