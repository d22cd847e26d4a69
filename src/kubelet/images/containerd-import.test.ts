// Imports the standard images (and docker / tag-only archives) into a containerd of our own and
// runs them. Needs root and Debian's containerd; skipped otherwise.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import {
  containerdSkip, CTR, mountsUnder, processesUsing, run, startTestContainerd, waitFor, type TestContainerd,
} from '../../../test/support/containerd.js';
import { BUSYBOX_IMAGE, HTTPD_IMAGE, PAUSE_IMAGE } from '../paths.js';
import { importImageArchive, importImageDir } from './import.js';
import { buildOciArchive, sha256 } from './oci-archive.js';
import { buildStandardImages } from './standard.js';

const skip = containerdSkip({ ctr: true });

let tc: TestContainerd | undefined;
let dir = '';
let socket = '';

async function ctr(...args: string[]): Promise<string> {
  const { stdout } = await run(CTR, ['-a', socket, '-n', 'k8s.io', ...args], { timeout: 30_000 });
  return stdout;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

function httpGet(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/', timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => { body += s; }).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).on('timeout', function (this: { destroy(e: Error): void }) { this.destroy(new Error('timeout')); }).end();
  });
}

async function tarOf(items: Array<[string, Buffer]>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => { for await (const c of p) chunks.push(c as Buffer); })();
  for (const [name, body] of items) p.entry({ name, size: body.length }, body);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function untar(data: Buffer): Promise<Map<string, Buffer>> {
  const ex = extract();
  const out = new Map<string, Buffer>();
  const done = (async () => {
    for await (const e of ex) {
      const chunks: Buffer[] = [];
      for await (const c of e) chunks.push(c as Buffer);
      if (e.header.type === 'file') out.set(e.header.name, Buffer.concat(chunks));
    }
  })();
  ex.end(data);
  await done;
  return out;
}

before(async () => {
  if (skip) return;
  tc = await startTestContainerd('kite-cd-images-');
  ({ dir, socket } = tc);
  await tc.containerd.ready;
});

after(async () => {
  // Safety net only: the last test asserts that nothing is left.
  await tc?.cleanup();
});

test('the standard images import into containerd and run', { skip }, async () => {
  const images = join(dir, 'images');
  await buildStandardImages(images);
  const results = await importImageDir(socket, images);
  assert.deepEqual(results.map((r) => [r.names, r.error]), [[[BUSYBOX_IMAGE], undefined], [[HTTPD_IMAGE], undefined], [[PAUSE_IMAGE], undefined]]);

  const listed = (await ctr('images', 'ls', '-q')).split('\n');
  for (const name of [PAUSE_IMAGE, BUSYBOX_IMAGE, HTTPD_IMAGE]) assert.ok(listed.includes(name), `${name} listed`);

  // Importing again keeps the same names (no throwaway ones).
  assert.deepEqual(await importImageArchive({ socket, file: join(images, 'busybox.tar') }), [BUSYBOX_IMAGE]);

  assert.equal((await ctr('run', '--rm', BUSYBOX_IMAGE, 'kite-images-id1', 'echo', 'hello')).trim(), 'hello');
  assert.equal((await ctr('run', '--rm', BUSYBOX_IMAGE, 'kite-images-id2', 'id', '-un')).trim(), 'root');
});

test('the pause image runs until SIGTERM and then exits 0', { skip }, async () => {
  // In the foreground, `ctr run` exits with the container's exit status.
  const child = spawn(CTR, ['-a', socket, '-n', 'k8s.io', 'run', '--rm', PAUSE_IMAGE, 'kite-images-pause'], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await waitFor('the pause task to run', async () => /kite-images-pause\s+\d+\s+RUNNING/.test(await ctr('task', 'ls')), 15_000);
    await ctr('task', 'kill', '-s', 'SIGTERM', 'kite-images-pause');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) {
      await ctr('task', 'kill', '-s', 'SIGKILL', 'kite-images-pause').catch(() => undefined);
      await exited;
    }
  }
});

test('the httpd image serves /www', { skip }, async () => {
  const port = await freePort();
  await ctr('run', '-d', '--net-host', HTTPD_IMAGE, 'kite-images-web', 'httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', '/www');
  try {
    let res: { status: number; body: string } | undefined;
    await waitFor('httpd to answer', async () => { res = await httpGet(port); return true; }, 15_000);
    assert.equal(res!.status, 200);
    assert.match(res!.body, /It works!/);
  } finally {
    await ctr('task', 'kill', '-s', 'SIGKILL', 'kite-images-web').catch(() => undefined);
    await waitFor('the httpd task to stop', async () => { await ctr('task', 'delete', 'kite-images-web'); return true; }, 15_000);
    await ctr('containers', 'delete', 'kite-images-web');
  }
});

test('docker archives and OCI archives with bare tags import under stable names', { skip }, async () => {
  const built = await buildOciArchive({ name: 'unused', entries: [{ type: 'file', path: 'hello', content: 'hi\n' }], config: { cmd: ['/hello'] } });
  const blobs = await untar(built.archive);
  const blob = (digest: string) => blobs.get(`blobs/sha256/${digest.slice(7)}`)!;

  // `docker save`: manifest.json with RepoTags, the config and an uncompressed layer.
  const layer = gunzipSync(blob(built.layer.digest));
  const dockerTar = join(dir, 'docker-save.tar');
  await writeFile(dockerTar, await tarOf([
    [`${sha256(layer).slice(7)}/layer.tar`, layer],
    [`${built.config.digest.slice(7)}.json`, blob(built.config.digest)],
    ['manifest.json', Buffer.from(JSON.stringify([{ Config: `${built.config.digest.slice(7)}.json`, RepoTags: ['kite.local/docker-save:2'], Layers: [`${sha256(layer).slice(7)}/layer.tar`] }]))],
  ]));
  assert.deepEqual(await importImageArchive({ socket, file: dockerTar }), ['kite.local/docker-save:2']);

  // An OCI layout naming its image only by tag gets a base name from the file (or the caller).
  const index = JSON.parse(blobs.get('index.json')!.toString());
  index.manifests[0].annotations = { 'org.opencontainers.image.ref.name': 'v3' };
  const taggedTar = join(dir, 'Tagged_Only.tar');
  await writeFile(taggedTar, await tarOf([...blobs].map(([name, body]) => [name, name === 'index.json' ? Buffer.from(JSON.stringify(index)) : body])));
  assert.deepEqual(await importImageArchive({ socket, file: taggedTar }), ['kite.local/tagged_only:v3']);
  assert.deepEqual(await importImageArchive({ socket, file: taggedTar, baseName: 'example.com/team/app' }), ['example.com/team/app:v3']);

  const listed = (await ctr('images', 'ls', '-q')).split('\n');
  for (const name of ['kite.local/docker-save:2', 'kite.local/tagged_only:v3', 'example.com/team/app:v3']) assert.ok(listed.includes(name), name);
  assert.ok(!listed.some((n) => n.startsWith('import-')), 'no throwaway import-<date> names');
});

test('containerd stops leaving no mounts and no processes behind', { skip }, async () => {
  await tc!.stop();
  await waitFor('shims to exit', async () => (await processesUsing(dir)).length === 0, 5000).catch(() => undefined);
  assert.deepEqual(await processesUsing(dir), []);
  assert.deepEqual(await mountsUnder(dir), []);
});
