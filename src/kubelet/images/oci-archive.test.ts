import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import {
  ANNOTATION_CONTAINERD_NAME, ANNOTATION_REF_NAME, FIXED_MTIME, buildOciArchive, normaliseEntries, sha256, writeOciArchive,
  type ImageSpec,
} from './oci-archive.js';

interface TarEntry { name: string; type: string; mode: number; uid: number; gid: number; mtime: number; linkname: string | null; body: Buffer }

async function readTar(data: Buffer): Promise<TarEntry[]> {
  const ex = extract();
  const out: TarEntry[] = [];
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      const h = entry.header;
      out.push({
        name: h.name, type: h.type ?? 'file', mode: h.mode ?? 0, uid: h.uid ?? -1, gid: h.gid ?? -1,
        mtime: h.mtime?.getTime() ?? 0, linkname: h.linkname ?? null, body: Buffer.concat(chunks),
      });
    }
  })();
  ex.end(data);
  await done;
  return out;
}

const spec: ImageSpec = {
  name: 'kite.local/test:1',
  entries: [
    { type: 'file', path: '/bin/tool', content: '#!/bin/sh\necho hi\n', mode: 0o755 },
    { type: 'symlink', path: 'bin/alias', target: 'tool' },
    { type: 'dir', path: '/tmp', mode: 0o1777 },
    { type: 'file', path: 'etc/motd', content: 'hello\n' },
  ],
  config: { cmd: ['sh'], entrypoint: ['/bin/tool'], env: ['A=1'], workingDir: '/tmp', exposedPorts: ['80/tcp'], user: '0:0' },
  architecture: 'amd64',
};

test('buildOciArchive writes an OCI layout whose blobs match their digests', async () => {
  const built = await buildOciArchive(spec);
  const entries = await readTar(built.archive);
  const files = new Map(entries.filter((e) => e.type === 'file').map((e) => [e.name, e.body]));
  assert.deepEqual(JSON.parse(files.get('oci-layout')!.toString()), { imageLayoutVersion: '1.0.0' });

  for (const [name, body] of files) {
    if (!name.startsWith('blobs/sha256/')) continue;
    assert.equal(sha256(body), `sha256:${name.slice('blobs/sha256/'.length)}`, `digest of ${name}`);
  }
  const blob = (digest: string) => files.get(`blobs/sha256/${digest.slice(7)}`)!;

  const index = JSON.parse(files.get('index.json')!.toString());
  assert.equal(index.schemaVersion, 2);
  assert.equal(index.manifests.length, 1);
  const desc = index.manifests[0];
  assert.equal(desc.digest, built.manifest.digest);
  assert.equal(desc.size, blob(desc.digest).length);
  assert.equal(desc.annotations[ANNOTATION_REF_NAME], 'kite.local/test:1');
  assert.equal(desc.annotations[ANNOTATION_CONTAINERD_NAME], 'kite.local/test:1');
  assert.deepEqual(desc.platform, { architecture: 'amd64', os: 'linux' });

  const manifest = JSON.parse(blob(desc.digest).toString());
  assert.equal(manifest.config.digest, built.config.digest);
  assert.equal(manifest.config.size, blob(manifest.config.digest).length);
  assert.equal(manifest.layers.length, 1);
  const layerGz = blob(manifest.layers[0].digest);
  assert.equal(manifest.layers[0].size, layerGz.length);
  assert.equal(manifest.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');

  const config = JSON.parse(blob(manifest.config.digest).toString());
  const layerRaw = gunzipSync(layerGz);
  assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: [sha256(layerRaw)] });
  assert.equal(built.diffId, sha256(layerRaw));
  assert.equal(config.architecture, 'amd64');
  assert.equal(config.os, 'linux');
  assert.deepEqual(config.config.Cmd, ['sh']);
  assert.deepEqual(config.config.Entrypoint, ['/bin/tool']);
  assert.deepEqual(config.config.Env, ['A=1']);
  assert.equal(config.config.WorkingDir, '/tmp');
  assert.deepEqual(config.config.ExposedPorts, { '80/tcp': {} });
  assert.equal(config.config.User, '0:0');

  const layer = await readTar(layerRaw);
  assert.deepEqual(layer.map((e) => [e.name, e.type]), [
    ['bin/', 'directory'], ['bin/alias', 'symlink'], ['bin/tool', 'file'], ['etc/', 'directory'], ['etc/motd', 'file'], ['tmp/', 'directory'],
  ]);
  const byName = new Map(layer.map((e) => [e.name, e]));
  assert.equal(byName.get('bin/tool')!.mode, 0o755);
  assert.equal(byName.get('bin/tool')!.body.toString(), '#!/bin/sh\necho hi\n');
  assert.equal(byName.get('bin/alias')!.linkname, 'tool');
  assert.equal(byName.get('tmp/')!.mode, 0o1777);
  assert.equal(byName.get('etc/motd')!.mode, 0o644);
  for (const e of layer) {
    assert.equal(e.uid, 0);
    assert.equal(e.gid, 0);
    assert.equal(e.mtime, FIXED_MTIME.getTime());
  }
});

test('buildOciArchive is reproducible: the same inputs give the same bytes', async () => {
  const a = await buildOciArchive(spec);
  const b = await buildOciArchive({ ...spec, entries: [...spec.entries].reverse() });
  assert.ok(a.archive.equals(b.archive));
  assert.equal(a.manifest.digest, b.manifest.digest);
  const c = await buildOciArchive({ ...spec, config: { ...spec.config, cmd: ['other'] } });
  assert.notEqual(c.manifest.digest, a.manifest.digest);
  assert.equal(c.layer.digest, a.layer.digest);
});

test('writeOciArchive copies files from host paths and writes the archive', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kite-oci-'));
  try {
    await writeFile(join(dir, 'src.bin'), Buffer.from([1, 2, 3]));
    const out = join(dir, 'image.tar');
    const built = await writeOciArchive({ name: 'kite.local/x:1', entries: [{ type: 'file', path: 'x', source: join(dir, 'src.bin'), mode: 0o700 }] }, out);
    assert.ok((await readFile(out)).equals(built.archive));
    const entries = await readTar(built.archive);
    const layerGz = entries.find((e) => e.name === `blobs/sha256/${built.layer.digest.slice(7)}`)!.body;
    const layer = await readTar(gunzipSync(layerGz));
    assert.deepEqual(layer.map((e) => [e.name, e.mode, [...e.body]]), [['x', 0o700, [1, 2, 3]]]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('normaliseEntries rejects paths outside the root and conflicting declarations', () => {
  assert.throws(() => normaliseEntries([{ type: 'dir', path: '../etc' }]), /leaves the root/);
  assert.throws(() => normaliseEntries([{ type: 'dir', path: 'a' }, { type: 'dir', path: '/a/' }]), /declared twice/);
  assert.throws(() => normaliseEntries([{ type: 'symlink', path: 'a', target: 'b' }, { type: 'dir', path: 'a/b' }]), /has a\/b under it/);
});
