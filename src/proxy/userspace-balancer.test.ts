import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../apimachinery/clock.js';
import type { EndpointModel, ServicePortModel } from './model.js';
import { RoundRobinBalancer } from './userspace-balancer.js';

const ep = (ip: string, o: Partial<EndpointModel> = {}): EndpointModel => ({ ip, port: 80, ready: true, serving: true, terminating: false, nodeName: 'n1', ...o });
const port = (endpoints: EndpointModel[], o: Partial<ServicePortModel> = {}): ServicePortModel => ({
  namespace: 'default', name: 'web', portName: '', protocol: 'tcp', clusterIP: '10.43.0.9', port: 80, nodePort: 0,
  externalIPs: [], loadBalancerIPs: [], internalLocal: false, externalLocal: false, endpoints, ...o,
});
const picks = (b: RoundRobinBalancer, n: number, client = '10.0.0.1', kind: 'internal' | 'external' = 'internal') =>
  Array.from({ length: n }, () => b.next(kind, client)?.ip);

describe('round robin balancer', () => {
  it('takes the endpoints in turn', () => {
    const b = new RoundRobinBalancer(new FakeClock(), 'n1', port([ep('10.42.0.1'), ep('10.42.0.2'), ep('10.42.0.3')]));
    assert.deepEqual(picks(b, 4), ['10.42.0.1', '10.42.0.2', '10.42.0.3', '10.42.0.1']);
  });

  it('has nothing to give without endpoints', () => {
    const b = new RoundRobinBalancer(new FakeClock(), 'n1', port([]));
    assert.equal(b.hasEndpoints('internal'), false);
    assert.equal(b.next('internal', '10.0.0.1'), undefined);
  });

  it('uses serving terminating endpoints only when none is ready', () => {
    const b = new RoundRobinBalancer(new FakeClock(), 'n1', port([ep('10.42.0.1', { ready: false, terminating: true }), ep('10.42.0.2')]));
    assert.deepEqual(picks(b, 2), ['10.42.0.2', '10.42.0.2']);
    b.update(port([ep('10.42.0.1', { ready: false, terminating: true })]));
    assert.deepEqual(picks(b, 1), ['10.42.0.1']);
  });

  it('keeps Local-policy traffic on this node, each policy for its own traffic', () => {
    const eps = [ep('10.42.0.1', { nodeName: 'n1' }), ep('10.42.1.1', { nodeName: 'n2' })];
    const b = new RoundRobinBalancer(new FakeClock(), 'n1', port(eps, { internalLocal: true }));
    assert.deepEqual(picks(b, 3), ['10.42.0.1', '10.42.0.1', '10.42.0.1']);
    assert.deepEqual(picks(b, 2, '10.0.0.1', 'external'), ['10.42.0.1', '10.42.1.1']);
    b.update(port(eps, { externalLocal: true }));
    assert.deepEqual(picks(b, 2, '10.0.0.1', 'external'), ['10.42.0.1', '10.42.0.1']);
    b.update(port([eps[1]!], { externalLocal: true }));
    assert.equal(b.hasEndpoints('external'), false);
    assert.equal(b.hasEndpoints('internal'), true);
  });

  it('keeps a client on its endpoint for the affinity timeout, then chooses again', () => {
    const clock = new FakeClock();
    const b = new RoundRobinBalancer(clock, 'n1', port([ep('10.42.0.1'), ep('10.42.0.2')], { affinityTimeout: 10 }));
    assert.deepEqual(picks(b, 3, 'a'), ['10.42.0.1', '10.42.0.1', '10.42.0.1']);
    assert.deepEqual(picks(b, 2, 'b'), ['10.42.0.2', '10.42.0.2']);
    clock.advance(9_000);
    assert.equal(b.next('internal', 'a')?.ip, '10.42.0.1');
    clock.advance(10_001);
    assert.equal(b.next('internal', 'a')?.ip, '10.42.0.1', 'round robin comes back to the first endpoint');
    assert.equal(b.next('internal', 'a')?.ip, '10.42.0.1', 'and sticks again');
    clock.advance(10_001);
    assert.equal(b.next('internal', 'b')?.ip, '10.42.0.2');
  });

  it('moves a sticky client whose endpoint went, and on a retry', () => {
    const b = new RoundRobinBalancer(new FakeClock(), 'n1', port([ep('10.42.0.1'), ep('10.42.0.2')], { affinityTimeout: 60 }));
    assert.equal(b.next('internal', 'a')?.ip, '10.42.0.1');
    assert.equal(b.next('internal', 'a', true)?.ip, '10.42.0.2', 'a retry chooses anew');
    assert.equal(b.next('internal', 'a')?.ip, '10.42.0.2', 'and sticks to the new choice');
    b.update(port([ep('10.42.0.1'), ep('10.42.0.3')], { affinityTimeout: 60 }));
    assert.notEqual(b.next('internal', 'a')?.ip, '10.42.0.2');
  });
});
