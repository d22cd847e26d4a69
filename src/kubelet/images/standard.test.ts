import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { BUSYBOX_IMAGE, HTTPD_IMAGE, PAUSE_IMAGE } from '../paths.js';
import { readArchiveNames } from './archive-names.js';
import { compilePause } from './pause.js';
import { buildStandardImages, standardImageFiles } from './standard.js';

const hasGcc = ['/usr/bin/gcc', '/usr/local/bin/gcc'].some((p) => existsSync(p));
const hasBusybox = existsSync('/bin/busybox');

async function tarEntries(data: Buffer): Promise<Map<string, { type: string; mode: number; linkname: string; body: Buffer }>> {
  const ex = extract();
  const out = new Map<string, { type: string; mode: number; linkname: string; body: Buffer }>();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      out.set(entry.header.name, { type: entry.header.type, mode: entry.header.mode, linkname: entry.header.linkname, body: Buffer.concat(chunks) });
    }
  })();
  ex.end(data);
  await done;
  return out;
}

/** The config and the uncompressed layer of a one-layer archive. */
async function openImage(file: string) {
  const outer = await tarEntries(await readFile(file));
  const blob = (digest: string) => outer.get(`blobs/sha256/${digest.slice(7)}`)!.body;
  const index = JSON.parse(outer.get('index.json')!.body.toString());
  const manifest = JSON.parse(blob(index.manifests[0].digest).toString());
  const config = JSON.parse(blob(manifest.config.digest).toString());
  const layer = await tarEntries(gunzipSync(blob(manifest.layers[0].digest)));
  return { config, layer };
}

async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the pause binary exits 0 on SIGTERM and on SIGINT', { skip: hasGcc ? false : 'gcc is not installed' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kite-pause-test-'));
  try {
    const bin = join(dir, 'pause');
    await writeFile(bin, await compilePause(), { mode: 0o755 });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const child = spawn(bin, [], { stdio: 'ignore' });
      const exited = new Promise<[number | null, string | null]>((resolve) => child.on('exit', (code, sig) => resolve([code, sig])));
      // Signal only once the handlers are installed (SigCgt has SIGTERM, bit 15, and SIGINT, bit 2).
      await waitFor(async () => {
        const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
        const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status);
        return m !== null && (BigInt(`0x${m[1]}`) & 0x4002n) === 0x4002n;
      }, 'the pause handlers');
      child.kill(signal);
      assert.deepEqual(await exited, [0, null], `exit after ${signal}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('buildStandardImages writes pause, busybox and httpd, and skips them when nothing changed', { skip: hasGcc && hasBusybox ? false : 'needs gcc and /bin/busybox' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kite-images-test-'));
  try {
    const events: Array<{ name: string; built: boolean }> = [];
    const paths = await buildStandardImages(dir, { onProgress: (e) => events.push({ name: e.name, built: e.built }) });
    const files = standardImageFiles(dir);
    assert.deepEqual(paths, [files.pause, files.busybox, files.httpd]);
    assert.deepEqual(events, [{ name: PAUSE_IMAGE, built: true }, { name: BUSYBOX_IMAGE, built: true }, { name: HTTPD_IMAGE, built: true }]);
    assert.deepEqual((await readArchiveNames(files.pause)).names, [PAUSE_IMAGE]);
    assert.deepEqual((await readArchiveNames(files.busybox)).names, [BUSYBOX_IMAGE]);
    assert.deepEqual((await readArchiveNames(files.httpd)).names, [HTTPD_IMAGE]);

    const pause = await openImage(files.pause);
    assert.deepEqual([...pause.layer.keys()], ['pause']);
    assert.equal(pause.layer.get('pause')!.mode, 0o755);
    assert.deepEqual(pause.config.config.Entrypoint, ['/pause']);

    const busybox = await openImage(files.busybox);
    assert.deepEqual(busybox.config.config.Cmd, ['sh']);
    assert.equal(busybox.layer.get('bin/busybox')!.mode, 0o755);
    for (const applet of ['sh', 'httpd', 'wget', 'nc', 'sleep', 'cat', 'hostname']) {
      assert.equal(busybox.layer.get(`bin/${applet}`)?.linkname, 'busybox', applet);
    }
    assert.match(busybox.layer.get('etc/passwd')!.body.toString(), /^root:x:0:0:.*\nnobody:x:65534:65534:/);
    assert.match(busybox.layer.get('etc/group')!.body.toString(), /^root:x:0:\nnobody:x:65534:/);
    assert.equal(busybox.layer.get('tmp/')!.mode, 0o1777);

    const httpd = await openImage(files.httpd);
    assert.deepEqual(httpd.config.config.Cmd, ['httpd', '-f', '-v', '-p', '80', '-h', '/www']);
    assert.deepEqual(httpd.config.config.ExposedPorts, { '80/tcp': {} });
    assert.match(httpd.layer.get('www/index.html')!.body.toString(), /<html>/);
    assert.equal(httpd.layer.get('bin/httpd')!.linkname, 'busybox');

    const before = await readFile(files.busybox);
    events.length = 0;
    await buildStandardImages(dir, { onProgress: (e) => events.push({ name: e.name, built: e.built }) });
    assert.deepEqual(events.map((e) => e.built), [false, false, false]);
    assert.ok((await readFile(files.busybox)).equals(before));

    // A changed input (here: the stamp no longer matching) rebuilds, with the same bytes.
    await writeFile(`${files.busybox}.inputs`, 'something else\n');
    events.length = 0;
    await buildStandardImages(dir, { onProgress: (e) => events.push({ name: e.name, built: e.built }) });
    assert.deepEqual(events.map((e) => e.built), [false, true, false]);
    assert.ok((await readFile(files.busybox)).equals(before));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
