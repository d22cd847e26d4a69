import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHostPathType } from './hostpath.js';

describe('checkHostPathType', () => {
  let root: string;
  let sock: string;
  const server = createServer();
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kite-hostpath-'));
    await mkdir(join(root, 'dir'));
    await writeFile(join(root, 'file'), 'x');
    sock = join(root, 'sock');
    await new Promise<void>((r) => server.listen(sock, r));
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await rm(root, { recursive: true, force: true });
  });

  const cases: { type: string; path: string; error?: string }[] = [
    { type: '', path: 'missing' },
    { type: 'Directory', path: 'dir' },
    { type: 'Directory', path: 'file', error: 'is not a directory' },
    { type: 'Directory', path: 'missing', error: 'is not a directory' },
    { type: 'File', path: 'file' },
    { type: 'File', path: 'dir', error: 'is not a file' },
    { type: 'File', path: 'missing', error: 'is not a file' },
    { type: 'Socket', path: 'sock' },
    { type: 'Socket', path: 'file', error: 'is not a socket file' },
    { type: 'CharDevice', path: '/dev/null' },
    { type: 'CharDevice', path: 'file', error: 'is not a character device' },
    { type: 'BlockDevice', path: 'file', error: 'is not a block device' },
    { type: 'DirectoryOrCreate', path: 'file', error: 'is not a directory' },
    { type: 'FileOrCreate', path: 'dir', error: 'is not a file' },
    { type: 'FileOrCreate', path: 'no-parent/f', error: 'ENOENT' },
  ];
  for (const c of cases) {
    it(`${c.type || '""'} on ${c.path} ${c.error ? `fails: ${c.error}` : 'passes'}`, async () => {
      const p = c.path.startsWith('/') ? c.path : join(root, c.path);
      if (c.error) {
        await assert.rejects(checkHostPathType(p, c.type), (e: Error) => {
          assert.ok(e.message.includes(c.error!), e.message);
          if (c.error !== 'ENOENT') assert.equal(e.message, `hostPath type check failed: ${p} ${c.error}`);
          return true;
        });
      } else {
        await checkHostPathType(p, c.type);
      }
    });
  }

  it('creates a missing directory (0755) and a missing file (0644)', async () => {
    const d = join(root, 'made', 'deep');
    await checkHostPathType(d, 'DirectoryOrCreate');
    assert.equal((await stat(d)).mode & 0o7777, 0o755 & ~process.umask());
    const f = join(root, 'made', 'f');
    await checkHostPathType(f, 'FileOrCreate');
    const st = await stat(f);
    assert.ok(st.isFile());
    assert.equal(st.mode & 0o777, 0o644 & ~process.umask());
  });
});
