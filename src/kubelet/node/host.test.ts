import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goArchitecture, parseMemTotal, parseOsImage, readHostFacts, realHostReader, type HostReader } from './host.js';

const iface = (address: string, internal = false, family: 'IPv4' | 'IPv6' = 'IPv4') =>
  ({ address, internal, family, netmask: '', mac: '', cidr: null }) as unknown as NetworkInterfaceInfo;

function fixture(files: Record<string, string>): HostReader {
  return {
    readFile: async (p) => files[p],
    statfs: async () => ({ bsize: 4096, blocks: 1000 }),
    cpuCount: () => 6,
    kernelRelease: () => '6.1.0-18-amd64',
    hostname: () => 'Worker-1',
    arch: () => 'x64',
    networkInterfaces: () => ({ lo: [iface('127.0.0.1', true)], eth0: [iface('fe80::1', false, 'IPv6'), iface('192.168.1.20')] }),
  };
}

const files = {
  '/proc/meminfo': 'MemTotal:       16318712 kB\nMemFree:         1000 kB\n',
  '/etc/machine-id': 'a1b2c3d4e5f60718293a4b5c6d7e8f90\n',
  '/sys/class/dmi/id/product_uuid': 'EC2A1B2C-0000-1111-2222-333344445555\n',
  '/proc/sys/kernel/random/boot_id': '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\n',
  '/etc/os-release': 'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n',
};

describe('host facts', () => {
  it('reads memory, disk, identity, kernel, OS, arch and address from the machine', async () => {
    const f = await readHostFacts(fixture(files), '/var/lib/kite');
    assert.deepEqual(f, {
      cpus: 6,
      memoryBytes: 16318712 * 1024,
      diskBytes: 4096 * 1000,
      machineID: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      systemUUID: 'EC2A1B2C-0000-1111-2222-333344445555',
      bootID: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      kernelVersion: '6.1.0-18-amd64',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      architecture: 'amd64',
      hostname: 'worker-1',
      defaultIPv4: '192.168.1.20',
    });
  });

  it('falls back to the machine ID when the DMI product UUID is unreadable', async () => {
    const { ['/sys/class/dmi/id/product_uuid']: _, ...rest } = files;
    const f = await readHostFacts(fixture(rest), '/');
    assert.equal(f.systemUUID, 'a1b2c3d4e5f60718293a4b5c6d7e8f90');
  });

  it('parses MemTotal and os-release', () => {
    assert.equal(parseMemTotal('MemTotal: 2048 kB\n'), 2048 * 1024);
    assert.throws(() => parseMemTotal('nothing'));
    assert.equal(parseOsImage("PRETTY_NAME='Ubuntu 24.04 LTS'"), 'Ubuntu 24.04 LTS');
    assert.equal(parseOsImage('PRETTY_NAME=Alpine'), 'Alpine');
    assert.equal(parseOsImage(undefined), 'Linux');
  });

  it('names architectures as Go does', () => {
    const table: [string, string][] = [['x64', 'amd64'], ['arm64', 'arm64'], ['ia32', '386'], ['ppc64', 'ppc64le'], ['s390x', 's390x'], ['riscv64', 'riscv64']];
    for (const [node, go] of table) assert.equal(goArchitecture(node), go);
  });
});

describe('host facts of this machine', () => {
  it('reads them, even for a data dir not created yet', { skip: process.platform !== 'linux' && 'needs Linux' }, async () => {
    const f = await readHostFacts(realHostReader, join(tmpdir(), 'kite-not-created', 'data'));
    assert.ok(f.cpus >= 1);
    assert.ok(f.memoryBytes > 0 && f.memoryBytes % 1024 === 0);
    assert.ok(f.diskBytes > 0);
    assert.ok(f.kernelVersion && f.osImage && f.architecture);
  });
});
