import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { namespaceInfo, podInfo, policyInfo } from './model.js';

const running = (o: Partial<Pod['spec']> = {}, status: Pod['status'] = { phase: 'Running', podIP: '10.244.1.2' }): Pod => ({
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }, { containerPort: 9000 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }], ...o },
  status,
});

describe('podInfo', () => {
  it('keeps a running pod with its address, node, labels and named ports', () => {
    assert.deepEqual(podInfo(running()), {
      namespace: 'shop', name: 'web', labels: { app: 'web' }, ip: '10.244.1.2', nodeName: 'n1', hostNetwork: false,
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }],
    });
  });

  it('drops pods that are not running or have no address yet', () => {
    assert.equal(podInfo(running({}, { phase: 'Pending', podIP: '10.244.1.2' })), undefined);
    assert.equal(podInfo(running({}, { phase: 'Running' })), undefined);
    assert.equal(podInfo(running({}, { phase: 'Succeeded', podIP: '10.244.1.2' })), undefined);
  });

  it('marks hostNetwork pods', () => {
    assert.equal(podInfo(running({ hostNetwork: true }))?.hostNetwork, true);
  });
});

describe('namespaceInfo', () => {
  it('adds the kubernetes.io/metadata.name label', () => {
    assert.deepEqual(namespaceInfo({ metadata: { name: 'shop', labels: { env: 'prod' } } }), { name: 'shop', labels: { env: 'prod', 'kubernetes.io/metadata.name': 'shop' } });
  });
});

describe('policyInfo', () => {
  const np = (spec: object) => policyInfo({ metadata: { name: 'p', namespace: 'shop' }, spec: spec as never })!;

  it('defaults policyTypes to Ingress, plus Egress when egress rules exist', () => {
    assert.deepEqual([np({ podSelector: {} }).ingressIsolation, np({ podSelector: {} }).egressIsolation], [true, false]);
    assert.deepEqual([np({ podSelector: {}, egress: [{}] }).ingressIsolation, np({ podSelector: {}, egress: [{}] }).egressIsolation], [true, true]);
    assert.equal(np({ podSelector: {}, egress: [] }).egressIsolation, false, 'an empty egress list is no egress rules');
  });

  it('keeps explicit policyTypes', () => {
    const p = np({ podSelector: {}, policyTypes: ['Egress'], ingress: [{}] });
    assert.deepEqual([p.ingressIsolation, p.egressIsolation], [false, true]);
  });

  it('maps from/to onto peers and keeps ports as given', () => {
    const p = np({ podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 'http', protocol: 'TCP' }] }], egress: [{ to: [{ podSelector: {} }] }] });
    assert.deepEqual(p.ingress, [{ peers: [{ podSelector: undefined, namespaceSelector: undefined, ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 'http', endPort: undefined }] }]);
    assert.deepEqual(p.egress, [{ peers: [{ podSelector: {}, namespaceSelector: undefined, ipBlock: undefined }], ports: undefined }]);
  });

  it('selects every pod of the namespace without a podSelector', () => {
    assert.deepEqual(policyInfo({ metadata: { name: 'p', namespace: 'shop' } })?.podSelector, {});
  });
});
