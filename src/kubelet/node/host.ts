// What the node agent learns about its machine: CPUs, memory, the data dir's filesystem, identity
// files, kernel, OS and network. Read through an injectable reader so tests use fixtures.
import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import { dirname } from 'node:path';

export interface HostReader {
  /** A file's text, or undefined when it cannot be read. */
  readFile(path: string): Promise<string | undefined>;
  /** Size of the filesystem holding `path` (bytes in a block, total blocks). */
  statfs(path: string): Promise<{ bsize: number; blocks: number }>;
  cpuCount(): number;
  kernelRelease(): string;
  hostname(): string;
  /** Node's `process.arch`. */
  arch(): string;
  networkInterfaces(): NodeJS.Dict<os.NetworkInterfaceInfo[]>;
}

/** The machine this process runs on. */
export const realHostReader: HostReader = {
  async readFile(path) {
    try {
      return await readFile(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  async statfs(path) {
    // The data dir may not exist yet: ask about the nearest directory that does.
    for (let p = path; ; p = dirname(p)) {
      try {
        const s = await statfs(p);
        return { bsize: s.bsize, blocks: s.blocks };
      } catch (err) {
        if (dirname(p) === p) throw err;
      }
    }
  },
  cpuCount: () => os.availableParallelism?.() ?? os.cpus().length,
  kernelRelease: () => os.release(),
  hostname: () => os.hostname(),
  arch: () => process.arch,
  networkInterfaces: () => os.networkInterfaces(),
};

export interface HostFacts {
  cpus: number;
  /** MemTotal in bytes. */
  memoryBytes: number;
  /** Size of the filesystem holding the data dir, in bytes. */
  diskBytes: number;
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  /** GOARCH name (amd64, arm64, …). */
  architecture: string;
  hostname: string;
  /** First non-internal IPv4 address, if any. */
  defaultIPv4?: string;
}

/** MemTotal of /proc/meminfo in bytes (the file counts kB, which are KiB). */
export function parseMemTotal(meminfo: string): number {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(meminfo);
  if (!m) throw new Error('MemTotal not found in /proc/meminfo');
  return Number(m[1]) * 1024;
}

/** PRETTY_NAME of os-release, unquoted; "Linux" when the file or field is missing. */
export function parseOsImage(osRelease: string | undefined): string {
  const m = osRelease && /^PRETTY_NAME=(.*)$/m.exec(osRelease);
  if (!m) return 'Linux';
  let v = m[1]!.trim();
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
  return v.replace(/\\(["'$`\\])/g, '$1') || 'Linux';
}

const goArch: Record<string, string> = {
  x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x',
  mips: 'mips', mipsel: 'mipsle', riscv64: 'riscv64', loong64: 'loong64',
};

/** Node's `process.arch` as Go names it (what Kubernetes reports and labels with). */
export function goArchitecture(nodeArch: string): string {
  return goArch[nodeArch] ?? nodeArch;
}

/** The first non-internal IPv4 address, in the order the interfaces are listed. */
export function firstIPv4(ifaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>): string | undefined {
  for (const list of Object.values(ifaces)) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

export async function readHostFacts(reader: HostReader, dataDir: string): Promise<HostFacts> {
  const [meminfo, machineId, productUuid, bootId, osRelease, fs] = await Promise.all([
    reader.readFile('/proc/meminfo'),
    reader.readFile('/etc/machine-id'),
    reader.readFile('/sys/class/dmi/id/product_uuid'),
    reader.readFile('/proc/sys/kernel/random/boot_id'),
    reader.readFile('/etc/os-release'),
    reader.statfs(dataDir),
  ]);
  if (meminfo === undefined) throw new Error('cannot read /proc/meminfo');
  const machineID = machineId?.trim() ?? '';
  return {
    cpus: reader.cpuCount(),
    memoryBytes: parseMemTotal(meminfo),
    diskBytes: fs.bsize * fs.blocks,
    machineID,
    systemUUID: productUuid?.trim() || machineID,
    bootID: bootId?.trim() ?? '',
    kernelVersion: reader.kernelRelease(),
    osImage: parseOsImage(osRelease),
    architecture: goArchitecture(reader.arch()),
    hostname: reader.hostname().toLowerCase(),
    defaultIPv4: firstIPv4(reader.networkInterfaces()),
  };
}
