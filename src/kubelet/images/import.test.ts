import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { namesFromDockerManifest, namesFromOciIndex, readArchiveNames } from './archive-names.js';
import { defaultBaseName, importArguments, importImageDir, parseImportOutput } from './import.js';
import { buildOciArchive } from './oci-archive.js';

test('namesFromOciIndex prefers containerd\'s name, then a full ref, and counts bare tags and unnamed images', () => {
  assert.deepEqual(namesFromOciIndex({
    manifests: [
      { annotations: { 'io.containerd.image.name': 'docker.io/library/a:1', 'org.opencontainers.image.ref.name': '1' } },
      { annotations: { 'org.opencontainers.image.ref.name': 'example.com/b:2' } },
      { annotations: { 'org.opencontainers.image.ref.name': 'latest' } },
      {},
    ],
  }), { format: 'oci', names: ['docker.io/library/a:1', 'example.com/b:2'], tags: ['latest'], unnamed: 1 });
});

test('namesFromDockerManifest reads RepoTags', () => {
  assert.deepEqual(namesFromDockerManifest([{ RepoTags: ['busybox:latest', 'busybox:1'] }, { RepoTags: null }]),
    { format: 'docker', names: ['busybox:latest', 'busybox:1'], tags: [], unnamed: 1 });
});

test('readArchiveNames reads plain and gzip\'d OCI archives and rejects other files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kite-names-'));
  try {
    const built = await buildOciArchive({ name: 'kite.local/n:1', entries: [{ type: 'file', path: 'f', content: 'x' }] });
    await writeFile(join(dir, 'a.tar'), built.archive);
    await writeFile(join(dir, 'a.tar.gz'), gzipSync(built.archive));
    await writeFile(join(dir, 'junk.tar'), 'not a tar at all');
    const expected = { format: 'oci', names: ['kite.local/n:1'], tags: [], unnamed: 0 };
    assert.deepEqual(await readArchiveNames(join(dir, 'a.tar')), expected);
    assert.deepEqual(await readArchiveNames(join(dir, 'a.tar.gz')), expected);
    await assert.rejects(readArchiveNames(join(dir, 'junk.tar')), /junk\.tar/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('importArguments gives bare tags a base name and unnamed images an index name, never both', () => {
  const base = { socket: '/run/c.sock', file: '/x/My App.tar' };
  const head = ['-a', '/run/c.sock', '-n', 'k8s.io', 'images', 'import'];
  assert.deepEqual(importArguments(base, { format: 'oci', names: ['kite.local/a:1'], tags: [], unnamed: 0 }, '/x/My App.tar'), [...head, '/x/My App.tar']);
  assert.deepEqual(importArguments(base, { format: 'oci', names: [], tags: ['v1'], unnamed: 0 }, '-'), [...head, '--base-name', 'kite.local/my-app', '-']);
  assert.deepEqual(importArguments({ ...base, baseName: 'example.com/app', namespace: 'other', snapshotter: 'native' }, { format: 'oci', names: [], tags: ['v1'], unnamed: 0 }, 'f'),
    ['-a', '/run/c.sock', '-n', 'other', 'images', 'import', '--base-name', 'example.com/app', '--snapshotter', 'native', 'f']);
  assert.deepEqual(importArguments(base, { format: 'docker', names: [], tags: [], unnamed: 1 }, 'f'), [...head, '--index-name', 'kite.local/my-app:latest', 'f']);
  // A full name present: --base-name would drop it, so ctr's own naming is kept.
  assert.deepEqual(importArguments(base, { format: 'oci', names: ['kite.local/a:1'], tags: ['v1'], unnamed: 0 }, 'f'), [...head, 'f']);
});

test('defaultBaseName makes a valid repository from the file name', () => {
  assert.equal(defaultBaseName('/a/busybox.tar'), 'kite.local/busybox');
  assert.equal(defaultBaseName('/a/My Image.tar.gz'), 'kite.local/my-image');
  assert.equal(defaultBaseName('/a/__.tgz'), 'kite.local/image');
});

test('parseImportOutput lists each unpacked image once', () => {
  const out = 'unpacking kite.local/a:1 (sha256:0123abcd)...done\nunpacking docker.io/library/b:latest (sha256:ff)...done\nunpacking kite.local/a:1 (sha256:0123abcd)...done\n';
  assert.deepEqual(parseImportOutput(out), ['kite.local/a:1', 'docker.io/library/b:latest']);
  assert.deepEqual(parseImportOutput(''), []);
});

test('importImageDir imports nothing from a missing directory and reports failing archives without stopping', async () => {
  assert.deepEqual(await importImageDir('/nonexistent.sock', '/nonexistent/kite/images'), []);
  const dir = await mkdtemp(join(tmpdir(), 'kite-importdir-'));
  try {
    await writeFile(join(dir, 'b.tar'), 'junk');
    await writeFile(join(dir, 'a.tar'), 'junk');
    await writeFile(join(dir, 'notes.txt'), 'not an archive');
    const results = await importImageDir('/nonexistent.sock', dir, { ctrBinary: '/bin/false' });
    assert.deepEqual(results.map((r) => [r.file, r.names]), [[join(dir, 'a.tar'), []], [join(dir, 'b.tar'), []]]);
    assert.ok(results.every((r) => typeof r.error === 'string' && r.error.length > 0));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
