import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepEqual } from './deep-equal.js';

test('deepEqual compares JSON values by structure', () => {
  assert.equal(deepEqual({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] }), true);
  assert.equal(deepEqual({ a: 1, b: 2 }, { b: 2, a: 1 }), true);
  assert.equal(deepEqual([1, 2], [2, 1]), false);
  assert.equal(deepEqual({ a: 1 }, { a: 1, b: 2 }), false);
  assert.equal(deepEqual({ a: 1, b: 3 }, { a: 1, c: 3 }), false);
  assert.equal(deepEqual([], {}), false);
  assert.equal(deepEqual(null, {}), false);
  assert.equal(deepEqual(0, false), false);
});

test('deepEqual treats keys holding undefined as absent', () => {
  assert.equal(deepEqual({ a: 1, b: undefined }, { a: 1 }), true);
  assert.equal(deepEqual({ a: undefined }, { b: undefined }), true);
});
