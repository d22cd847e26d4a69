// The images Kite builds for itself from what the machine already has, without Docker or a
// registry: pause (our static binary), busybox (Debian's busybox-static with its applets) and
// httpd (busybox serving /www). An archive is rebuilt only when its inputs change.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BUSYBOX_IMAGE, HTTPD_IMAGE, PAUSE_IMAGE } from '../paths.js';
import { writeOciArchive, type ImageEntry, type ImageSpec } from './oci-archive.js';
import { PAUSE_CFLAGS, PAUSE_SOURCE, compilePause, compilerVersion } from './pause.js';

const run = promisify(execFile);

/** Part of every input key: changes when the way archives are written changes. */
const ARCHIVE_FORMAT = 'kite-oci-archive-1';

export interface StandardImageOptions {
  /** Debian's busybox-static. */
  busybox?: string;
  gcc?: string;
  /** Told about each archive as it is built or found current. */
  onProgress?: (event: { name: string; path: string; built: boolean }) => void;
}

/** The archive file of each standard image inside a directory. */
export function standardImageFiles(dir: string): { pause: string; busybox: string; httpd: string } {
  return { pause: join(dir, 'pause.tar'), busybox: join(dir, 'busybox.tar'), httpd: join(dir, 'httpd.tar') };
}

export const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
export const GROUP = 'root:x:0:\nnobody:x:65534:\n';
export const INDEX_HTML = '<!DOCTYPE html>\n<html><head><title>Kite</title></head><body><h1>It works!</h1><p>Served by busybox httpd in a Kite pod.</p></body></html>\n';

/** The applets of a busybox binary (`busybox --list`), without `busybox` itself. */
export async function busyboxApplets(busybox: string): Promise<string[]> {
  const { stdout } = await run(busybox, ['--list']);
  return stdout.split('\n').map((s) => s.trim()).filter((s) => s !== '' && s !== 'busybox' && !s.includes('/')).sort();
}

/** The busybox image's files: the binary, a symlink in /bin per applet, users, groups, /tmp. */
export function busyboxEntries(busybox: string, applets: string[]): ImageEntry[] {
  return [
    { type: 'file', path: 'bin/busybox', source: busybox, mode: 0o755 },
    ...applets.map((a): ImageEntry => ({ type: 'symlink', path: `bin/${a}`, target: 'busybox' })),
    { type: 'file', path: 'etc/passwd', content: PASSWD },
    { type: 'file', path: 'etc/group', content: GROUP },
    { type: 'dir', path: 'root', mode: 0o700 },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
  ];
}

export function busyboxSpec(busybox: string, applets: string[]): ImageSpec {
  return { name: BUSYBOX_IMAGE, entries: busyboxEntries(busybox, applets), config: { cmd: ['sh'] } };
}

export function httpdSpec(busybox: string, applets: string[]): ImageSpec {
  return {
    name: HTTPD_IMAGE,
    entries: [...busyboxEntries(busybox, applets), { type: 'file', path: 'www/index.html', content: INDEX_HTML }],
    config: { cmd: ['httpd', '-f', '-v', '-p', '80', '-h', '/www'], exposedPorts: ['80/tcp'] },
  };
}

export function pauseSpec(binary: Buffer): ImageSpec {
  return { name: PAUSE_IMAGE, entries: [{ type: 'file', path: 'pause', content: binary, mode: 0o755 }], config: { entrypoint: ['/pause'] } };
}

function hash(...parts: Array<string | Uint8Array>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? p : Buffer.from(p)).update('\0');
  return h.digest('hex');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/**
 * Writes `file` from `spec()` unless it exists with the same input key (kept beside it in
 * `<file>.inputs`); says whether it built.
 */
async function buildIfChanged(file: string, key: string, spec: () => Promise<ImageSpec>): Promise<boolean> {
  const stamp = `${file}.inputs`;
  const previous = await readFile(stamp, 'utf8').catch(() => '');
  if (previous.trim() === key && await exists(file)) return false;
  await writeOciArchive(await spec(), file);
  await writeFile(stamp, `${key}\n`);
  return true;
}

/**
 * Writes the pause, busybox and httpd archives into `dir` (skipping those already built from
 * the same inputs) and returns their paths, in that order.
 */
export async function buildStandardImages(dir: string, options: StandardImageOptions = {}): Promise<string[]> {
  const busybox = options.busybox ?? '/bin/busybox';
  const gcc = options.gcc ?? 'gcc';
  const files = standardImageFiles(dir);
  await mkdir(dir, { recursive: true });

  const pauseKey = hash(ARCHIVE_FORMAT, 'pause', PAUSE_IMAGE, PAUSE_SOURCE, PAUSE_CFLAGS.join(' '), await compilerVersion(gcc));
  const pauseBuilt = await buildIfChanged(files.pause, pauseKey, async () => pauseSpec(await compilePause(gcc)));
  options.onProgress?.({ name: PAUSE_IMAGE, path: files.pause, built: pauseBuilt });

  const binary = await readFile(busybox).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`${busybox} is needed for the busybox and httpd images (Debian: apt-get install busybox-static): ${err.code ?? err.message}`);
  });
  const applets = await busyboxApplets(busybox);
  const common = [binary, applets.join(' '), PASSWD, GROUP];
  const busyboxBuilt = await buildIfChanged(files.busybox, hash(ARCHIVE_FORMAT, 'busybox', BUSYBOX_IMAGE, ...common), async () => busyboxSpec(busybox, applets));
  options.onProgress?.({ name: BUSYBOX_IMAGE, path: files.busybox, built: busyboxBuilt });
  const httpdBuilt = await buildIfChanged(files.httpd, hash(ARCHIVE_FORMAT, 'httpd', HTTPD_IMAGE, ...common, INDEX_HTML), async () => httpdSpec(busybox, applets));
  options.onProgress?.({ name: HTTPD_IMAGE, path: files.httpd, built: httpdBuilt });

  return [files.pause, files.busybox, files.httpd];
}
