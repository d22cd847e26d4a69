import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostPort } from './forward.js';
import { canonicalIP, dashedIP, ipFromDashed, ipFromReverse } from './ip.js';
import { upstreamsFromResolvConf } from './resolvconf.js';

describe('cluster DNS addresses', () => {
  it('reads pod names as addresses', () => {
    assert.equal(ipFromDashed('10-42-0-5'), '10.42.0.5');
    assert.equal(ipFromDashed('fd00--1'), 'fd00::1');
    assert.equal(ipFromDashed('10-42-0-256'), undefined);
    assert.equal(ipFromDashed('web-1'), undefined);
    assert.equal(dashedIP('10.42.0.5'), '10-42-0-5');
    assert.equal(dashedIP('FD00:0:0::1'), 'fd00--1');
  });

  it('reads reverse names, whole ones only', () => {
    assert.equal(ipFromReverse('5.0.42.10.in-addr.arpa'), '10.42.0.5');
    assert.equal(ipFromReverse('0.42.10.in-addr.arpa'), undefined);
    const nibbles = '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f';
    assert.equal(ipFromReverse(`${nibbles}.ip6.arpa`), 'fd00::1');
    assert.equal(canonicalIP('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  });

  it('parses upstream addresses and the host resolv.conf', () => {
    assert.deepEqual(parseHostPort('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
    assert.deepEqual(parseHostPort('[::1]:53'), { host: '::1', port: 53 });
    assert.deepEqual(parseHostPort('10.0.0.2'), { host: '10.0.0.2', port: 53 });
    const conf = 'search example.test\nnameserver 10.43.0.10\nnameserver 192.0.2.53\n# nameserver 1.2.3.4\nnameserver fe80::1%eth0\nnameserver 192.0.2.53\n';
    assert.deepEqual(upstreamsFromResolvConf(conf, ['10.43.0.10']), ['192.0.2.53:53', '[fe80::1]:53']);
  });
});
