// Imports image archives (OCI layouts and `docker save` output, plain or gzip'd) into containerd
// with `ctr images import`, always under stable names: an OCI ref that is only a tag gets a
// base name, an unnamed image an index name. Throwaway names (ctr's `import-<date>`) once left
// the CRI plugin's image cache pointing at a name that no longer existed.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { isGzip, readArchiveNames, type ArchiveNames } from './archive-names.js';

export interface ImportOptions {
  /** containerd's socket. */
  socket: string;
  file: string;
  /** containerd namespace; the CRI plugin's is `k8s.io`. */
  namespace?: string;
  ctrBinary?: string;
  /** Repository for OCI refs that are only a tag, and for unnamed images (default: `kite.local/<file name>`). */
  baseName?: string;
  snapshotter?: string;
  signal?: AbortSignal;
}

/** `kite.local/<file name without .tar/.tar.gz/.tgz>`, lower-cased to a valid repository. */
export function defaultBaseName(file: string): string {
  const stem = basename(file).replace(/\.(tar\.gz|tgz|tar|oci)$/i, '').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return `kite.local/${stem || 'image'}`;
}

/** The arguments after `ctr` for importing an archive whose names are `names`. */
export function importArguments(options: ImportOptions, names: ArchiveNames, input: string): string[] {
  const args = ['-a', options.socket, '-n', options.namespace ?? 'k8s.io', 'images', 'import'];
  const base = options.baseName ?? defaultBaseName(options.file);
  // --base-name also drops full refs outside that repository, so only when every ref is a bare tag.
  if (names.format === 'oci' && names.tags.length > 0 && names.names.length === 0) args.push('--base-name', base);
  else if (names.names.length === 0 && names.tags.length === 0) args.push('--index-name', `${base}:latest`);
  if (options.snapshotter) args.push('--snapshotter', options.snapshotter);
  args.push(input);
  return args;
}

/** The image names in ctr's `unpacking <name> (sha256:…)...done` lines. */
export function parseImportOutput(stdout: string): string[] {
  const names: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^unpacking (\S+) \(sha256:[0-9a-f]+\)/.exec(line.trim());
    if (m && !names.includes(m[1]!)) names.push(m[1]!);
  }
  return names;
}

/** Imports one archive and returns the names of the images it created or updated. */
export async function importImageArchive(options: ImportOptions): Promise<string[]> {
  const ctr = options.ctrBinary ?? '/usr/bin/ctr';
  const names = await readArchiveNames(options.file);
  // ctr reads only plain tars; a gzip'd archive goes through its stdin.
  const gzip = await isGzip(options.file);
  const args = importArguments(options, names, gzip ? '-' : options.file);
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(ctr, args, { stdio: [gzip ? 'pipe' : 'ignore', 'pipe', 'pipe'], ...(options.signal ? { signal: options.signal } : {}) });
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => { out += s; });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => { err += s; });
    child.on('error', (e) => reject(new Error(`running ${ctr}: ${e.message}`)));
    child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    if (gzip) {
      const source = createReadStream(options.file).pipe(createGunzip());
      source.on('error', (e) => { child.stdin!.destroy(e); });
      child.stdin!.on('error', () => { /* ctr exited early; its exit code says why */ });
      source.pipe(child.stdin!);
    }
  });
  if (code !== 0) {
    throw new Error(`importing ${options.file} failed (ctr exited ${code}): ${stderr.trim() || stdout.trim()}`);
  }
  const imported = parseImportOutput(stdout);
  return imported.length > 0 ? imported : names.names;
}

export interface DirectoryImport {
  file: string;
  names: string[];
  /** Why this archive was not imported; the others still are. */
  error?: string;
}

/** Imports every `*.tar` (and `*.tar.gz`, `*.tgz`) in `dir`, in name order; a missing directory imports nothing. */
export async function importImageDir(socket: string, dir: string, options: Omit<ImportOptions, 'socket' | 'file'> = {}): Promise<DirectoryImport[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const files = entries.filter((e) => e.isFile() && /\.(tar|tar\.gz|tgz)$/i.test(e.name)).map((e) => e.name).sort();
  const results: DirectoryImport[] = [];
  for (const name of files) {
    const file = join(dir, name);
    try {
      results.push({ file, names: await importImageArchive({ ...options, socket, file }) });
    } catch (err) {
      results.push({ file, names: [], error: (err as Error).message });
    }
  }
  return results;
}
