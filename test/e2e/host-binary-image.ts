// An OCI image made of one binary of this machine and the shared libraries `ldd` lists for it,
// imported into the agent's containerd: for pods that need a program the standard images lack.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { importImageArchive, writeOciArchive, type ImageEntry } from '../../src/kubelet/images/index.js';

const run = promisify(execFile);

/** The absolute paths of the libraries the dynamic loader maps for `binary` (vdso excluded). */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await run('ldd', [binary]);
  const paths = new Set<string>();
  for (const line of stdout.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) paths.add(m[1]!);
  }
  return [...paths];
}

/** Builds `name` from `binary` (at the same path) and its libraries, and imports it into the containerd at `socket`. */
export async function importHostBinaryImage(name: string, binary: string, socket: string): Promise<void> {
  const libraries = await sharedLibraries(binary);
  const entries: ImageEntry[] = [
    { type: 'file', path: binary.slice(1), source: binary, mode: 0o755 },
    ...libraries.map((lib): ImageEntry => ({ type: 'file', path: lib.slice(1), source: lib, mode: 0o755 })),
    { type: 'dir', path: 'tmp', mode: 0o1777 },
  ];
  const dir = await mkdtemp(join(tmpdir(), 'kite-host-image-'));
  try {
    const file = join(dir, 'image.tar');
    await writeOciArchive({ name, entries, config: { entrypoint: [binary] } }, file);
    await importImageArchive({ socket, file, namespace: 'k8s.io', ctrBinary: '/usr/bin/ctr' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
