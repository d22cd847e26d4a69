// `kite images build` and `kite images import`: the images Kite builds for itself, and archives
// (OCI layouts or `docker save` output) imported into the agent's containerd.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { agentPaths } from '../kubelet/paths.js';
import { FlagError, defaultDataDir, rootDataDir } from './flags.js';

/** Where the commands write (the same shape as `kite`'s MainIO). */
export interface ImagesIO {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export interface RawImagesBuildFlags { out?: string; dataDir?: string }
export interface RawImagesImportFlags { dataDir?: string; containerdSocket?: string; namespace?: string; baseName?: string; ctr?: string }

export interface ImagesEnvironment { uid: number | undefined; home: string; cwd: string }

function dataDirOf(raw: { dataDir?: string }, env: ImagesEnvironment): string {
  return raw.dataDir !== undefined && raw.dataDir.trim() !== '' ? resolve(env.cwd, raw.dataDir) : defaultDataDir(env);
}

/** `--out`, else `<data-dir>/agent/images`, where the agent imports archives from at start. */
export function imagesOutDir(raw: RawImagesBuildFlags, env: ImagesEnvironment): string {
  if (raw.out !== undefined && raw.out.trim() !== '') return resolve(env.cwd, raw.out);
  return agentPaths(dataDirOf(raw, env)).images;
}

export interface ImagesImportFlags { files: string[]; socket: string; namespace: string; baseName?: string; ctr: string }

export function parseImagesImportFlags(files: string[], raw: RawImagesImportFlags, env: ImagesEnvironment): ImagesImportFlags {
  if (files.length === 0) throw new FlagError('images import: name at least one archive (FILE.tar)');
  if (raw.containerdSocket !== undefined && raw.dataDir !== undefined) throw new FlagError('images import: give --data-dir or --containerd-socket, not both');
  const socket = raw.containerdSocket !== undefined && raw.containerdSocket.trim() !== ''
    ? resolve(env.cwd, raw.containerdSocket.replace(/^unix:\/\//, ''))
    : agentPaths(dataDirOf(raw, env)).containerd.socket;
  const flags: ImagesImportFlags = {
    files: files.map((f) => resolve(env.cwd, f)),
    socket,
    namespace: raw.namespace?.trim() || 'k8s.io',
    ctr: raw.ctr?.trim() || '/usr/bin/ctr',
  };
  if (raw.baseName !== undefined && raw.baseName.trim() !== '') flags.baseName = raw.baseName.trim();
  return flags;
}

export async function runImagesBuild(out: string, io: ImagesIO): Promise<number> {
  // Loaded here so the other commands do not pay for the image builder's modules.
  const { buildStandardImages } = await import('../kubelet/images/standard.js');
  await buildStandardImages(out, {
    onProgress: (e) => io.stdout.write(`${e.built ? 'built' : 'up to date'}\t${e.name}\t${e.path}\n`),
  });
  return 0;
}

export async function runImagesImport(flags: ImagesImportFlags, io: ImagesIO): Promise<number> {
  if (!existsSync(flags.ctr)) {
    io.stderr.write(`kite: ${flags.ctr} not found; it ships with containerd (Debian/Ubuntu: apt-get install containerd)\n`);
    return 1;
  }
  if (!existsSync(flags.socket)) {
    io.stderr.write(`kite: no containerd socket at ${flags.socket}; is the agent running? (or name one with --containerd-socket)\n`);
    return 1;
  }
  const { importImageArchive } = await import('../kubelet/images/import.js');
  let failed = 0;
  for (const file of flags.files) {
    try {
      const names = await importImageArchive({
        socket: flags.socket, file, namespace: flags.namespace, ctrBinary: flags.ctr, ...(flags.baseName ? { baseName: flags.baseName } : {}),
      });
      for (const name of names) io.stdout.write(`imported\t${name}\t${file}\n`);
    } catch (err) {
      failed++;
      io.stderr.write(`kite: ${(err as Error).message}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

const buildExamples = `
Examples:
  $ kite images build                             # into ${rootDataDir}/agent/images (root) or ~/.kite/agent/images
  $ kite images build --out ./images
  $ kite images build --data-dir /srv/kite

Builds kite.local/pause, kite.local/busybox and kite.local/httpd from this machine's gcc and
busybox-static, with no Docker and no registry. Archives already built from the same inputs are kept.
The agent imports every archive in <data-dir>/agent/images when it starts.
`;

const importExamples = `
Examples:
  $ kite images import ./app.tar                  # into the agent's containerd under ${rootDataDir}
  $ kite images import ./app.tar.gz --data-dir /srv/kite
  $ kite images import ./oci-layout.tar --containerd-socket /run/containerd/containerd.sock
  $ kite images import ./tag-only.tar --base-name registry.example.com/team/app

Takes OCI image layouts and \`docker save\` archives, plain or gzip'd. Images are named as the archive
names them; an OCI ref that is only a tag gets --base-name (default kite.local/<file name>).
`;

/** Adds `images build` and `images import` to the program. */
export function registerImagesCommand(program: Command, io: ImagesIO, setExitCode: (code: number) => void): void {
  const env = (): ImagesEnvironment => ({
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined, home: homedir(), cwd: process.cwd(),
  });
  const images = program.command('images').description('Build Kite\'s own images, and import image archives into the agent\'s containerd');
  images.command('build')
    .description('Build the pause, busybox and httpd images as OCI archives')
    .option('--out <dir>', 'directory to write the archives to (default: <data-dir>/agent/images)')
    .option('--data-dir <dir>', `state directory (default: ${rootDataDir} as root, ~/.kite otherwise)`)
    .addHelpText('after', buildExamples)
    .action(async (opts: RawImagesBuildFlags) => {
      setExitCode(await runImagesBuild(imagesOutDir(opts, env()), io));
    });
  images.command('import')
    .description('Import image archives (OCI or docker, plain or gzip\'d) into containerd')
    .argument('<files...>', 'archives to import')
    .option('--data-dir <dir>', `the agent's state directory, whose containerd to use (default: ${rootDataDir} as root, ~/.kite otherwise)`)
    .option('--containerd-socket <path>', 'use this containerd instead of the agent\'s')
    .option('--namespace <ns>', 'containerd namespace (default: k8s.io, the one the CRI uses)')
    .option('--base-name <repository>', 'repository for OCI refs that are only a tag (default: kite.local/<file name>)')
    .option('--ctr <path>', 'the ctr binary (default: /usr/bin/ctr)')
    .addHelpText('after', importExamples)
    .action(async (files: string[], opts: RawImagesImportFlags) => {
      setExitCode(await runImagesImport(parseImagesImportFlags(files, opts, env()), io));
    });
}
