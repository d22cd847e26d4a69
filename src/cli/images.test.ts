import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FlagError } from './flags.js';
import { imagesOutDir, parseImagesImportFlags } from './images.js';
import { main } from './main.js';

const rootEnv = { uid: 0, home: '/root', cwd: '/work' };
const userEnv = { uid: 1000, home: '/home/u', cwd: '/work' };

function capture() {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (s: string) => { out += s; } }, stderr: { write: (s: string) => { err += s; } } }, out: () => out, err: () => err };
}

test('images build writes into the agent images dir of the data dir unless --out is given', () => {
  assert.equal(imagesOutDir({}, rootEnv), '/var/lib/kite/agent/images');
  assert.equal(imagesOutDir({}, userEnv), '/home/u/.kite/agent/images');
  assert.equal(imagesOutDir({ dataDir: 'state' }, userEnv), '/work/state/agent/images');
  assert.equal(imagesOutDir({ out: 'imgs', dataDir: 'state' }, userEnv), '/work/imgs');
});

test('images import uses the agent\'s containerd socket unless one is named', () => {
  const byDataDir = parseImagesImportFlags(['a.tar'], { dataDir: '/srv/kite' }, rootEnv);
  assert.deepEqual(byDataDir, { files: ['/work/a.tar'], socket: '/srv/kite/agent/containerd/containerd.sock', namespace: 'k8s.io', ctr: '/usr/bin/ctr' });
  assert.equal(parseImagesImportFlags(['a.tar'], {}, rootEnv).socket, '/var/lib/kite/agent/containerd/containerd.sock');
  const named = parseImagesImportFlags(['/x/a.tar', 'b.tar'], { containerdSocket: 'unix:///run/containerd/containerd.sock', baseName: 'example.com/app', namespace: 'other' }, rootEnv);
  assert.deepEqual(named, { files: ['/x/a.tar', '/work/b.tar'], socket: '/run/containerd/containerd.sock', namespace: 'other', ctr: '/usr/bin/ctr', baseName: 'example.com/app' });
  assert.throws(() => parseImagesImportFlags([], {}, rootEnv), FlagError);
  assert.throws(() => parseImagesImportFlags(['a.tar'], { dataDir: 'd', containerdSocket: 's' }, rootEnv), /not both/);
});

test('kite images import says when there is no containerd to import into', async () => {
  const c = capture();
  const code = await main(['images', 'import', '/nonexistent/a.tar', '--containerd-socket', '/nonexistent/containerd.sock'], c.io);
  assert.equal(code, 1);
  assert.match(c.err(), /no containerd socket at \/nonexistent\/containerd\.sock|ctr not found|\/usr\/bin\/ctr not found/);
});

test('kite images build --out writes the three archives', { skip: existsSync('/bin/busybox') && existsSync('/usr/bin/gcc') ? false : 'needs /bin/busybox and gcc' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kite-cli-images-'));
  try {
    const c = capture();
    assert.equal(await main(['images', 'build', '--out', dir], c.io), 0, c.err());
    assert.match(c.out(), /^built\tkite\.local\/pause:1\.0\t/m);
    assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.tar')).sort(), ['busybox.tar', 'httpd.tar', 'pause.tar']);
    const again = capture();
    assert.equal(await main(['images', 'build', '--out', dir], again.io), 0);
    assert.equal(again.out().split('\n').filter((l) => l.startsWith('up to date')).length, 3);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
