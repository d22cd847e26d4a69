import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cniConfList, ipv4Network, writeCniConfig } from './cni.js';

test('ipv4Network finds the network and its first address', () => {
  assert.deepEqual(ipv4Network('10.42.3.0/24'), { network: '10.42.3.0', gateway: '10.42.3.1', prefix: 24 });
  assert.deepEqual(ipv4Network('10.42.3.77/16'), { network: '10.42.0.0', gateway: '10.42.0.1', prefix: 16 });
  assert.deepEqual(ipv4Network('192.168.255.128/25'), { network: '192.168.255.128', gateway: '192.168.255.129', prefix: 25 });
  assert.throws(() => ipv4Network('10.0.0.0'), /IPv4 CIDR/);
  assert.throws(() => ipv4Network('10.0.0.0/31'), /IPv4 CIDR/);
  assert.throws(() => ipv4Network('10.0.300.0/24'), /not an IPv4/);
  assert.throws(() => ipv4Network('fd00::/64'), /IPv4/);
});

test('cniConfList chains bridge with host-local over the podCIDR and portmap (containerd adds lo itself)', () => {
  const c = cniConfList({ name: 'kite', bridge: 'kite0', podCIDR: '10.42.0.0/24', ipamDataDir: '/d/ipam' });
  assert.equal(c.cniVersion, '1.0.0');
  assert.equal(c.name, 'kite');
  assert.deepEqual(c.plugins.map((p) => p.type), ['bridge', 'portmap']);
  const bridge = c.plugins[0]!;
  assert.equal(bridge.bridge, 'kite0');
  assert.equal(bridge.isGateway, true);
  assert.equal(bridge.ipMasq, true);
  assert.equal(bridge.hairpinMode, true);
  assert.deepEqual(bridge.ipam, {
    type: 'host-local',
    ranges: [[{ subnet: '10.42.0.0/24', gateway: '10.42.0.1' }]],
    routes: [{ dst: '0.0.0.0/0' }],
    dataDir: '/d/ipam',
  });
  assert.deepEqual(c.plugins[1], { type: 'portmap', capabilities: { portMappings: true } });
  assert.equal('mtu' in bridge, false);
  assert.equal(cniConfList({ name: 'k', bridge: 'b', podCIDR: '10.1.0.0/16', mtu: 1400 }).plugins[0]!.mtu, 1400);
});

test('writeCniConfig writes the conflist and removes other network configs', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kite-cni-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, '05-old.conflist'), '{}');
  await writeFile(join(dir, 'README'), 'kept');
  const conf = cniConfList({ name: 'kite', bridge: 'kite0', podCIDR: '10.42.0.0/24' });
  const file = await writeCniConfig(dir, conf);
  assert.equal(file, join(dir, '10-kite.conflist'));
  assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), conf);
  assert.deepEqual((await readdir(dir)).sort(), ['10-kite.conflist', 'README']);
  await writeCniConfig(join(dir, 'new', 'net.d'), conf);
  assert.deepEqual(await readdir(join(dir, 'new', 'net.d')), ['10-kite.conflist']);
});
