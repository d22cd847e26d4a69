import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createLogger } from '../apimachinery/log.js';
import { MemoryBackend } from '../storage/memory/memory.js';
import type { Backend } from '../storage/backend.js';
import type { ApiServerInstance, ApiServerOptions, ServerComponents } from './components.js';
import { parseServerFlags } from './flags.js';
import { runServer } from './server.js';

class RecordingBackend extends MemoryBackend {
  wasStarted = false;
  wasClosed = false;
  override async start() { this.wasStarted = true; }
  override async close() { this.wasClosed = true; await super.close(); }
}

/** Stands in for the API server: records what it was given and stops when the signal aborts. */
class FakeApiServer implements ApiServerInstance {
  static last: FakeApiServer | undefined;
  static kubeconfigPath = '';
  kubeconfigExistedAtStart = false;
  stopped: Promise<void>;
  private resolveStopped!: () => void;
  constructor(readonly opts: ApiServerOptions) {
    FakeApiServer.last = this;
    this.stopped = new Promise((r) => { this.resolveStopped = r; });
  }
  async start(signal: AbortSignal) {
    this.kubeconfigExistedAtStart = existsSync(FakeApiServer.kubeconfigPath);
    signal.addEventListener('abort', () => setImmediate(() => this.resolveStopped()), { once: true });
  }
  address() { return { address: this.opts.bindAddress, port: this.opts.port === 0 ? 40123 : this.opts.port }; }
}

async function setup(t: { after(fn: () => Promise<void>): void }, raw: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'kite-server-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  const flags = parseServerFlags({ dataDir, port: '16443', logFormat: 'text', ...raw }, { uid: 1000, home: dir, cwd: dir, isTTY: false });
  const lines: string[] = [];
  const logger = createLogger({ sink: { write: (l) => lines.push(l) }, human: true });
  const backend = new RecordingBackend();
  let datastoreSeen: unknown;
  const components: ServerComponents = {
    async createBackend(ds) { datastoreSeen = ds; return backend as Backend; },
    async loadApiServer() { return FakeApiServer; },
  };
  FakeApiServer.kubeconfigPath = join(dataDir, 'kubeconfig.yaml');
  FakeApiServer.last = undefined;
  return { dataDir, flags, lines, logger, backend, components, datastoreSeen: () => datastoreSeen };
}

test('runServer starts storage, certificates and the API server, then stops on abort', async (t) => {
  const s = await setup(t);
  const controller = new AbortController();
  const run = runServer(s.flags, { signal: controller.signal, logger: s.logger, hostnames: ['node-a'], ips: ['10.4.4.4'], components: s.components });

  // Wait for the ready line, then stop.
  while (!s.lines.some((l) => l.includes('kubectl get ns'))) await new Promise((r) => setTimeout(r, 5));
  const api = FakeApiServer.last!;
  assert.equal(s.backend.wasStarted, true);
  assert.equal(api.opts.backend, s.backend);
  assert.equal(api.opts.port, 16443);
  assert.equal(api.opts.bindAddress, '0.0.0.0');
  assert.equal(api.kubeconfigExistedAtStart, true, 'kubeconfig is written before the server starts');
  assert.deepEqual(s.datastoreSeen(), { driver: 'sqlite', path: join(s.dataDir, 'db', 'state.db') });

  const ca = new X509Certificate(api.opts.tls.clientCA);
  const serving = new X509Certificate(api.opts.tls.cert);
  assert.ok(serving.verify(ca.publicKey));
  assert.equal(serving.checkIP('10.4.4.4'), '10.4.4.4');
  assert.ok(serving.subjectAltName?.includes('DNS:node-a'));

  const kubeconfigPath = join(s.dataDir, 'kubeconfig.yaml');
  const kubeconfig = parse(await readFile(kubeconfigPath, 'utf8'));
  assert.equal(kubeconfig.clusters[0].cluster.server, 'https://127.0.0.1:16443');
  assert.equal((await stat(kubeconfigPath)).mode & 0o777, 0o600);
  assert.equal((await stat(s.dataDir)).mode & 0o777, 0o700);

  const text = s.lines.join('');
  assert.match(text, new RegExp(`storage: sqlite at ${join(s.dataDir, 'db', 'state.db')} \\(revision 0\\)`));
  assert.match(text, /apiserver: listening on https:\/\/0\.0\.0\.0:16443/);
  assert.ok(text.includes(`export KUBECONFIG=${kubeconfigPath}; kubectl get ns`));

  controller.abort();
  assert.equal(await run, 0);
  assert.equal(s.backend.wasClosed, true);
  assert.match(s.lines.at(-1)!, /stopped/);
});

test('runServer with port 0 writes the kubeconfig for the port the server got', async (t) => {
  const s = await setup(t, { port: '0', bindAddress: '::1', advertiseAddress: '192.0.2.10' });
  const controller = new AbortController();
  const run = runServer(s.flags, { signal: controller.signal, logger: s.logger, hostnames: [], ips: [], components: s.components });
  while (!s.lines.some((l) => l.includes('kubectl get ns'))) await new Promise((r) => setTimeout(r, 5));
  const kubeconfig = parse(await readFile(join(s.dataDir, 'kubeconfig.yaml'), 'utf8'));
  assert.equal(kubeconfig.clusters[0].cluster.server, 'https://[::1]:40123');
  assert.equal(new X509Certificate(FakeApiServer.last!.opts.tls.cert).checkIP('192.0.2.10'), '192.0.2.10');
  controller.abort();
  assert.equal(await run, 0);
});

test('runServer returns 1 and closes storage when the API server fails to start', async (t) => {
  const s = await setup(t);
  class FailingApiServer extends FakeApiServer {
    override async start(): Promise<void> { throw new Error('listen EADDRINUSE: address already in use 0.0.0.0:16443'); }
  }
  s.components.loadApiServer = async () => FailingApiServer;
  const code = await runServer(s.flags, { signal: new AbortController().signal, logger: s.logger, hostnames: [], ips: [], components: s.components });
  assert.equal(code, 1);
  assert.equal(s.backend.wasClosed, true);
  assert.match(s.lines.join(''), /ERROR apiserver: failed to start: listen EADDRINUSE/);
});

test('runServer returns 1 when storage cannot start', async (t) => {
  const s = await setup(t);
  s.components.createBackend = async () => { throw new Error('database is locked'); };
  const code = await runServer(s.flags, { signal: new AbortController().signal, logger: s.logger, hostnames: [], ips: [], components: s.components });
  assert.equal(code, 1);
  assert.match(s.lines.join(''), /ERROR storage: failed to start: database is locked/);
  assert.equal(FakeApiServer.last, undefined, 'no API server without storage');
});

test('runServer stops cleanly when the signal aborts during start-up', async (t) => {
  const s = await setup(t);
  const controller = new AbortController();
  controller.abort();
  const code = await runServer(s.flags, { signal: controller.signal, logger: s.logger, hostnames: [], ips: [], components: s.components });
  assert.equal(code, 0);
  assert.equal(s.backend.wasClosed, true);
  assert.equal(FakeApiServer.last, undefined);
});

test('runServer gives up on storage that never starts once the signal aborts', async (t) => {
  const s = await setup(t);
  s.components.createBackend = async () => new Promise<Backend>(() => { /* an etcd that never answers */ });
  const controller = new AbortController();
  const run = runServer(s.flags, { signal: controller.signal, logger: s.logger, hostnames: [], ips: [], components: s.components });
  await new Promise((r) => setTimeout(r, 50));
  const abortedAt = Date.now();
  controller.abort();
  assert.equal(await run, 0);
  const waited = Date.now() - abortedAt;
  assert.ok(waited >= 1900 && waited < 5000, `gave up after ${waited} ms`);
  assert.match(s.lines.join(''), /stopped before storage was ready/);
  assert.equal(FakeApiServer.last, undefined);
});
