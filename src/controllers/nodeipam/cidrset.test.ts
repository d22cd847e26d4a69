import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CIDRSet, formatIPv4, parseCIDR, parseIPv4 } from './cidrset.js';

describe('CIDRSet', () => {
  it('parses and formats IPv4 addresses and networks', () => {
    assert.equal(parseIPv4('10.42.3.0'), 0x0a2a0300);
    assert.equal(formatIPv4(0x0a2a0300), '10.42.3.0');
    assert.equal(parseIPv4('10.42.256.0'), undefined);
    assert.deepEqual(parseCIDR('10.42.0.0/16'), { base: 0x0a2a0000, prefix: 16 });
    assert.equal(parseCIDR('10.42.0.1/16'), undefined, 'host bits set');
    assert.equal(parseCIDR('fd00::/64'), undefined);
  });

  it('hands out /24s of a /16 in order', () => {
    const s = new CIDRSet('10.42.0.0/16', 24);
    assert.equal(s.size, 256);
    assert.equal(s.allocateNext(), '10.42.0.0/24');
    assert.equal(s.allocateNext(), '10.42.1.0/24');
    assert.equal(s.free, 254);
  });

  it('skips subnets already occupied and does not reuse a freed one at once', () => {
    const s = new CIDRSet('10.42.0.0/22', 24);
    assert.equal(s.occupy('10.42.0.0/24'), true);
    assert.equal(s.occupy('10.42.2.0/24'), true);
    assert.equal(s.allocateNext(), '10.42.1.0/24');
    assert.equal(s.release('10.42.0.0/24'), true);
    assert.equal(s.allocateNext(), '10.42.3.0/24');
    assert.equal(s.allocateNext(), '10.42.0.0/24');
    assert.equal(s.allocateNext(), undefined, 'exhausted');
    assert.equal(s.free, 0);
  });

  it('refuses subnets that are not its own', () => {
    const s = new CIDRSet('10.42.0.0/16', 24);
    assert.equal(s.occupy('10.43.0.0/24'), false);
    assert.equal(s.occupy('10.42.0.0/25'), false);
    assert.equal(s.release('10.42.9.0/24'), false, 'not allocated');
    assert.equal(s.isUsed('10.42.9.0/24'), false);
  });

  it('rejects a mask size that does not fit', () => {
    assert.throws(() => new CIDRSet('10.42.0.0/16', 8));
    assert.throws(() => new CIDRSet('10.0.0.0/8', 30), /more than 65536/);
    assert.throws(() => new CIDRSet('bogus', 24));
  });
});
