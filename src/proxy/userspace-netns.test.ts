// The userspace proxier against the real kernel, in a network namespace this test makes: a small
// script runs the proxier inside it (nsenter --net), with an endpoint server on the namespace's
// loopback; the ClusterIP must appear on the namespace's lo, answer TCP and UDP from inside the
// namespace, and be gone once the proxier stops. The host's own network is never touched.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root (the nearest folder with package.json), from src/proxy or from its compiled copy in dist/src/proxy. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
const repo = repoRoot();

const skip = process.getuid?.() !== 0 ? 'needs root (a network namespace and addresses on its lo)'
  : !existsSync('/usr/bin/nsenter') ? 'needs /usr/bin/nsenter'
  : false;

const NS = `kpu-${Math.random().toString(36).slice(2, 7)}`;
const CLUSTER_IP = `10.96.${1 + Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;

// Runs inside the namespace: an endpoint on 127.0.0.1, the proxier fed one Service by hand; reports
// on stdout and stops when told to on stdin.
const child = (file: (name: string) => string) => `
const { UserspaceProxier } = await import(${JSON.stringify(file('proxy/userspace.ts'))});
const t = await import(${JSON.stringify(file('proxy/userspace-testing.ts'))});
const { resourceForKind } = await import(${JSON.stringify(file('client/rest.ts'))});
await t.namedTcpServer('127.0.0.1', 9090, 'ep-a');
await t.namedUdpServer('127.0.0.1', 9090, 'ep-a');
const informers = new t.HandFedInformers();
informers.of(resourceForKind('v1', 'Service')).put(t.makeService('web', ${JSON.stringify(CLUSTER_IP)}, {
  ports: [{ name: 'p', port: 80, protocol: 'TCP' }, { name: 'u', port: 53, protocol: 'UDP' }],
}));
const slice = t.makeSlice('web', 9090, ['127.0.0.1']);
slice.ports.push({ name: 'u', port: 9090, protocol: 'UDP' });
informers.of(resourceForKind('discovery.k8s.io/v1', 'EndpointSlice')).put(slice);
const proxier = new UserspaceProxier({ informers, nodeName: 'n1' });
const abort = new AbortController();
const running = proxier.start(abort.signal);
await proxier.ready;
console.log('ready ' + JSON.stringify(proxier.stats()));
process.stdin.once('data', async () => {
  abort.abort();
  await running;
  console.log('stopped ' + JSON.stringify(proxier.stats()));
  process.exit(0);
});
`;

// A client inside the namespace: the endpoint's greeting over TCP, and one UDP answer.
const client = `
const net = require('node:net'), dgram = require('node:dgram');
const [ip] = process.argv.slice(1);
const s = net.connect(80, ip);
let buf = '';
s.setEncoding('utf8');
s.on('data', (d) => { buf += d; if (buf.includes('\\n')) { s.destroy(); udp(buf.trim()); } });
s.on('error', (e) => { console.log(JSON.stringify({ error: e.code })); process.exit(0); });
function udp(tcp) {
  const u = dgram.createSocket('udp4');
  const t = setTimeout(() => { console.log(JSON.stringify({ tcp })); process.exit(0); }, 2000);
  u.on('message', (m, r) => { clearTimeout(t); console.log(JSON.stringify({ tcp, udp: m.toString(), from: r.address + ':' + r.port })); process.exit(0); });
  u.send('hi', 53, ip);
}
`;

function sh(...argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const loAddresses = (): string => sh('ip', '-n', NS, '-o', '-4', 'addr', 'show', 'dev', 'lo');

describe('userspace proxier in a network namespace', { skip }, () => {
  let dir = '';
  let proc: ChildProcess | undefined;
  let out = '';
  let made = false;

  const line = (prefix: string, timeoutMs = 30_000): Promise<string> => new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const check = (): void => {
      const l = out.split('\n').find((x) => x.startsWith(`${prefix} `));
      if (l) return resolve(l.slice(prefix.length + 1));
      if (proc?.exitCode !== null || Date.now() > deadline) return reject(new Error(`no "${prefix}" line from the proxier: ${out}`));
      setTimeout(check, 50);
    };
    check();
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kite-userspace-'));
    sh('ip', 'netns', 'add', NS);
    made = true;
    sh('ip', '-n', NS, 'link', 'set', 'lo', 'up');
    const script = join(dir, 'proxier.mjs');
    writeFileSync(script, child((name) => pathToFileURL(join(repo, 'src', name)).href));
    proc = spawn('nsenter', [`--net=/run/netns/${NS}`, process.execPath, '--import', 'tsx', script], { cwd: repo, stdio: ['pipe', 'pipe', 'pipe'] });
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => { out += d; });
    await line('ready');
  });

  after(() => {
    if (proc?.pid && proc.exitCode === null) {
      try { process.kill(proc.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    if (made) spawnSync('ip', ['netns', 'del', NS]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('adds the ClusterIP to the namespace\'s lo, and not to the host', () => {
    assert.match(loAddresses(), new RegExp(`inet ${CLUSTER_IP.replaceAll('.', '\\.')}/32 .*lo:kp`));
    assert.ok(!sh('ip', '-o', '-4', 'addr', 'show').includes(`${CLUSTER_IP}/`));
  });

  it('reaches the endpoint through the ClusterIP over TCP and UDP from inside the namespace', () => {
    const r = spawnSync('nsenter', [`--net=/run/netns/${NS}`, process.execPath, '-e', client, CLUSTER_IP], { encoding: 'utf8', timeout: 10_000, killSignal: 'SIGKILL' });
    const got = JSON.parse(r.stdout.trim() || '{}');
    assert.deepEqual(got, { tcp: 'ep-a', udp: 'ep-a:hi', from: `${CLUSTER_IP}:53` }, r.stderr);
  });

  it('removes the ClusterIP when stopped', async () => {
    proc!.stdin!.write('stop\n');
    const stats = JSON.parse(await line('stopped'));
    assert.deepEqual(stats.addresses, []);
    assert.equal(stats.listeners, 0);
    assert.ok(!loAddresses().includes(CLUSTER_IP));
  });
});
