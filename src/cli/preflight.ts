// The checks before a node agent starts: it must run as root, and containerd, runc, the CNI
// plugins, busybox, iptables (and gcc while the pause image is not built yet) must be installed.
// On Debian/Ubuntu as root the missing packages are installed with apt-get, saying so first and
// keeping Debian's own containerd service off (the agent runs its own); elsewhere the exact
// command is printed and the caller goes on without an agent. Everything the checks touch comes
// through `PreflightHost`, so the decisions are tested without running apt-get.

export interface Requirement {
  /** The file that shows it is installed. */
  path: string;
  /** The Debian package that provides it. */
  pkg: string;
}

/** What the agent needs when it runs its own containerd. */
export const runtimeRequirements: readonly Requirement[] = [
  { path: '/usr/bin/containerd', pkg: 'containerd' },
  { path: '/usr/sbin/runc', pkg: 'runc' },
  { path: '/usr/lib/cni/bridge', pkg: 'containernetworking-plugins' },
  { path: '/usr/lib/cni/host-local', pkg: 'containernetworking-plugins' },
  { path: '/usr/lib/cni/loopback', pkg: 'containernetworking-plugins' },
  { path: '/usr/lib/cni/portmap', pkg: 'containernetworking-plugins' },
];

/**
 * What the agent needs in every case: busybox for the standard images, iptables for host ports,
 * nft for the pod network's masquerade, the service proxy and NetworkPolicies.
 */
export const hostRequirements: readonly Requirement[] = [
  { path: '/bin/busybox', pkg: 'busybox-static' },
  { path: '/usr/sbin/iptables', pkg: 'iptables' },
  { path: '/usr/sbin/nft', pkg: 'nftables' },
];

/** Builds the pause image; needed only until its archive exists. */
export const gccRequirement: Requirement = { path: '/usr/bin/gcc', pkg: 'gcc' };

/** The packages the Quick start installs (apt-get skips those already present). */
export const agentPackages = ['containerd', 'runc', 'containernetworking-plugins', 'busybox-static', 'iptables', 'nftables'] as const;

export const POLICY_RC_D = '/usr/sbin/policy-rc.d';

export interface PreflightHost {
  /** `process.getuid()`; undefined where there are no uids. */
  uid: number | undefined;
  exists(path: string): boolean;
  /** The file's text, or undefined when it cannot be read. */
  readFile(path: string): string | undefined;
  writeFile(path: string, text: string, mode: number): void;
  remove(path: string): void;
  /** Runs a command with inherited output; resolves with its exit code. */
  run(command: string, args: string[], env?: Record<string, string>): Promise<number>;
  /** One line for the person watching (stdout of `kite`). */
  print(line: string): void;
}

export interface PreflightOptions {
  /** The agent uses a containerd of the host's (`--container-runtime-endpoint`): no containerd, runc or CNI needed. */
  externalRuntime?: boolean;
  /** The pause image's archive is not built yet, so gcc is needed. */
  needGcc?: boolean;
}

export type PreflightDecision =
  | { action: 'ready' }
  | { action: 'not-root'; message: string }
  | { action: 'install'; missing: Requirement[]; packages: string[] }
  | { action: 'manual'; missing: Requirement[]; command: string; message: string };

export interface PreflightFacts {
  uid: number | undefined;
  missing: Requirement[];
  /** Debian or a derivative (Ubuntu), with apt-get on the machine. */
  apt: boolean;
}

export function requiredFiles(opts: PreflightOptions): Requirement[] {
  return [
    ...(opts.externalRuntime ? [] : runtimeRequirements),
    ...hostRequirements,
    ...(opts.needGcc ? [gccRequirement] : []),
  ];
}

export function missingRequirements(host: Pick<PreflightHost, 'exists'>, opts: PreflightOptions): Requirement[] {
  return requiredFiles(opts).filter((r) => !host.exists(r.path));
}

/** Debian itself, or a distribution that says it is like Debian (Ubuntu, …). */
export function isDebianLike(host: Pick<PreflightHost, 'exists' | 'readFile'>): boolean {
  if (host.exists('/etc/debian_version')) return true;
  const osRelease = host.readFile('/etc/os-release') ?? '';
  for (const line of osRelease.split('\n')) {
    const m = /^(ID|ID_LIKE)=["']?([^"'\n]*)["']?\s*$/.exec(line.trim());
    if (m && m[2]!.split(/\s+/).includes('debian')) return true;
  }
  return false;
}

/** The packages that provide `missing`, each once, in the order of the install command. */
export function packagesFor(missing: Requirement[]): string[] {
  const wanted = new Set(missing.map((r) => r.pkg));
  const out: string[] = [...agentPackages];
  if (wanted.has(gccRequirement.pkg)) out.push(gccRequirement.pkg);
  for (const pkg of wanted) if (!out.includes(pkg)) out.push(pkg);
  return out;
}

export function installCommand(packages: string[]): string {
  return `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

function describe(missing: Requirement[]): string {
  return missing.map((r) => r.path).join(', ');
}

/** What to do, from the facts alone. */
export function decidePreflight(facts: PreflightFacts): PreflightDecision {
  if (facts.uid !== 0) {
    return {
      action: 'not-root',
      message: 'the node agent needs root (it runs containerd, mounts volumes and sets up pod networking); run as root to start it',
    };
  }
  if (facts.missing.length === 0) return { action: 'ready' };
  const packages = packagesFor(facts.missing);
  if (facts.apt) return { action: 'install', missing: facts.missing, packages };
  return {
    action: 'manual',
    missing: facts.missing,
    command: installCommand(packages),
    message: `missing ${describe(facts.missing)}; install the packages ${packages.join(' ')} (on Debian/Ubuntu: ${installCommand(packages)})`,
  };
}

export type PreflightResult = { ok: true } | { ok: false; message: string };

/**
 * Checks the host and, where the decision says so, installs what is missing. Resolves `ok` when
 * the agent can start; otherwise with the reason, for the caller to report.
 */
export async function runPreflight(host: PreflightHost, opts: PreflightOptions = {}): Promise<PreflightResult> {
  const missing = missingRequirements(host, opts);
  const apt = isDebianLike(host) && host.exists('/usr/bin/apt-get');
  const decision = decidePreflight({ uid: host.uid, missing, apt });
  switch (decision.action) {
    case 'ready':
      return { ok: true };
    case 'not-root':
      return { ok: false, message: decision.message };
    case 'manual':
      return { ok: false, message: decision.message };
    case 'install':
      return installPackages(host, decision, opts);
  }
}

async function installPackages(host: PreflightHost, decision: { missing: Requirement[]; packages: string[] }, opts: PreflightOptions): Promise<PreflightResult> {
  const command = installCommand(decision.packages);
  host.print(`missing ${describe(decision.missing)}: installing them with apt-get update && ${command}`);
  host.print('Debian\'s own containerd service is kept from starting: the agent runs a containerd of its own');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const failed = (what: string): PreflightResult => ({
    ok: false,
    message: `${what}; install the packages yourself (apt-get update && ${command}) and start again`,
  });
  if (await host.run('apt-get', ['update'], env) !== 0) return failed('apt-get update failed');
  // policy-rc.d answering 101 ("action forbidden") keeps the packages' services from starting.
  const addedPolicy = !host.exists(POLICY_RC_D);
  if (addedPolicy) host.writeFile(POLICY_RC_D, '#!/bin/sh\nexit 101\n', 0o755);
  let code: number;
  try {
    code = await host.run('apt-get', ['install', '-y', '--no-install-recommends', ...decision.packages], env);
  } finally {
    if (addedPolicy) host.remove(POLICY_RC_D);
  }
  if (code !== 0) return failed(`apt-get install exited with ${code}`);
  if (host.exists('/run/systemd/system')) {
    host.print('systemctl disable --now containerd (the agent runs a containerd of its own)');
    await host.run('systemctl', ['disable', '--now', 'containerd']);
  }
  const still = missingRequirements(host, opts);
  if (still.length > 0) return failed(`still missing after the install: ${describe(still)}`);
  host.print('installed');
  return { ok: true };
}

/** The machine this process runs on; commands write their output to our stderr. */
export async function processHost(print: (line: string) => void): Promise<PreflightHost> {
  const fs = await import('node:fs');
  const { spawn } = await import('node:child_process');
  return {
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
    exists: (path) => fs.existsSync(path),
    readFile: (path) => {
      try {
        return fs.readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    writeFile: (path, text, mode) => {
      fs.writeFileSync(path, text, { mode });
      fs.chmodSync(path, mode);
    },
    remove: (path) => fs.rmSync(path, { force: true }),
    run: (command, args, env) => new Promise((resolve) => {
      const child = spawn(command, args, { stdio: ['ignore', process.stderr, process.stderr], env: { ...process.env, ...env } });
      child.on('error', () => resolve(127));
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    }),
    print,
  };
}
