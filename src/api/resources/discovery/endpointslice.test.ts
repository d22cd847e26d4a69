import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/object.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { endpointslices } from './endpointslice.js';

const k = (o: EndpointSlice) => o as unknown as KubeObject;
const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);

function slice(addresses: string[][], ports: EndpointSlice['ports'] = [{ name: 'http', port: 80 }]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'web-abc', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z' },
    addressType: 'IPv4', endpoints: addresses.map((a) => ({ addresses: a })), ports,
  };
}

describe('EndpointSlice', () => {
  it('defaults port protocol to TCP and name to ""', () => {
    const s = slice([['10.0.0.1']], [{ port: 80 }]);
    endpointslices.setDefaults!(k(s));
    assert.deepEqual(s.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
    assert.deepEqual(endpointslices.validate!(k(s)), []);
  });

  const cases: { name: string; obj: () => EndpointSlice; want: string[] }[] = [
    {
      name: 'a missing addressType', obj: () => { const s = slice([['10.0.0.1']]); delete (s as Partial<EndpointSlice>).addressType; return s; },
      want: ['addressType: Required value'],
    },
    {
      name: 'an unknown addressType', obj: () => ({ ...slice([]), addressType: 'IPv5' }),
      want: ['addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"'],
    },
    { name: 'a bad IPv4 address', obj: () => slice([['10.0.0.300']]), want: ['endpoints[0].addresses[0]: Invalid value: "10.0.0.300": must be a valid IPv4 address'] },
    { name: 'an endpoint without addresses', obj: () => slice([[]]), want: ['endpoints[0].addresses: Required value: must contain at least 1 address'] },
    {
      name: 'duplicate port names', obj: () => slice([['10.0.0.1']], [{ name: 'a', port: 1 }, { name: 'a', port: 2 }]),
      want: ['ports[1].name: Duplicate value: "a"'],
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, () => {
      const s = c.obj();
      endpointslices.setDefaults!(k(s));
      assert.deepEqual(messages(endpointslices.validate!(k(s))), c.want);
    });
  }

  it('keeps addressType immutable', () => {
    const old = slice([]);
    const upd = { ...slice([]), addressType: 'IPv6' };
    endpointslices.setDefaults!(k(old));
    endpointslices.setDefaults!(k(upd));
    assert.deepEqual(messages(endpointslices.validateUpdate!(k(upd), k(old))), ['addressType: Invalid value: "IPv6": field is immutable']);
  });

  it('prints ports and up to three endpoints', () => {
    const s = slice([['10.0.0.1', '10.0.0.2'], ['10.0.0.3'], ['10.0.0.4']], [{ port: 80 }, { name: 'metrics' }]);
    assert.deepEqual(endpointslices.row!(k(s), Date.parse('2024-01-01T00:00:30Z')),
      ['IPv4', '80,metrics', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '30s']);
    assert.deepEqual(endpointslices.row!(k(slice([], [])), Date.parse('2024-01-01T00:00:30Z')).slice(1, 3), ['<unset>', '<unset>']);
  });
});
