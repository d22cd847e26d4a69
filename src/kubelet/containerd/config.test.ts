import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerdConfig, DISABLED_PLUGINS } from './config.js';
import { PAUSE_IMAGE } from '../paths.js';

const base = { root: '/d/root', state: '/d/state', socket: '/d/containerd.sock', cniConfDir: '/d/net.d' };

/** The `key = value` lines of one [section], enough TOML for what the generator writes. */
function section(toml: string, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  let current = '';
  for (const raw of toml.split('\n')) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) current = header[1]!;
    else if (current === name && line.includes(' = ')) {
      const [k, ...v] = line.split(' = ');
      out[k!] = v.join(' = ');
    }
  }
  return out;
}

test('containerdConfig uses its own root, state and sockets', () => {
  const toml = containerdConfig(base);
  assert.match(toml, /^version = 2$/m);
  assert.match(toml, /^root = "\/d\/root"$/m);
  assert.match(toml, /^state = "\/d\/state"$/m);
  assert.equal(section(toml, 'grpc').address, '"/d/containerd.sock"');
  assert.equal(section(toml, 'ttrpc').address, '"/d/containerd.sock.ttrpc"');
  assert.equal(section(toml, 'debug').address, '""');
  assert.equal(section(toml, 'plugins."io.containerd.internal.v1.opt"').path, '"/d/root/opt"');
});

test('containerdConfig sets up the CRI plugin for our pause image, runc and CNI', () => {
  const toml = containerdConfig(base);
  const cri = section(toml, 'plugins."io.containerd.grpc.v1.cri"');
  assert.equal(cri.restrict_oom_score_adj, 'true');
  assert.equal(cri.sandbox_image, JSON.stringify(PAUSE_IMAGE));
  assert.equal(cri.stream_server_address, '"127.0.0.1"');
  assert.equal(cri.stream_server_port, '"0"');
  const cd = section(toml, 'plugins."io.containerd.grpc.v1.cri".containerd');
  assert.equal(cd.snapshotter, '"overlayfs"');
  assert.equal(cd.default_runtime_name, '"runc"');
  assert.equal(section(toml, 'plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc').runtime_type, '"io.containerd.runc.v2"');
  assert.equal(section(toml, 'plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options').SystemdCgroup, 'false');
  const cni = section(toml, 'plugins."io.containerd.grpc.v1.cri".cni');
  assert.equal(cni.bin_dir, '"/usr/lib/cni"');
  assert.equal(cni.conf_dir, '"/d/net.d"');
});

test('containerdConfig disables the plugins we do not use and requires the CRI one', () => {
  const toml = containerdConfig(base);
  for (const p of DISABLED_PLUGINS) assert.ok(toml.includes(JSON.stringify(p)), p);
  assert.ok(DISABLED_PLUGINS.includes('io.containerd.snapshotter.v1.btrfs'));
  assert.match(toml, /^required_plugins = \["io.containerd.grpc.v1.cri"\]$/m);
});

test('containerdConfig takes overrides and quotes paths', () => {
  const toml = containerdConfig({
    ...base,
    root: '/with "quote"/root',
    cniBinDir: '/opt/cni/bin',
    sandboxImage: 'example.com/pause:9',
    runcBinary: '/usr/local/bin/runc',
    logLevel: 'debug',
  });
  assert.match(toml, /^root = "\/with \\"quote\\"\/root"$/m);
  assert.equal(section(toml, 'plugins."io.containerd.grpc.v1.cri".cni').bin_dir, '"/opt/cni/bin"');
  assert.equal(section(toml, 'plugins."io.containerd.grpc.v1.cri"').sandbox_image, '"example.com/pause:9"');
  assert.equal(section(toml, 'plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options').BinaryName, '"/usr/local/bin/runc"');
  assert.equal(section(toml, 'debug').level, '"debug"');
});
