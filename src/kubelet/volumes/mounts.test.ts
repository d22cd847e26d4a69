import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container } from 'kubernetes-types/core/v1.js';
import { writeAtomically } from './atomic-writer.js';
import { containerMounts, expandSubPathExpr, expandVars, type VolumeInfo } from './mounts.js';

describe('expandVars', () => {
  const env: Record<string, string> = { POD: 'web-0', NS: 'prod' };
  const cases: [string, string][] = [
    ['$(POD)', 'web-0'],
    ['logs/$(NS)/$(POD)', 'logs/prod/web-0'],
    ['$$(POD)', '$(POD)'],
    ['$(MISSING)', '$(MISSING)'],
    ['a$b', 'a$b'],
    ['$(POD', '$(POD'],
    ['tail$', 'tail$'],
  ];
  for (const [input, want] of cases) it(`${input} → ${want}`, () => assert.equal(expandVars(input, (n) => env[n]), want));

  it('subPathExpr fails on a missing variable as the kubelet does', () => {
    assert.equal(expandSubPathExpr('$(POD)', env), 'web-0');
    assert.throws(() => expandSubPathExpr('$(A)/$(POD)/$(B)', env), { message: 'missing value for A, B' });
  });
});

describe('containerMounts', () => {
  let root: string;
  let volumes: Map<string, VolumeInfo>;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kite-mounts-'));
    await mkdir(join(root, 'data'), { mode: 0o750 });
    await writeAtomically(join(root, 'cm'), new Map([['app.conf', { data: Buffer.from('x'), mode: 0o644 }]]), 0);
    await symlink('/etc', join(root, 'data', 'escape'));
    volumes = new Map([
      ['data', { hostPath: join(root, 'data'), readOnly: false, kind: 'emptyDir' }],
      ['cm', { hostPath: join(root, 'cm'), readOnly: true, kind: 'configMap' }],
      ['host', { hostPath: '/var/log', readOnly: false, kind: 'hostPath' }],
    ]);
  });
  after(async () => { await rm(root, { recursive: true, force: true }); });

  const c = (mounts: Container['volumeMounts'], privileged = false): Container => ({ name: 'app', image: 'i', volumeMounts: mounts, securityContext: { privileged } });

  it('maps mounts to CRI mounts with read-only and propagation', async () => {
    const got = await containerMounts(c([
      { name: 'data', mountPath: '/data' },
      { name: 'cm', mountPath: '/etc/app' },
      { name: 'host', mountPath: '/host', readOnly: true, mountPropagation: 'HostToContainer' },
    ]), volumes);
    assert.deepEqual(got, [
      { containerPath: '/data', hostPath: join(root, 'data'), readonly: false, propagation: 'PROPAGATION_PRIVATE' },
      { containerPath: '/etc/app', hostPath: join(root, 'cm'), readonly: true, propagation: 'PROPAGATION_PRIVATE' },
      { containerPath: '/host', hostPath: '/var/log', readonly: true, propagation: 'PROPAGATION_HOST_TO_CONTAINER' },
    ]);
  });

  it('creates a missing subPath directory with the volume directory mode', async () => {
    const [m] = await containerMounts(c([{ name: 'data', mountPath: '/d', subPath: 'a/b' }]), volumes);
    assert.equal(m!.hostPath, join(await realpath(join(root, 'data')), 'a', 'b'));
    assert.equal((await stat(m!.hostPath)).mode & 0o777, 0o750 & ~process.umask());
  });

  it('resolves a configMap key subPath to its file and subPathExpr from the environment', async () => {
    const [m] = await containerMounts(c([{ name: 'cm', mountPath: '/etc/app.conf', subPath: 'app.conf' }]), volumes);
    assert.match(m!.hostPath, /\/cm\/\.\.\d{4}_.*\/app\.conf$/);
    assert.equal(m!.readonly, true);
    const [e] = await containerMounts(c([{ name: 'data', mountPath: '/logs', subPathExpr: 'logs/$(POD_NAME)' }]), volumes, { POD_NAME: 'web-0' });
    assert.equal(e!.hostPath, join(await realpath(join(root, 'data')), 'logs', 'web-0'));
  });

  const bad: { name: string; mounts: Container['volumeMounts']; privileged?: boolean; error: RegExp }[] = [
    { name: 'absolute subPath', mounts: [{ name: 'data', mountPath: '/d', subPath: '/etc' }], error: /must not be an absolute path/ },
    { name: 'backsteps', mounts: [{ name: 'data', mountPath: '/d', subPath: 'a/../../x' }], error: /must not contain '\.\.'/ },
    { name: 'symlink escape', mounts: [{ name: 'data', mountPath: '/d', subPath: 'escape' }], error: /not within volume path/ },
    { name: 'unknown volume', mounts: [{ name: 'nope', mountPath: '/d' }], error: /cannot find volume "nope"/ },
    { name: 'Bidirectional unprivileged', mounts: [{ name: 'host', mountPath: '/h', mountPropagation: 'Bidirectional' }], error: /only to privileged containers/ },
  ];
  for (const b of bad) it(`rejects ${b.name}`, async () => { await assert.rejects(containerMounts(c(b.mounts, b.privileged), volumes), b.error); });

  it('allows Bidirectional for privileged containers', async () => {
    const [m] = await containerMounts(c([{ name: 'host', mountPath: '/h', mountPropagation: 'Bidirectional' }], true), volumes);
    assert.equal(m!.propagation, 'PROPAGATION_BIDIRECTIONAL');
  });
});
