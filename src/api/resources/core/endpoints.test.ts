import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import { formatEndpoints, endpointsResource } from './endpoints.js';

const ep = (subsets: Endpoints['subsets']): Endpoints => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'dns' }, subsets });

describe('endpoints', () => {
  const cases: [string, Endpoints, string][] = [
    ['no subsets', ep(undefined), '<none>'],
    ['one address and port', ep([{ addresses: [{ ip: '10.1.0.20' }], ports: [{ port: 53, protocol: 'UDP' }] }]), '10.1.0.20:53'],
    ['more than three pairs', ep([{ addresses: [{ ip: '10.1.0.20' }, { ip: '10.1.0.21' }], ports: [{ name: 'a', port: 53 }, { name: 'b', port: 53 }, { name: 'c', port: 9153 }] }]),
      '10.1.0.20:53,10.1.0.21:53,10.1.0.20:53 + 3 more...'],
    ['IPv6 and no ports', ep([{ addresses: [{ ip: 'fd00::1' }] }]), 'fd00::1'],
    ['IPv6 with a port', ep([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }]), '[fd00::1]:80'],
  ];
  for (const [name, e, want] of cases) it(`prints ${name}`, () => assert.equal(formatEndpoints(e), want));

  it('validates addresses and defaults port protocols', () => {
    const e = ep([{ addresses: [{ ip: 'nope' }], ports: [{ port: 80 }] }]);
    endpointsResource.setDefaults!(e as never);
    assert.equal(e.subsets![0]!.ports![0]!.protocol, 'TCP');
    assert.deepEqual(endpointsResource.validate!(e as never).map((x) => x.field), ['subsets[0].addresses[0].ip']);
  });
});
