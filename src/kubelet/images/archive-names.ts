// Which images an archive names, read from its index.json (OCI layout) or manifest.json
// (`docker save`) without unpacking it, so the importer can choose ctr's naming flags.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { ANNOTATION_CONTAINERD_NAME, ANNOTATION_REF_NAME } from './oci-archive.js';

export interface ArchiveNames {
  format: 'oci' | 'docker';
  /** Full image references the archive carries (containerd's annotation, a full OCI ref, docker RepoTags). */
  names: string[];
  /** OCI ref names that are only a tag (`latest`), which ctr prefixes with a base name. */
  tags: string[];
  /** Images in the archive with no name at all. */
  unnamed: number;
}

/** A reference with a repository part (`a/b:c`, `b:c`, `b@sha256:…`), as opposed to a bare tag. */
export function isFullReference(ref: string): boolean {
  return /[/:@]/.test(ref);
}

interface IndexJson { manifests?: Array<{ annotations?: Record<string, string> }> }
type DockerManifestJson = Array<{ RepoTags?: string[] | null }>;

export function namesFromOciIndex(index: IndexJson): ArchiveNames {
  const out: ArchiveNames = { format: 'oci', names: [], tags: [], unnamed: 0 };
  for (const m of index.manifests ?? []) {
    const a = m.annotations ?? {};
    const named = a[ANNOTATION_CONTAINERD_NAME];
    const ref = a[ANNOTATION_REF_NAME];
    if (named) out.names.push(named);
    else if (ref && isFullReference(ref)) out.names.push(ref);
    else if (ref) out.tags.push(ref);
    else out.unnamed++;
  }
  return out;
}

export function namesFromDockerManifest(manifest: DockerManifestJson): ArchiveNames {
  const out: ArchiveNames = { format: 'docker', names: [], tags: [], unnamed: 0 };
  for (const m of manifest) {
    if (m.RepoTags && m.RepoTags.length > 0) out.names.push(...m.RepoTags);
    else out.unnamed++;
  }
  return out;
}

/** Whether the file starts with gzip's magic bytes. */
export async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { bytesRead, buffer } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Reads the names an image archive (tar, optionally gzip'd) carries. */
export async function readArchiveNames(file: string): Promise<ArchiveNames> {
  const ex = extract();
  const source = createReadStream(file);
  const input = (await isGzip(file)) ? source.pipe(createGunzip()) : source;
  input.on('error', (err: Error) => ex.destroy(err));
  input.pipe(ex);
  let index: IndexJson | undefined;
  let docker: DockerManifestJson | undefined;
  let layout = false;
  try {
    for await (const entry of ex) {
      const name = entry.header.name.replace(/^\.\//, '');
      if (name === 'oci-layout') layout = true;
      if ((name === 'index.json' || name === 'manifest.json') && entry.header.size < 16 << 20) {
        const chunks: Buffer[] = [];
        for await (const c of entry) chunks.push(c as Buffer);
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (name === 'index.json') index = parsed as IndexJson;
        else docker = parsed as DockerManifestJson;
      } else {
        entry.resume();
      }
    }
  } catch (err) {
    throw new Error(`${file} is not a readable image archive: ${(err as Error).message}`);
  } finally {
    source.destroy();
  }
  // Newer `docker save` writes both; containerd then reads the OCI layout, as we do.
  if (layout && index !== undefined) return namesFromOciIndex(index);
  if (docker !== undefined && Array.isArray(docker)) return namesFromDockerManifest(docker);
  throw new Error(`${file} is neither an OCI image layout (oci-layout and index.json) nor a docker archive (manifest.json)`);
}
