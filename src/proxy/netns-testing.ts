// For the proxier's root tests: a "node" network namespace with a bridge to two endpoint
// namespaces running busybox httpd (answering "ep1" and "ep2" on port 8080), and a client
// namespace routed through the node. Nothing touches the host's own network; close() removes
// the servers (by PID), the namespaces and the files. itServesTheService holds the checks both
// kernel modes share.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';

/** The node's address on the client link, and its address on the endpoints' bridge. */
export const NODE_IPS = ['10.200.1.1', '10.200.0.1'];
export const ENDPOINT_IPS = ['10.200.0.11', '10.200.0.12'];
/** The endpoints' network, standing in for the cluster CIDR. */
export const POD_CIDR = '10.200.0.0/24';

/** Why a root network test cannot run here, or false. */
export function netnsSkipReason(needs: { binary: string; path: string }): string | false {
  if (process.getuid?.() !== 0) return `needs root (network namespaces and ${needs.binary})`;
  if (!existsSync(needs.path)) return `needs ${needs.path}`;
  if (!existsSync('/usr/bin/busybox')) return 'needs /usr/bin/busybox';
  return false;
}

export function sh(...argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** One HTTP GET from inside namespace `ns`: the body, or the error text. */
export function fetchIn(ns: string, url: string): { ok: boolean; text: string } {
  // busybox 1.35's wget crashes with -q or -T here, so the time limit is spawnSync's.
  const r = spawnSync('ip', ['netns', 'exec', ns, 'busybox', 'wget', '-O-', url], { encoding: 'utf8', timeout: 3000, killSignal: 'SIGKILL' });
  return { ok: r.status === 0, text: r.status === 0 ? r.stdout.trim() : r.stderr.trim() };
}

export async function poll<T>(what: string, fn: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The checks every kernel mode passes on a NodePort Service over both endpoints: the ClusterIP
 * spreads connections, the NodePort answers, and an endpoint reaches itself (hairpin). `service` is
 * read when the checks run, after the suite's `before` has created the Service.
 */
export function itServesTheService(ns: NodeNetwork['ns'], service: () => { clusterIP: string; nodePort: number }): void {
  it('spreads connections to the ClusterIP over both endpoints', async () => {
    const seen = new Set<string>();
    await poll('both endpoints behind the ClusterIP', () => {
      const r = fetchIn(ns.client, `http://${service().clusterIP}/`);
      if (r.ok) seen.add(r.text);
      return seen.size === 2 ? true : undefined;
    }, 20_000);
    assert.deepEqual([...seen].sort(), ['ep1', 'ep2']);
  });

  it('reaches the Service on the NodePort of a node address', () => {
    const r = fetchIn(ns.client, `http://${NODE_IPS[0]}:${service().nodePort}/`);
    assert.ok(r.ok, r.text);
    assert.match(r.text, /^ep[12]$/);
  });

  it('lets an endpoint reach the Service when it lands on itself (hairpin)', async () => {
    await poll('ep1 reaching itself through the ClusterIP', () => (fetchIn(ns.ep1, `http://${service().clusterIP}/`).text === 'ep1' ? true : undefined), 20_000);
  });
}

export class NodeNetwork {
  readonly ns: { node: string; client: string; ep1: string; ep2: string };
  private readonly servers: ChildProcess[] = [];
  private readonly made: string[] = [];
  private dir = '';

  /** `tag` starts the namespaces' names, so that two suites never meet. */
  constructor(tag: string) {
    const suffix = Math.random().toString(36).slice(2, 7);
    this.ns = { node: `${tag}n-${suffix}`, client: `${tag}c-${suffix}`, ep1: `${tag}e1-${suffix}`, ep2: `${tag}e2-${suffix}` };
  }

  /** Builds the namespaces and starts the endpoints' servers; resolves once both answer. */
  async create(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'kite-proxy-'));
    const { node: n, client } = this.ns;
    for (const ns of Object.values(this.ns)) { sh('ip', 'netns', 'add', ns); this.made.push(ns); }
    sh('ip', '-n', n, 'link', 'set', 'lo', 'up');
    sh('ip', 'netns', 'exec', n, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    sh('ip', '-n', n, 'link', 'add', 'br0', 'type', 'bridge');
    sh('ip', '-n', n, 'addr', 'add', `${NODE_IPS[1]}/24`, 'dev', 'br0');
    sh('ip', '-n', n, 'link', 'set', 'br0', 'up');
    // A real node routes the service range somewhere (its default route); without a route the
    // kernel drops packets to a Service before the forward hook could reject them.
    sh('ip', '-n', n, 'route', 'add', '10.43.0.0/16', 'dev', 'br0');
    for (const [i, ns] of [[1, this.ns.ep1], [2, this.ns.ep2]] as const) {
      sh('ip', '-n', n, 'link', 'add', `ve${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      sh('ip', '-n', n, 'link', 'set', `ve${i}`, 'master', 'br0', 'up');
      // As the CNI bridge plugin's hairpinMode: a pod reaching a Service that lands on itself.
      sh('ip', '-n', n, 'link', 'set', `ve${i}`, 'type', 'bridge_slave', 'hairpin', 'on');
      sh('ip', '-n', ns, 'addr', 'add', `${ENDPOINT_IPS[i - 1]}/24`, 'dev', 'eth0');
      sh('ip', '-n', ns, 'link', 'set', 'eth0', 'up');
      sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
      sh('ip', '-n', ns, 'route', 'add', 'default', 'via', NODE_IPS[1]!);
      const home = join(this.dir, `ep${i}`);
      mkdirSync(home, { recursive: true });
      writeFileSync(join(home, 'index.html'), `ep${i}\n`);
      this.servers.push(spawn('ip', ['netns', 'exec', ns, 'busybox', 'httpd', '-f', '-p', '8080', '-h', home], { stdio: 'ignore' }));
    }
    sh('ip', '-n', n, 'link', 'add', 'vc', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', client);
    sh('ip', '-n', n, 'addr', 'add', `${NODE_IPS[0]}/24`, 'dev', 'vc');
    sh('ip', '-n', n, 'link', 'set', 'vc', 'up');
    sh('ip', '-n', client, 'addr', 'add', '10.200.1.2/24', 'dev', 'eth0');
    sh('ip', '-n', client, 'link', 'set', 'eth0', 'up');
    sh('ip', '-n', client, 'route', 'add', 'default', 'via', NODE_IPS[0]!);
    await poll('the endpoints\' servers', () => (ENDPOINT_IPS.every((ip) => fetchIn(n, `http://${ip}:8080/`).ok) ? true : undefined));
  }

  close(): void {
    for (const p of this.servers) if (p.pid) { try { process.kill(p.pid); } catch { /* already gone */ } }
    for (const ns of this.made) spawnSync('ip', ['netns', 'del', ns]);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
