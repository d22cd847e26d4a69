import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../apimachinery/clock.js';
import { eventually } from '../../apiserver/testing/fixture.js';
import type { ControllerOptions } from '../../client/controller.js';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.js';
import { nodeIpamController, REASON_CIDR_NOT_AVAILABLE, validateClusterCIDR, type NodeIpamOptions } from './index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = any;

describe('node IPAM controller', () => {
  let h: ControllerHarness<FakeClock>;
  const clock = new FakeClock(Date.parse('2026-03-01T00:00:00Z'));
  // Four /24s in all, so exhaustion is reachable.
  const options: Partial<ControllerOptions> & NodeIpamOptions = { clusterCIDR: '10.44.0.0/22', nodeCIDRMaskSize: 24 };
  let stop: (() => Promise<void>) | undefined;

  before(async () => {
    h = await startControllerHarness({ clock, options });
  });
  after(async () => {
    await stop?.();
    await h.close();
  });

  const nodes = () => h.client.kind<Obj>('v1', 'Node');
  const addNode = (name: string, podCIDR?: string) =>
    nodes().create(undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });
  const cidrOf = async (name: string): Promise<string | undefined> => (await nodes().get(undefined, name)).spec?.podCIDR;
  const assigned = async (name: string): Promise<string> => {
    let cidr: string | undefined;
    await eventually(async () => (cidr = await cidrOf(name)) !== undefined);
    return cidr!;
  };

  it('learns subnets nodes already hold, then gives each new node a distinct one with podCIDRs set', async () => {
    await addNode('held', '10.44.0.0/24');
    stop = h.run(nodeIpamController);
    await addNode('a');
    const a = await assigned('a');
    assert.equal(a, '10.44.1.0/24');
    assert.deepEqual((await nodes().get(undefined, 'a')).spec.podCIDRs, [a]);
    assert.equal(await cidrOf('held'), '10.44.0.0/24', 'an existing podCIDR is left as it is');
  });

  it('survives a restart without handing a subnet out twice', async () => {
    await stop!();
    stop = h.run(nodeIpamController);
    await addNode('b');
    assert.equal(await assigned('b'), '10.44.2.0/24');
  });

  it('records CIDRNotAvailable when the range is exhausted, and assigns a freed subnet once a node goes', async () => {
    await addNode('c');
    assert.equal(await assigned('c'), '10.44.3.0/24');
    await addNode('d');
    await eventually(() => h.events.some((e) => e.name === 'd' && e.reason === REASON_CIDR_NOT_AVAILABLE));
    const ev = h.events.find((e) => e.name === 'd' && e.reason === REASON_CIDR_NOT_AVAILABLE)!;
    assert.equal(ev.type, 'Normal');
    assert.equal(await cidrOf('d'), undefined);

    await nodes().delete(undefined, 'a');
    // The retry waits on the queue's backoff, which runs on the fake clock.
    await eventually(async () => {
      clock.advance(60_000);
      return (await cidrOf('d')) === '10.44.1.0/24';
    });
  });

  it('validates --cluster-cidr', () => {
    assert.equal(validateClusterCIDR('--cluster-cidr', ' 10.42.0.0/16 '), '10.42.0.0/16');
    assert.throws(() => validateClusterCIDR('--cluster-cidr', '10.42.0.1/16'), /--cluster-cidr/);
    assert.throws(() => validateClusterCIDR('--cluster-cidr', '10.42.0.0/25'), /--cluster-cidr/);
  });
});
