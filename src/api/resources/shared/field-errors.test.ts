import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  duplicate, forbidden, IMMUTABLE, immutable, invalid, invalidEach, nonNegative, notFound, notSupported, required, tooLong,
  tooMany,
} from './field-errors.js';

describe('field errors', () => {
  it('word each error as Kubernetes does', () => {
    assert.deepEqual(required('spec.x'), { type: 'FieldValueRequired', field: 'spec.x', message: 'Required value' });
    assert.equal(required('spec.x', 'why').message, 'Required value: why');
    assert.equal(invalid('f', 'v', 'bad').message, 'Invalid value: "v": bad');
    assert.equal(notSupported('f', 'x', ['A', 'B']).message, 'Unsupported value: "x": supported values: "A", "B"');
    assert.equal(duplicate('f', 80).message, 'Duplicate value: 80');
    assert.equal(forbidden('f', 'no').message, 'Forbidden: no');
    assert.equal(tooLong('data', 10).message, 'Too long: may not be more than 10 bytes');
    assert.equal(tooMany('f', 3, 2).message, 'Too many: 3: must have at most 2 items');
    assert.deepEqual(notFound('f', 'vol'), { type: 'FieldValueInvalid', field: 'f', message: 'Not found: "vol"' });
    assert.equal(immutable('f', 'v').message, `Invalid value: "v": ${IMMUTABLE}`);
  });

  it('leave out an empty detail or supported list, as Go does', () => {
    assert.equal(invalid('f', 1, '').message, 'Invalid value: 1');
    assert.equal(notSupported('f', 'x', []).message, 'Unsupported value: "x"');
  });

  it('print structured values the Go way', () => {
    assert.equal(invalid('f', { b: '2', a: '1' }, 'bad').message, 'Invalid value: map[string]string{"a":"1", "b":"2"}: bad');
    assert.equal(invalid('f', ['a'], 'bad').message, 'Invalid value: []string{"a"}: bad');
  });

  it('invalidEach makes one error per message', () => {
    assert.deepEqual(invalidEach('f', 'v', ['a', 'b']).map((e) => e.message), ['Invalid value: "v": a', 'Invalid value: "v": b']);
  });

  it('nonNegative accepts missing and non-negative numbers', () => {
    assert.deepEqual(nonNegative('f', undefined), []);
    assert.deepEqual(nonNegative('f', null), []);
    assert.deepEqual(nonNegative('f', 0), []);
    assert.equal(nonNegative('f', -1)[0]?.message, 'Invalid value: -1: must be greater than or equal to 0');
  });
});
