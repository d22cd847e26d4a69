import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeTracker, planSync } from './changes.js';
import type { EndpointModel, NodeInfo, ServicePortModel } from './model.js';
import { clusterChainName, endpointChainName } from './names.js';
import { renderPlan, renderServicePort } from './render.js';

type Obj = any;
const node: NodeInfo = { nodeName: 'n1', nodeIPs: [] };
const ep = (ip: string): EndpointModel => ({ ip, port: 80, ready: true, serving: true, terminating: false });
const port = (name: string, ips: string[], o: Partial<ServicePortModel> = {}): ServicePortModel => ({
  namespace: 'default', name, portName: '', protocol: 'tcp', clusterIP: '10.43.0.9', port: 80, nodePort: 0,
  externalIPs: [], loadBalancerIPs: [], internalLocal: false, externalLocal: false, endpoints: ips.map(ep), ...o,
});
const render = (...sps: ServicePortModel[]) => sps.map((sp) => renderServicePort(sp, node));

describe('change tracking', () => {
  it('marks the Service an event touches, slices by their service-name label', () => {
    const t = new ChangeTracker();
    t.service({ metadata: { namespace: 'a', name: 'web' } } as Obj);
    t.slice({ metadata: { namespace: 'b', name: 'db-x1', labels: { 'kubernetes.io/service-name': 'db' } } } as Obj);
    t.slice({ metadata: { namespace: 'b', name: 'orphan' } } as Obj);
    assert.deepEqual([...t.take()].sort(), ['a/web', 'b/db']);
    assert.equal(t.size, 0);
  });

  it('the first sync is a full one; an unchanged model rewrites no chain', () => {
    const ports = render(port('web', ['10.42.0.2']));
    const first = planSync(undefined, ports, 0, 1000);
    assert.equal(first.plan.full, true);
    assert.match(renderPlan('kite-proxy', node, first.plan), /^add table ip kite-proxy\ndelete table ip kite-proxy\n/);
    const again = planSync(first.next, render(port('web', ['10.42.0.2'])), 10, 1000);
    assert.equal(again.plan.full, false);
    assert.equal(again.plan.writeChains.size, 0);
    const text = renderPlan('kite-proxy', node, again.plan);
    assert.ok(text.startsWith('flush map ip kite-proxy service-ips\n'));
    assert.ok(!text.includes('add rule'));
  });

  it('rewrites only the chains of the Service that changed, and retires unused chains: flushed now, deleted later', () => {
    const web = port('web', ['10.42.0.2', '10.42.0.3']);
    const db = port('db', ['10.42.0.7'], { clusterIP: '10.43.0.8' });
    const s0 = planSync(undefined, render(web, db), 0, 1000).next;
    const webLess = port('web', ['10.42.0.2']);
    const { plan, next } = planSync(s0, render(webLess, db), 100, 1000);
    assert.deepEqual([...plan.writeChains.keys()], [clusterChainName(web)]);
    const goneChain = endpointChainName(web, '10.42.0.3', 80);
    assert.deepEqual(plan.flushChains, [goneChain]);
    assert.deepEqual(plan.deleteChains, []);
    const text = renderPlan('kite-proxy', node, plan);
    assert.ok(text.includes(`flush chain ip kite-proxy ${clusterChainName(web)}\n`));
    assert.ok(!text.includes(`add rule ip kite-proxy ${clusterChainName(db)}`));
    const early = planSync(next, render(webLess, db), 500, 1000);
    assert.deepEqual(early.plan.deleteChains, []);
    const later = planSync(early.next, render(webLess, db), 1200, 1000);
    assert.deepEqual(later.plan.deleteChains, [goneChain]);
    assert.equal(later.next.stale.size, 0);
  });

  it('a chain coming back before its deletion is written again and no longer stale', () => {
    const web = port('web', ['10.42.0.2', '10.42.0.3']);
    const s0 = planSync(undefined, render(web), 0, 1000).next;
    const s1 = planSync(s0, render(port('web', ['10.42.0.2'])), 10, 1000).next;
    const back = planSync(s1, render(web), 20, 1000);
    assert.ok(back.plan.writeChains.has(endpointChainName(web, '10.42.0.3', 80)));
    assert.equal(back.next.stale.size, 0);
  });

  it('deletes the affinity sets a Service no longer uses, after its chains are rewritten', () => {
    const sticky = port('web', ['10.42.0.2'], { affinityTimeout: 30 });
    const s0 = planSync(undefined, render(sticky), 0, 1000).next;
    const { plan } = planSync(s0, render(port('web', ['10.42.0.2'])), 10, 1000);
    assert.equal(plan.deleteSets.length, 1);
    const text = renderPlan('kite-proxy', node, plan);
    assert.ok(text.indexOf('delete set') > text.indexOf(`flush chain ip kite-proxy ${clusterChainName(sticky)}`));
  });
});
