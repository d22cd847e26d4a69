// Streaming for real: the API server's logs, exec and port-forward reach a Kubelet on its own
// containerd, whose CRI streaming server (Go's SPDY) answers the API server's translation, and the
// real kubectl drives them. Needs root, Debian's containerd, the CNI plugins, busybox-static and
// kubectl; skipped otherwise.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { WebSocket } from 'ws';
import { startTestServer } from '../../apiserver/testing/fixture.js';
import { configureKubeletClient } from '../../apiserver/streaming/kubelet-client.js';
import { renderKubeconfig } from '../../apiserver/pki/index.js';
import { realClock } from '../../apimachinery/clock.js';
import { silentLogger } from '../../apimachinery/log.js';
import { ApiClient } from '../../client/rest.js';
import { inProcessTransport } from '../../client/transport.js';
import { connectCri } from '../cri/client.js';
import { Kubelet } from '../kubelet.js';
import { HTTPD_IMAGE } from '../paths.js';

const run = promisify(execFile);
const skip = !existsSync('/usr/bin/containerd') ? '/usr/bin/containerd is missing'
  : process.getuid?.() !== 0 ? 'needs root'
  : !existsSync('/usr/lib/cni/bridge') ? 'the CNI plugins (/usr/lib/cni) are missing'
  : !existsSync('/bin/busybox') ? '/bin/busybox is missing'
  : !existsSync('/usr/bin/kubectl') ? '/usr/bin/kubectl is missing' : false;

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = any;

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function mountsUnder(path: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(path));
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

test('logs, exec and port-forward reach a container on containerd through the API server', { skip, timeout: 300_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kite-streaming-'));
  const rand = Math.floor(Math.random() * 250) + 1;
  const bridge = `ks${Math.random().toString(36).slice(2, 10)}`;
  const server = await startTestServer();
  const pki = server.pki;
  configureKubeletClient(server.server.registry, { cert: pki.adminCert, key: pki.adminKey });
  const client = new ApiClient(inProcessTransport(() => server.server.connectInProcess({ name: 'system:node:ks-node', groups: ['system:masters'] })));
  const kubeletPort = await freePort();
  const kubelet = new Kubelet({
    client, clock: realClock, logger: silentLogger, nodeName: 'ks-node', nodeIP: '127.0.0.1', dataDir: dir,
    cniBridge: bridge, podCIDR: `10.89.${rand}.0/24`,
    serving: { cert: pki.servingCert, key: pki.servingKey, clientCA: pki.caCert, port: kubeletPort, host: '127.0.0.1' },
  });
  const ac = new AbortController();
  const running = kubelet.start(ac.signal);
  const socket = kubelet.paths.containerd.socket;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig({ server: `https://127.0.0.1:${server.port}`, caCert: pki.caCert, clientCert: pki.adminCert, clientKey: pki.adminKey }));
  const kubectl = (args: string[], input = '', env: Record<string, string> = {}) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input);
  });

  t.after(async () => {
    if (existsSync(socket)) {
      const cri = connectCri(`unix://${socket}`, { defaultTimeoutMs: 30_000 });
      for (const sb of (await cri.runtime.listPodSandbox({}).catch(() => ({ items: [] }))).items) {
        await cri.runtime.stopPodSandbox({ podSandboxId: sb.id }).catch(() => {});
        await cri.runtime.removePodSandbox({ podSandboxId: sb.id }).catch(() => {});
      }
      cri.close();
    }
    ac.abort();
    await running.catch(() => {});
    client.close();
    await server.close();
    if (existsSync(`/sys/class/net/${bridge}`)) await run('ip', ['link', 'del', bridge]).catch(() => {});
    for (const m of (await mountsUnder(dir)).reverse()) await run('umount', ['-l', m]).catch(() => {});
    if ((await mountsUnder(dir)).length === 0) await rm(dir, { recursive: true, force: true });
  });

  await kubelet.ready;
  const pods = client.kind<Obj>('v1', 'Pod');
  await pods.create('default', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' },
    spec: {
      nodeName: 'ks-node', terminationGracePeriodSeconds: 1,
      containers: [{ name: 'web', image: HTTPD_IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', 'echo hello from kite; exec httpd -f -p 80 -h /www'] }],
    },
  });
  await waitFor('the pod to run', async () => (await pods.get('default', 'web')).status?.phase === 'Running');

  await t.test('kubectl logs', async () => {
    const r = await waitFor('the log line', async () => {
      const x = await kubectl(['logs', 'web']);
      return x.stdout.includes('hello from kite') && x;
    }, 20_000);
    assert.equal(r.stdout, 'hello from kite\n');
  });

  await t.test('kubectl logs -f shows lines written while it follows', async () => {
    const child = spawn('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, 'logs', '-f', 'web'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      await waitFor('the existing line', async () => out.includes('hello from kite'), 20_000);
      const w = await kubectl(['exec', 'web', '--', 'sh', '-c', 'echo followed line > /proc/1/fd/1']);
      assert.equal(w.code, 0, w.stderr);
      await waitFor('the followed line', async () => out.includes('followed line\n'), 20_000);
      assert.equal(out, 'hello from kite\nfollowed line\n');
    } finally {
      if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
    }
  });

  await t.test('kubectl exec carries stdin, stdout, stderr and the exit code', async () => {
    const r = await kubectl(['exec', '-i', 'web', '--', 'sh', '-c', 'read x; echo "got $x"; echo oops >&2; exit 3'], 'abc\n');
    assert.equal(r.stdout, 'got abc\n', r.stderr);
    assert.match(r.stderr, /oops/);
    assert.equal(r.code, 3, r.stderr);
  });

  await t.test('kubectl cp copies a file into the container and back', async () => {
    const src = join(dir, 'to-pod.txt');
    await writeFile(src, 'copied by kite\n');
    const up = await kubectl(['cp', src, 'web:/tmp/in-pod.txt']);
    assert.equal(up.code, 0, up.stderr);
    assert.equal((await kubectl(['exec', 'web', '--', 'cat', '/tmp/in-pod.txt'])).stdout, 'copied by kite\n');
    const back = join(dir, 'from-pod.txt');
    const down = await kubectl(['cp', 'web:/tmp/in-pod.txt', back]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(await readFile(back, 'utf8'), 'copied by kite\n');
  });

  await t.test('kubectl exec over the SPDY fallback', async () => {
    const r = await kubectl(['exec', '-i', 'web', '--', 'sh', '-c', 'cat; exit 4'], 'via spdy', { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' });
    assert.equal(r.stdout, 'via spdy', r.stderr);
    assert.equal(r.code, 4, r.stderr);
  });

  await t.test('kubectl port-forward then an HTTP request to 127.0.0.1', async () => {
    const child = spawn('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, 'port-forward', 'pod/web', ':80'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      const port = await waitFor('kubectl to forward', async () => Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)?.[1] ?? 0), 20_000);
      const answer = await new Promise<string>((resolve, reject) => {
        const sock = connect(port, '127.0.0.1', () => sock.write('GET / HTTP/1.0\r\n\r\n'));
        let got = '';
        sock.on('data', (d) => { got += d; });
        sock.on('end', () => resolve(got));
        sock.on('error', reject);
      });
      assert.match(answer, /^HTTP\/1\.[01] 200/);
      assert.match(answer, /It works!/);
    } finally {
      if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
    }
  });

  await t.test('exec over WebSocket v4 reports success with a Success Status', async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${server.port}/api/v1/namespaces/default/pods/web/exec?command=echo&command=hi&stdout=true`,
      ['v4.channel.k8s.io'], { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey });
    const frames: Buffer[] = [];
    ws.on('message', (d: Buffer) => frames.push(Buffer.from(d)));
    await new Promise((r) => ws.on('close', r));
    const ch = (n: number) => Buffer.concat(frames.filter((f) => f[0] === n).map((f) => f.subarray(1))).toString();
    assert.equal(ch(1), 'hi\n');
    assert.equal(JSON.parse(ch(3)).status, 'Success');
  });

  await t.test('port-forward over the WebSocket channel protocol reaches httpd in the pod', async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${server.port}/api/v1/namespaces/default/pods/web/portforward?ports=80`,
      ['v4.channel.k8s.io'], { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey });
    const frames: Buffer[] = [];
    ws.on('message', (d: Buffer) => frames.push(Buffer.from(d)));
    await new Promise((r, j) => { ws.on('open', r); ws.on('error', j); });
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('GET / HTTP/1.0\r\n\r\n')]));
    const body = await waitFor('the HTTP answer', async () => {
      const data = Buffer.concat(frames.slice(2).filter((f) => f[0] === 0).map((f) => f.subarray(1))).toString();
      return data.includes('It works!') && data;
    }, 20_000);
    assert.match(body, /^HTTP\/1\.[01] 200/);
    ws.close();
  });
});
