import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseIPv4 } from '../../apimachinery/ipv4.js';
import { cidrRange, formatRange, mergeRanges, subtractRanges, type Range } from './intervals.js';

const r = (a: string, b: string): Range => [parseIPv4(a)!, parseIPv4(b)!];

describe('address ranges', () => {
  it('parse CIDRs and single addresses, refusing anything else', () => {
    assert.deepEqual(cidrRange('10.1.2.3/24'), r('10.1.2.0', '10.1.2.255'));
    assert.deepEqual(cidrRange('10.1.2.3'), r('10.1.2.3', '10.1.2.3'));
    assert.deepEqual(cidrRange('0.0.0.0/0'), r('0.0.0.0', '255.255.255.255'));
    assert.equal(cidrRange('fd00::/8'), undefined);
    assert.equal(cidrRange('10.0.0.0/33'), undefined);
  });

  it('merge overlapping and touching ranges', () => {
    assert.deepEqual(mergeRanges([r('10.0.0.5', '10.0.0.9'), r('10.0.0.1', '10.0.0.4'), r('10.0.0.8', '10.0.0.20'), r('10.0.1.0', '10.0.1.0')]),
      [r('10.0.0.1', '10.0.0.20'), r('10.0.1.0', '10.0.1.0')]);
  });

  it('subtract holes, including ones at the edges and outside', () => {
    assert.deepEqual(subtractRanges([cidrRange('10.0.0.0/24')!], [cidrRange('10.0.0.0/30')!, cidrRange('10.0.0.128/25')!, cidrRange('192.168.0.0/16')!]),
      [r('10.0.0.4', '10.0.0.127')]);
    assert.deepEqual(subtractRanges([cidrRange('10.0.0.0/24')!], [cidrRange('10.0.0.0/16')!]), []);
  });

  it('format as an address, a prefix or a span', () => {
    assert.equal(formatRange(r('10.0.0.1', '10.0.0.1')), '10.0.0.1');
    assert.equal(formatRange(r('10.0.0.0', '10.0.0.255')), '10.0.0.0/24');
    assert.equal(formatRange(r('0.0.0.0', '255.255.255.255')), '0.0.0.0/0');
    assert.equal(formatRange(r('10.0.0.4', '10.0.0.127')), '10.0.0.4-10.0.0.127');
    assert.equal(formatRange(r('10.0.0.128', '10.0.1.127')), '10.0.0.128-10.0.1.127');
  });
});
