// An OCI image layout written as one tar archive, from a declarative list of files: one gzip'd
// layer, the image config, the manifest and an index naming the image, all addressed by sha256.
// Entries carry a fixed mtime and uid/gid 0 so the same inputs give the same digests.
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { arch } from 'node:os';
import { gzipSync } from 'node:zlib';
import { pack as tarPack, type Header } from 'tar-stream';

type Headers = Partial<Header> & Pick<Header, 'name'>;

/** A regular file, given by content or copied from a path on this machine. */
export type ImageFile =
  | { type: 'file'; path: string; content: string | Uint8Array; mode?: number }
  | { type: 'file'; path: string; source: string; mode?: number };
export type ImageDirectory = { type: 'dir'; path: string; mode?: number };
export type ImageSymlink = { type: 'symlink'; path: string; target: string };
export type ImageEntry = ImageFile | ImageDirectory | ImageSymlink;

/** The runtime part of the image config (OCI `config`), in the OCI spelling's meaning. */
export interface ImageRuntimeConfig {
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  /** `80/tcp`, `53/udp` */
  exposedPorts?: string[];
  user?: string;
  labels?: Record<string, string>;
}

export interface ImageSpec {
  /** Full image name, e.g. `kite.local/busybox:1.35`. */
  name: string;
  entries: ImageEntry[];
  config?: ImageRuntimeConfig;
  /** OCI architecture; defaults to this machine's (the files usually come from it). */
  architecture?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string };
}

export interface OciArchive {
  /** The whole archive (an OCI image layout as a tar). */
  archive: Buffer;
  name: string;
  manifest: Descriptor;
  config: Descriptor;
  layer: Descriptor;
  /** sha256 of the uncompressed layer, as in the config's `rootfs.diff_ids`. */
  diffId: string;
}

export const MEDIA_TYPE_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_TYPE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_TYPE_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
export const ANNOTATION_CONTAINERD_NAME = 'io.containerd.image.name';

/** Every entry's mtime and the config's `created`: fixed, so builds are reproducible. */
export const FIXED_MTIME = new Date('2024-01-01T00:00:00Z');

export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The OCI name of this machine's architecture (Node's `x64` is OCI's `amd64`). */
export function ociArchitecture(nodeArch: string = arch()): string {
  const table: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return table[nodeArch] ?? nodeArch;
}

function clean(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw new Error(`image path ${JSON.stringify(path)} leaves the root`);
  if (parts.length === 0) throw new Error(`image path ${JSON.stringify(path)} names the root`);
  return parts.join('/');
}

/** The entries with normalised paths, missing parent directories added (0755), sorted by path. */
export function normaliseEntries(entries: ImageEntry[]): ImageEntry[] {
  const byPath = new Map<string, ImageEntry>();
  for (const e of entries) {
    const path = clean(e.path);
    if (byPath.has(path)) throw new Error(`image path ${path} is declared twice`);
    byPath.set(path, { ...e, path });
  }
  for (const path of [...byPath.keys()]) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const existing = byPath.get(parent);
      if (existing === undefined) byPath.set(parent, { type: 'dir', path: parent });
      else if (existing.type !== 'dir') throw new Error(`image path ${parent} is a ${existing.type} but has ${path} under it`);
    }
  }
  // Parents sort before their children: a prefix sorts before what extends it.
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Writes the items, in order, as a tar with the fixed mtime; used for layers and the layout. */
async function tarOf(items: Array<{ header: Headers; body?: Buffer }>): Promise<Buffer> {
  const pack = tarPack();
  const done = collect(pack);
  for (const { header, body } of items) {
    await new Promise<void>((resolve, reject) => {
      pack.entry({ uid: 0, gid: 0, uname: '', gname: '', mtime: FIXED_MTIME, ...header }, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  return done;
}

/** The uncompressed layer tar for `entries`. */
export async function layerTar(entries: ImageEntry[]): Promise<Buffer> {
  const items: Array<{ header: Headers; body?: Buffer }> = [];
  for (const e of normaliseEntries(entries)) {
    if (e.type === 'dir') {
      items.push({ header: { name: `${e.path}/`, type: 'directory', mode: e.mode ?? 0o755 } });
    } else if (e.type === 'symlink') {
      items.push({ header: { name: e.path, type: 'symlink', linkname: e.target, mode: 0o777 } });
    } else {
      const body = 'source' in e ? await readFile(e.source) : Buffer.from(e.content);
      items.push({ header: { name: e.path, type: 'file', mode: e.mode ?? 0o644, size: body.length }, body });
    }
  }
  return tarOf(items);
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** Builds the archive in memory. */
export async function buildOciArchive(spec: ImageSpec): Promise<OciArchive> {
  const layerRaw = await layerTar(spec.entries);
  const diffId = sha256(layerRaw);
  // Node writes a gzip header with mtime 0, so the compressed bytes are stable too.
  const layerGz = gzipSync(layerRaw, { level: 9 });
  const layer: Descriptor = { mediaType: MEDIA_TYPE_LAYER_GZIP, digest: sha256(layerGz), size: layerGz.length };

  const architecture = spec.architecture ?? ociArchitecture();
  const c = spec.config ?? {};
  const runtime: Record<string, unknown> = {};
  if (c.user !== undefined) runtime.User = c.user;
  if (c.exposedPorts?.length) runtime.ExposedPorts = Object.fromEntries(c.exposedPorts.map((p) => [p, {}]));
  runtime.Env = c.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
  if (c.entrypoint !== undefined) runtime.Entrypoint = c.entrypoint;
  if (c.cmd !== undefined) runtime.Cmd = c.cmd;
  if (c.workingDir !== undefined) runtime.WorkingDir = c.workingDir;
  if (c.labels !== undefined) runtime.Labels = c.labels;
  const configBlob = json({
    created: FIXED_MTIME.toISOString(),
    architecture,
    os: 'linux',
    config: runtime,
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created: FIXED_MTIME.toISOString(), created_by: `kite images build ${spec.name}` }],
  });
  const config: Descriptor = { mediaType: MEDIA_TYPE_CONFIG, digest: sha256(configBlob), size: configBlob.length };

  const manifestBlob = json({ schemaVersion: 2, mediaType: MEDIA_TYPE_MANIFEST, config, layers: [layer] });
  const manifest: Descriptor = {
    mediaType: MEDIA_TYPE_MANIFEST,
    digest: sha256(manifestBlob),
    size: manifestBlob.length,
    // containerd names the image after io.containerd.image.name; other tools read ref.name.
    annotations: { [ANNOTATION_CONTAINERD_NAME]: spec.name, [ANNOTATION_REF_NAME]: spec.name },
    platform: { architecture, os: 'linux' },
  };
  const index = json({ schemaVersion: 2, mediaType: MEDIA_TYPE_INDEX, manifests: [manifest] });

  const blob = (d: Descriptor, body: Buffer) => ({
    header: { name: `blobs/sha256/${d.digest.slice('sha256:'.length)}`, type: 'file' as const, mode: 0o644, size: body.length },
    body,
  });
  const layout: Array<{ header: Headers; body?: Buffer }> = [
    { header: { name: 'oci-layout', type: 'file', mode: 0o644 }, body: json({ imageLayoutVersion: '1.0.0' }) },
    { header: { name: 'index.json', type: 'file', mode: 0o644 }, body: index },
    { header: { name: 'blobs/', type: 'directory', mode: 0o755 } },
    { header: { name: 'blobs/sha256/', type: 'directory', mode: 0o755 } },
    blob(layer, layerGz),
    blob(config, configBlob),
    blob(manifest, manifestBlob),
  ];
  const archive = await tarOf(layout.map((item) => ({ ...item, header: { ...item.header, size: item.body?.length ?? 0 } })));
  return { archive, name: spec.name, manifest, config, layer, diffId };
}

/** Builds the archive and writes it to `file` (through a temporary name, so readers never see half of it). */
export async function writeOciArchive(spec: ImageSpec, file: string): Promise<OciArchive> {
  const built = await buildOciArchive(spec);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, built.archive);
  await rename(tmp, file);
  return built;
}
