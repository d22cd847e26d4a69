import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceRangeAddress } from './registry/strategies/service-allocator.js';
import { startTestServer } from './testing/fixture.js';

test('the service range and the cluster DNS address are the server\'s options: kubernetes on the first address, kube-dns on the one given, ClusterIPs within the range', async (t) => {
  assert.equal(serviceRangeAddress('10.96.0.0/12', 10), '10.96.0.10');
  const s = await startTestServer(undefined, { serviceCIDR: '10.96.0.0/12', clusterDNS: '10.96.0.10' });
  t.after(() => s.close());
  assert.equal((await s.request('GET', '/api/v1/namespaces/default/services/kubernetes')).json.spec.clusterIP, '10.96.0.1');
  const dns = (await s.request('GET', '/api/v1/namespaces/kube-system/services/kube-dns')).json;
  assert.equal(dns.spec.clusterIP, '10.96.0.10');
  assert.equal(dns.metadata.labels['service.kubernetes.io/service-proxy-name'], 'kite-node-dns');
  assert.equal(dns.spec.selector, undefined);
  const created = await s.request('POST', '/api/v1/namespaces/default/services', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }], selector: { app: 'web' } },
  });
  assert.equal(created.status, 201);
  const ip = created.json.spec.clusterIP as string;
  assert.match(ip, /^10\.(9[6-9]|10\d|11[01])\./, `${ip} is in 10.96.0.0/12`);
  const outside = await s.request('POST', '/api/v1/namespaces/default/services', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'old' }, spec: { clusterIP: '10.43.0.20', ports: [{ port: 80 }] },
  });
  assert.equal(outside.status, 422);
});
