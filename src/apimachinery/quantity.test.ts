import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseQuantity, newQuantity, newMilliQuantity, quantityFromJSON, isQuantity,
  QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR,
} from './quantity.js';
import { StatusError } from './status.js';

describe('parseQuantity canonical form', () => {
  const cases: [string, string, string][] = [
    // input, canonical, format
    ['0', '0', 'DecimalSI'],
    ['1', '1', 'DecimalSI'],
    ['1000m', '1', 'DecimalSI'],
    ['0.5', '500m', 'DecimalSI'],
    ['1.5', '1500m', 'DecimalSI'],
    ['100m', '100m', 'DecimalSI'],
    ['2000', '2k', 'DecimalSI'],
    ['1500', '1500', 'DecimalSI'],
    ['1.5k', '1500', 'DecimalSI'],
    ['1G', '1G', 'DecimalSI'],
    ['0.001G', '1M', 'DecimalSI'],
    ['1n', '1n', 'DecimalSI'],
    ['0.1n', '1n', 'DecimalSI'],
    ['0.0000000001', '1n', 'DecimalSI'],
    ['-0.0000000001', '-1n', 'DecimalSI'],
    ['1u', '1u', 'DecimalSI'],
    ['-1.5', '-1500m', 'DecimalSI'],
    ['1024Mi', '1Gi', 'BinarySI'],
    ['1.5Gi', '1536Mi', 'BinarySI'],
    ['0.5Gi', '512Mi', 'BinarySI'],
    ['1Ki', '1Ki', 'BinarySI'],
    ['1.5Ki', '1536', 'BinarySI'],
    ['0.5Ki', '512', 'BinarySI'],
    ['100Ki', '100Ki', 'BinarySI'],
    ['2048Ki', '2Mi', 'BinarySI'],
    ['1Ei', '1Ei', 'BinarySI'],
    ['0.0001Ki', '102400u', 'DecimalSI'],
    ['1e3', '1e3', 'DecimalExponent'],
    ['1E3', '1E3', 'DecimalExponent'],
    ['1.5e3', '1500', 'DecimalExponent'],
    ['1000e3', '1e6', 'DecimalExponent'],
    ['100e-3', '100e-3', 'DecimalExponent'],
    ['12e6', '12e6', 'DecimalExponent'],
    ['1E', '1E', 'DecimalSI'],
    ['1000E', '1000E', 'DecimalSI'],
    // Kubernetes keeps already-canonical input text verbatim, quirks included.
    ['+1', '+1', 'DecimalSI'],
    ['1.', '1.', 'DecimalSI'],
    ['.5', '500m', 'DecimalSI'],
    ['1.G', '1.G', 'DecimalSI'],
    ['1.0G', '1G', 'DecimalSI'],
    ['-', '0', 'DecimalSI'],
    ['0.0', '0', 'DecimalSI'],
    ['1e+21', '1e+21', 'DecimalExponent'],
    ['1000e+21', '1e24', 'DecimalExponent'],
  ];
  for (const [input, canonical, format] of cases) {
    test(`${input} → ${canonical} (${format})`, () => {
      const q = parseQuantity(input);
      assert.equal(q.toString(), canonical);
      assert.equal(q.format, format);
      assert.equal(JSON.stringify({ q }), JSON.stringify({ q: canonical }));
    });
  }

  test('the canonical form parses back to the same amount', () => {
    for (const [input] of cases) {
      const q = parseQuantity(input);
      assert.equal(parseQuantity(q.toString()).nanos, q.nanos, input);
    }
  });
});

describe('parseQuantity errors', () => {
  const bad: [string, string][] = [
    ['', QUANTITY_FORMAT_ERROR],
    ['1x', QUANTITY_FORMAT_ERROR],
    ['abc', QUANTITY_FORMAT_ERROR],
    ['1 ', QUANTITY_FORMAT_ERROR],
    ['1.5.5', QUANTITY_FORMAT_ERROR],
    ['1Ki5x', QUANTITY_FORMAT_ERROR],
    ['1e', QUANTITY_SUFFIX_ERROR],
    ['1K', QUANTITY_SUFFIX_ERROR],
    ['1mi', QUANTITY_SUFFIX_ERROR],
    ['1Ki5', QUANTITY_SUFFIX_ERROR],
  ];
  for (const [input, msg] of bad) {
    test(`${JSON.stringify(input)} is rejected: ${msg.slice(0, 40)}…`, () => {
      assert.throws(() => parseQuantity(input), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === msg);
      assert.equal(isQuantity(input), false);
    });
  }
});

describe('Quantity values and arithmetic', () => {
  const values: [string, number, number][] = [
    ['100m', 1, 100],
    ['1.5', 2, 1500],
    ['-1.5', -2, -1500],
    ['1Ki', 1024, 1024000],
    ['1n', 1, 1],
    ['2', 2, 2000],
    ['0.0001', 1, 1],
  ];
  for (const [input, value, milli] of values) {
    test(`${input}: value ${value}, milliValue ${milli}`, () => {
      const q = parseQuantity(input);
      assert.equal(q.value(), value);
      assert.equal(q.milliValue(), milli);
    });
  }

  test('comparisons are exact', () => {
    assert.equal(parseQuantity('1').cmp(parseQuantity('1000m')), 0);
    assert.equal(parseQuantity('1Gi').cmp(parseQuantity('1G')), 1);
    assert.equal(parseQuantity('999m').cmp(parseQuantity('1')), -1);
    assert.ok(parseQuantity('1Ki').equals(parseQuantity('1024')));
    assert.equal(parseQuantity('-1').sign(), -1);
    assert.equal(parseQuantity('0m').isZero(), true);
  });

  test('add and sub keep the receiver format unless it is zero', () => {
    assert.equal(parseQuantity('1Gi').add(parseQuantity('512Mi')).toString(), '1536Mi');
    assert.equal(parseQuantity('100m').add(parseQuantity('900m')).toString(), '1');
    assert.equal(parseQuantity('0').add(parseQuantity('1Ki')).format, 'BinarySI');
    assert.equal(parseQuantity('1').sub(parseQuantity('1500m')).toString(), '-500m');
    assert.equal(parseQuantity('0.1').add(parseQuantity('0.2')).toString(), '300m');
    assert.equal(parseQuantity('1').neg().toString(), '-1');
  });

  test('arithmetic drops the preserved input text', () => {
    assert.equal(parseQuantity('1E3').add(parseQuantity('0')).toString(), '1e3');
  });

  test('binary amounts are capped at 2^63-1', () => {
    assert.equal(parseQuantity('100Ei').value(), Number(2n ** 63n - 1n));
  });

  test('constructors', () => {
    assert.equal(newQuantity(3).toString(), '3');
    assert.equal(newQuantity(2048, 'BinarySI').toString(), '2Ki');
    assert.equal(newMilliQuantity(250).toString(), '250m');
    assert.equal(newMilliQuantity(2000).toString(), '2');
  });

  test('quantityFromJSON accepts numbers and padded strings', () => {
    assert.equal(quantityFromJSON(1.5).toString(), '1500m');
    assert.equal(quantityFromJSON(' 2Gi ').toString(), '2Gi');
    assert.throws(() => quantityFromJSON(true), StatusError);
  });
});
