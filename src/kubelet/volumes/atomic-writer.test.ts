import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validatePayloadPath, writeAtomically, type Payload } from './atomic-writer.js';

const payload = (files: Record<string, string | [string, number]>): Payload =>
  new Map(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? { data: Buffer.from(v), mode: 0o644 } : { data: Buffer.from(v[0]), mode: v[1] }]));

describe('writeAtomically', () => {
  let root: string;
  before(async () => { root = await mkdtemp(join(tmpdir(), 'kite-atomic-')); });
  after(async () => { await rm(root, { recursive: true, force: true }); });

  it('writes files into a timestamped directory behind ..data with user-visible symlinks', async () => {
    const dir = join(root, 'first');
    const changed = await writeAtomically(dir, payload({ a: 'A', 'sub/b': ['B', 0o600] }), Date.UTC(2024, 0, 2, 3, 4, 5));
    assert.equal(changed, true);
    const data = await readlink(join(dir, '..data'));
    assert.match(data, /^\.\.2024_01_02_03_04_05\./);
    assert.equal(await readlink(join(dir, 'a')), join('..data', 'a'));
    assert.equal(await readlink(join(dir, 'sub')), join('..data', 'sub'));
    assert.equal(await readFile(join(dir, 'a'), 'utf8'), 'A');
    assert.equal(await readFile(join(dir, 'sub', 'b'), 'utf8'), 'B');
    assert.equal((await stat(join(dir, 'sub', 'b'))).mode & 0o777, 0o600);
  });

  it('swaps contents on update, drops removed keys and the old data directory', async () => {
    const dir = join(root, 'update');
    await writeAtomically(dir, payload({ a: 'one', gone: 'x' }), 1000);
    const before = await readlink(join(dir, '..data'));
    assert.equal(await writeAtomically(dir, payload({ a: 'two', added: 'y' }), 2000), true);
    const after = await readlink(join(dir, '..data'));
    assert.notEqual(after, before);
    assert.equal(await readFile(join(dir, 'a'), 'utf8'), 'two');
    assert.equal(await readFile(join(dir, 'added'), 'utf8'), 'y');
    const entries = (await readdir(dir)).sort();
    assert.deepEqual(entries, ['..data', after, 'a', 'added'].sort());
  });

  it('leaves an unchanged payload alone, but rewrites on a mode change', async () => {
    const dir = join(root, 'same');
    await writeAtomically(dir, payload({ a: 'A' }), 1000);
    assert.equal(await writeAtomically(dir, payload({ a: 'A' }), 2000), false);
    assert.equal(await writeAtomically(dir, payload({ a: ['A', 0o400] }), 3000), true);
    assert.equal((await stat(join(dir, 'a'))).mode & 0o777, 0o400);
  });

  it('rejects paths that could leave the volume', () => {
    for (const bad of ['/etc/passwd', '../x', 'a/../../b', '..data', '']) assert.throws(() => validatePayloadPath(bad), /invalid path/, bad);
    validatePayloadPath('a/b.c');
  });
});
