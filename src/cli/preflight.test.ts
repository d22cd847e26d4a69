import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  POLICY_RC_D, decidePreflight, gccRequirement, hostRequirements, installCommand, isDebianLike, missingRequirements,
  packagesFor, runPreflight, runtimeRequirements, type PreflightHost,
} from './preflight.js';

const allFiles = [...runtimeRequirements, ...hostRequirements, gccRequirement].map((r) => r.path);

interface FakeHost extends PreflightHost {
  files: Set<string>;
  commands: string[];
  printed: string[];
  policyPresentDuringInstall?: boolean;
}

/** A machine with `files`; apt-get "installs" by adding every requirement's file (unless told to fail). */
function fakeHost(opts: { uid?: number; files?: string[]; osRelease?: string; aptFails?: 'update' | 'install'; installAdds?: string[] } = {}): FakeHost {
  const files = new Set(opts.files ?? []);
  const host: FakeHost = {
    uid: opts.uid ?? 0,
    files,
    commands: [],
    printed: [],
    exists: (p) => files.has(p),
    readFile: (p) => (p === '/etc/os-release' ? opts.osRelease : undefined),
    writeFile: (p) => { files.add(p); },
    remove: (p) => { files.delete(p); },
    async run(cmd, args, env) {
      host.commands.push([env?.DEBIAN_FRONTEND ? `DEBIAN_FRONTEND=${env.DEBIAN_FRONTEND}` : '', cmd, ...args].filter(Boolean).join(' '));
      if (cmd === 'apt-get' && args[0] === 'update') return opts.aptFails === 'update' ? 100 : 0;
      if (cmd === 'apt-get' && args[0] === 'install') {
        host.policyPresentDuringInstall = files.has(POLICY_RC_D);
        if (opts.aptFails === 'install') return 100;
        for (const f of opts.installAdds ?? allFiles) files.add(f);
      }
      return 0;
    },
    print: (line) => { host.printed.push(line); },
  };
  return host;
}

const debian = ['/etc/debian_version', '/usr/bin/apt-get'];

test('decidePreflight: the table of root, missing files and apt', () => {
  const some = [runtimeRequirements[0]!];
  const cases: Array<{ name: string; uid: number | undefined; missing: typeof some; apt: boolean; action: string }> = [
    { name: 'not root, nothing missing', uid: 1000, missing: [], apt: true, action: 'not-root' },
    { name: 'not root, something missing', uid: 1000, missing: some, apt: true, action: 'not-root' },
    { name: 'no uids at all', uid: undefined, missing: [], apt: false, action: 'not-root' },
    { name: 'root, nothing missing', uid: 0, missing: [], apt: false, action: 'ready' },
    { name: 'root, missing, Debian with apt-get', uid: 0, missing: some, apt: true, action: 'install' },
    { name: 'root, missing, no apt', uid: 0, missing: some, apt: false, action: 'manual' },
  ];
  for (const c of cases) assert.equal(decidePreflight(c).action, c.action, c.name);
});

test('decidePreflight without apt names the files and the exact command', () => {
  const d = decidePreflight({ uid: 0, missing: [runtimeRequirements[1]!], apt: false });
  assert.equal(d.action, 'manual');
  if (d.action !== 'manual') return;
  assert.equal(d.command, 'apt-get install -y --no-install-recommends containerd runc containernetworking-plugins busybox-static iptables nftables');
  assert.match(d.message, /missing \/usr\/sbin\/runc/);
});

test('requirements: the runtime only with our own containerd, gcc only while the pause image is not built', () => {
  const none = fakeHost({ files: [] });
  assert.deepEqual(missingRequirements(none, {}).map((r) => r.pkg),
    ['containerd', 'runc', 'containernetworking-plugins', 'containernetworking-plugins', 'containernetworking-plugins', 'containernetworking-plugins', 'busybox-static', 'iptables', 'nftables']);
  assert.deepEqual(missingRequirements(none, { externalRuntime: true }).map((r) => r.path), ['/bin/busybox', '/usr/sbin/iptables', '/usr/sbin/nft']);
  assert.ok(missingRequirements(none, { needGcc: true }).some((r) => r.pkg === 'gcc'));
  assert.deepEqual(missingRequirements(fakeHost({ files: allFiles }), { needGcc: true }), []);
  assert.deepEqual(packagesFor([gccRequirement]), ['containerd', 'runc', 'containernetworking-plugins', 'busybox-static', 'iptables', 'nftables', 'gcc']);
  assert.equal(installCommand(['a', 'b']), 'apt-get install -y --no-install-recommends a b');
});

test('isDebianLike: debian_version, or ID / ID_LIKE naming debian', () => {
  assert.equal(isDebianLike(fakeHost({ files: ['/etc/debian_version'] })), true);
  assert.equal(isDebianLike(fakeHost({ osRelease: 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n' })), true);
  assert.equal(isDebianLike(fakeHost({ osRelease: 'ID=pop\nID_LIKE="ubuntu debian"\n' })), true);
  assert.equal(isDebianLike(fakeHost({ osRelease: 'ID=fedora\n' })), false);
  assert.equal(isDebianLike(fakeHost({ osRelease: 'ID=rhel\nID_LIKE="fedora"\n' })), false);
  assert.equal(isDebianLike(fakeHost({})), false);
});

test('runPreflight with everything present runs nothing', async () => {
  const host = fakeHost({ files: [...allFiles, ...debian] });
  assert.deepEqual(await runPreflight(host, { needGcc: true }), { ok: true });
  assert.deepEqual(host.commands, []);
});

test('runPreflight as a user refuses without installing', async () => {
  const host = fakeHost({ uid: 1000, files: debian });
  const r = await runPreflight(host);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.message : '', /needs root/);
  assert.deepEqual(host.commands, []);
});

test('runPreflight as root on Debian installs, says so first, and keeps the containerd service off', async () => {
  const host = fakeHost({ files: [...debian, '/run/systemd/system'] });
  assert.deepEqual(await runPreflight(host, { needGcc: true }), { ok: true });
  assert.deepEqual(host.commands, [
    'DEBIAN_FRONTEND=noninteractive apt-get update',
    'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends containerd runc containernetworking-plugins busybox-static iptables nftables gcc',
    'systemctl disable --now containerd',
  ]);
  assert.match(host.printed[0]!, /^missing \/usr\/bin\/containerd, .*: installing them with apt-get update && apt-get install/);
  assert.equal(host.policyPresentDuringInstall, true, 'policy-rc.d forbids service starts during the install');
  assert.equal(host.files.has(POLICY_RC_D), false, 'and is removed afterwards');
});

test('runPreflight leaves an existing policy-rc.d alone and skips systemctl without systemd', async () => {
  const host = fakeHost({ files: [...debian, POLICY_RC_D] });
  assert.deepEqual(await runPreflight(host), { ok: true });
  assert.equal(host.files.has(POLICY_RC_D), true);
  assert.ok(!host.commands.some((c) => c.startsWith('systemctl')));
});

test('runPreflight reports a failed or incomplete install with the command to run', async () => {
  const cases: Array<[{ aptFails?: 'update' | 'install'; installAdds?: string[] }, RegExp]> = [
    [{ aptFails: 'update' }, /apt-get update failed/],
    [{ aptFails: 'install' }, /apt-get install exited with 100/],
    [{ installAdds: ['/usr/bin/containerd'] }, /still missing after the install: \/usr\/sbin\/runc/],
  ];
  for (const [opts, reason] of cases) {
    const host = fakeHost({ files: debian, ...opts });
    const r = await runPreflight(host);
    assert.equal(r.ok, false);
    const message = !r.ok ? r.message : '';
    assert.match(message, reason);
    assert.match(message, /apt-get install -y --no-install-recommends containerd runc/);
    assert.equal(host.files.has(POLICY_RC_D), false);
  }
});

test('runPreflight off Debian runs nothing and answers the command to run', async () => {
  const host = fakeHost({ osRelease: 'ID=fedora\n' });
  const r = await runPreflight(host);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.message : '', /on Debian\/Ubuntu: apt-get install -y --no-install-recommends/);
  assert.deepEqual(host.commands, []);
});
