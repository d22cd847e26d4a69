// The proxier against the real kernel, inside network namespaces this test makes: a "node"
// namespace holding the proxy's table, a bridge to two endpoint namespaces running busybox httpd,
// and a client namespace routed through the node. Nothing touches the host's own network.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../apiserver/testing/fixture.js';
import { realClock } from '../apimachinery/clock.js';
import { createInformerFactory } from '../client/informers.js';
import { ApiClient } from '../client/rest.js';
import { inProcessTransport } from '../client/transport.js';
import { Proxier } from './proxier.js';

type Obj = any;

const skip = process.getuid?.() !== 0 ? 'needs root (network namespaces and nftables)'
  : !existsSync('/usr/sbin/nft') ? 'needs /usr/sbin/nft'
  : !existsSync('/usr/bin/busybox') ? 'needs /usr/bin/busybox'
  : false;

const suffix = Math.random().toString(36).slice(2, 7);
const NS = { node: `kpn-${suffix}`, client: `kpc-${suffix}`, ep1: `kpe1-${suffix}`, ep2: `kpe2-${suffix}` };

function sh(...argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** One HTTP GET from inside namespace `ns`: the body, or the error text. */
function fetchIn(ns: string, url: string): { ok: boolean; text: string } {
  // busybox 1.35's wget crashes with -q or -T here, so the time limit is spawnSync's.
  const r = spawnSync('ip', ['netns', 'exec', ns, 'busybox', 'wget', '-O-', url], { encoding: 'utf8', timeout: 3000, killSignal: 'SIGKILL' });
  return { ok: r.status === 0, text: r.status === 0 ? r.stdout.trim() : r.stderr.trim() };
}

async function poll<T>(what: string, fn: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('proxier in network namespaces', { skip }, () => {
  let s: TestServer;
  let client: ApiClient;
  let dir = '';
  const servers: ChildProcess[] = [];
  const made: string[] = [];
  const abort = new AbortController();
  let proxier: Proxier;
  let running: Promise<void> | undefined;
  let clusterIP = '';
  let nodePort = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kite-proxy-'));
    for (const ns of Object.values(NS)) { sh('ip', 'netns', 'add', ns); made.push(ns); }
    const n = NS.node;
    sh('ip', '-n', n, 'link', 'set', 'lo', 'up');
    sh('ip', 'netns', 'exec', n, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    sh('ip', '-n', n, 'link', 'add', 'br0', 'type', 'bridge');
    sh('ip', '-n', n, 'addr', 'add', '10.200.0.1/24', 'dev', 'br0');
    sh('ip', '-n', n, 'link', 'set', 'br0', 'up');
    // A real node routes the service range somewhere (its default route); without a route the
    // kernel drops packets to a Service before the forward hook could reject them.
    sh('ip', '-n', n, 'route', 'add', '10.43.0.0/16', 'dev', 'br0');
    for (const [i, ns] of [[1, NS.ep1], [2, NS.ep2]] as const) {
      sh('ip', '-n', n, 'link', 'add', `ve${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      sh('ip', '-n', n, 'link', 'set', `ve${i}`, 'master', 'br0', 'up');
      // As the CNI bridge plugin's hairpinMode: a pod reaching a Service that lands on itself.
      sh('ip', '-n', n, 'link', 'set', `ve${i}`, 'type', 'bridge_slave', 'hairpin', 'on');
      sh('ip', '-n', ns, 'addr', 'add', `10.200.0.1${i}/24`, 'dev', 'eth0');
      sh('ip', '-n', ns, 'link', 'set', 'eth0', 'up');
      sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
      sh('ip', '-n', ns, 'route', 'add', 'default', 'via', '10.200.0.1');
      const home = join(dir, `ep${i}`);
      sh('mkdir', '-p', home);
      writeFileSync(join(home, 'index.html'), `ep${i}\n`);
      servers.push(spawn('ip', ['netns', 'exec', ns, 'busybox', 'httpd', '-f', '-p', '8080', '-h', home], { stdio: 'ignore' }));
    }
    sh('ip', '-n', n, 'link', 'add', 'vc', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS.client);
    sh('ip', '-n', n, 'addr', 'add', '10.200.1.1/24', 'dev', 'vc');
    sh('ip', '-n', n, 'link', 'set', 'vc', 'up');
    sh('ip', '-n', NS.client, 'addr', 'add', '10.200.1.2/24', 'dev', 'eth0');
    sh('ip', '-n', NS.client, 'link', 'set', 'eth0', 'up');
    sh('ip', '-n', NS.client, 'route', 'add', 'default', 'via', '10.200.1.1');
    await poll('the endpoints\' servers', () => (fetchIn(NS.node, 'http://10.200.0.11:8080/').ok && fetchIn(NS.node, 'http://10.200.0.12:8080/').ok ? true : undefined));

    s = await startTestServer();
    client = new ApiClient(inProcessTransport(() => s.server.connectInProcess({ name: 'admin', groups: ['system:masters'] })));
    const svc = await client.kind<Obj>('v1', 'Service').create('default', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
      spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
    });
    clusterIP = svc.spec.clusterIP;
    nodePort = svc.spec.ports[0].nodePort;
    await client.kind<Obj>('discovery.k8s.io/v1', 'EndpointSlice').create('default', {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [{ addresses: ['10.200.0.11'], nodeName: 'n1' }, { addresses: ['10.200.0.12'], nodeName: 'n1' }],
    });
    const informers = createInformerFactory(client, { clock: realClock });
    proxier = new Proxier({
      informers, nodeName: 'n1', nodeIPs: ['10.200.1.1', '10.200.0.1'], clusterCIDR: '10.200.0.0/24',
      nftCommand: ['ip', 'netns', 'exec', n, 'nft'],
    });
    running = proxier.start(abort.signal);
    await proxier.ready;
  });

  after(async () => {
    abort.abort();
    await running;
    for (const p of servers) if (p.pid) { try { process.kill(p.pid); } catch { /* already gone */ } }
    for (const ns of made) spawnSync('ip', ['netns', 'del', ns]);
    client?.close();
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('spreads connections to the ClusterIP over both endpoints', async () => {
    const seen = new Set<string>();
    await poll('both endpoints behind the ClusterIP', () => {
      const r = fetchIn(NS.client, `http://${clusterIP}/`);
      if (r.ok) seen.add(r.text);
      return seen.size === 2 ? true : undefined;
    }, 20_000);
    assert.deepEqual([...seen].sort(), ['ep1', 'ep2']);
  });

  it('reaches the Service on the NodePort of a node address', () => {
    const r = fetchIn(NS.client, `http://10.200.1.1:${nodePort}/`);
    assert.ok(r.ok, r.text);
    assert.match(r.text, /^ep[12]$/);
  });

  it('lets an endpoint reach the Service when it lands on itself (hairpin)', async () => {
    await poll('ep1 reaching itself through the ClusterIP', () => (fetchIn(NS.ep1, `http://${clusterIP}/`).text === 'ep1' ? true : undefined), 20_000);
  });

  it('rejects connections to the ClusterIP once the Service has no endpoints', async () => {
    const slices = client.kind<Obj>('discovery.k8s.io/v1', 'EndpointSlice');
    const slice = await slices.get('default', 'web-1');
    await slices.update('default', { ...slice, endpoints: [] });
    const text = await poll('a refused connection', () => {
      const r = fetchIn(NS.client, `http://${clusterIP}/`);
      return !r.ok && /refused/i.test(r.text) ? r.text : undefined;
    });
    assert.match(text, /refused/i);
  });

  it('deletes its table when stopped', async () => {
    abort.abort();
    await running;
    const r = spawnSync('ip', ['netns', 'exec', NS.node, 'nft', 'list', 'table', 'ip', 'kite-proxy'], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
  });
});
