import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../apimachinery/log.js';
import { FlagError } from './flags.js';
import { kubeletNetworkSettings, parseNodeNetworkFlags, runNodeNetwork, type NetworkPart } from './node-network.js';

test('parseNodeNetworkFlags: k3s-style defaults and choices', () => {
  assert.deepEqual(parseNodeNetworkFlags({}), { backend: 'vxlan', clusterCIDR: '10.42.0.0/16', proxy: 'auto', networkPolicy: true });
  assert.deepEqual(parseNodeNetworkFlags({ flannelBackend: 'none' }), { backend: 'none', clusterCIDR: '10.42.0.0/16', proxy: 'auto', networkPolicy: false });
  assert.equal(parseNodeNetworkFlags({ disableKubeProxy: true }).proxy, false);
  assert.equal(parseNodeNetworkFlags({ proxyMode: 'userspace' }).proxy, 'userspace');
  for (const bad of [{ clusterCidr: '10.42.0.0' }, { clusterCidr: '300.1.0.0/16' }, { flannelBackend: 'ipsec' }, { proxyMode: 'ipvs' }]) {
    assert.throws(() => parseNodeNetworkFlags(bad), FlagError);
  }
});

test('kubeletNetworkSettings: the pod network agent masquerades and sets the MTU; without it the bridge masquerades', () => {
  assert.deepEqual(kubeletNetworkSettings(parseNodeNetworkFlags({})), { waitForPodCIDR: true, cniMasquerade: false, cniMTU: 1450 });
  assert.deepEqual(kubeletNetworkSettings(parseNodeNetworkFlags({ flannelBackend: 'host-gw' })), { waitForPodCIDR: true, cniMasquerade: false });
  assert.deepEqual(kubeletNetworkSettings(parseNodeNetworkFlags({ flannelBackend: 'none' })), { waitForPodCIDR: false, cniMasquerade: true });
});

test('runNodeNetwork: a failing part is logged and the others run until the signal aborts', async () => {
  const lines: string[] = [];
  const logger = createLogger({ sink: { write: (l) => lines.push(l) }, human: true });
  let stopped = false;
  const parts: NetworkPart[] = [
    { name: 'broken', start: async () => { throw new Error('no nft'); } },
    { name: 'steady', start: (signal) => new Promise<void>((r) => signal.addEventListener('abort', () => { stopped = true; r(); }, { once: true })) },
  ];
  const abort = new AbortController();
  const run = runNodeNetwork({
    client: {} as never, nodeName: 'n1', clusterDNS: '10.43.0.10', clusterDomain: 'cluster.local', net: parseNodeNetworkFlags({}),
    logger, signal: abort.signal, parts: { create: async () => parts },
  });
  const deadline = Date.now() + 5000;
  while (!lines.some((l) => /broken failed/.test(l)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.ok(lines.some((l) => /broken failed/.test(l) && /no nft/.test(l)), lines.join(''));
  assert.equal(stopped, false);
  abort.abort();
  await run;
  assert.equal(stopped, true);
});
