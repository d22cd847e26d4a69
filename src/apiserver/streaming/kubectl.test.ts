// The real kubectl against the streaming subresources: logs, exec (WebSocket and the SPDY
// fallback) and port-forward (SPDY tunnelled in WebSocket, and raw SPDY), through a real
// KubeletServer to a fake runtime streaming server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeNode, type FakeNode } from '../../kubelet/server/testing/fake-node.js';
import { renderKubeconfig } from '../pki/index.js';
import { startTestServer, type TestServer } from '../testing/fixture.js';
import { configureKubeletClient } from './kubelet-client.js';

const KUBECTL = '/usr/bin/kubectl';
const skip = existsSync(KUBECTL) ? false : `${KUBECTL} is not installed`;

let ts: TestServer;
let node: FakeNode;
let dir: string;
let kubeconfig: string;

before(async () => {
  if (skip) return;
  ts = await startTestServer();
  node = await startFakeNode({ cert: ts.pki.servingCert, key: ts.pki.servingKey, clientCA: ts.pki.caCert });
  configureKubeletClient(ts.server.registry, { cert: ts.pki.adminCert, key: ts.pki.adminKey });
  const n = (await ts.request('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } })).json;
  n.status = { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: node.port } } };
  assert.equal((await ts.request('PUT', '/api/v1/nodes/n1/status', n)).status, 200);
  const pod = (await ts.request('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' },
    spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'kite.local/busybox:1.35' }] },
  })).json;
  pod.status = { phase: 'Running' };
  assert.equal((await ts.request('PUT', '/api/v1/namespaces/default/pods/web/status', pod)).status, 200);
  dir = await mkdtemp(join(tmpdir(), 'kite-kubectl-streaming-'));
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, renderKubeconfig({ server: `https://127.0.0.1:${ts.port}`, caCert: ts.pki.caCert, clientCert: ts.pki.adminCert, clientKey: ts.pki.adminKey }));
});

after(async () => {
  if (skip) return;
  await node.close();
  await ts.close();
  await rm(dir, { recursive: true, force: true });
});

function kubectl(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { env: { ...process.env, ...opts.env }, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(opts.input ?? '');
  });
}

test('kubectl logs prints the container log', { skip }, async () => {
  const r = await kubectl(['logs', 'web', '--tail=5', '--timestamps']);
  assert.equal(r.stdout, 'app line 1\napp line 2\n', r.stderr);
});

for (const [name, env] of [['WebSocket', {}], ['SPDY', { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' }]] as const) {
  test(`kubectl exec over ${name} carries stdin and stdout and exits with the command's code`, { skip }, async () => {
    const r = await kubectl(['exec', '-i', 'web', '--', 'cat'], { input: 'abc', env });
    assert.equal(r.stdout, 'ABC', r.stderr);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /command terminated with exit code 3/);
  });
}

for (const [name, env] of [['the WebSocket tunnel', {}], ['SPDY', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }]] as const) {
  test(`kubectl port-forward over ${name} forwards a local connection to the pod port`, { skip }, async () => {
    const child = spawn(KUBECTL, ['--kubeconfig', kubeconfig, 'port-forward', 'pod/web', ':8080'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      let err = '';
      child.stderr.on('data', (d) => { err += d; });
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`kubectl did not start forwarding: ${out} ${err}`)), 15_000);
        child.stdout.on('data', (d) => {
          out += d;
          const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(out);
          if (m) { clearTimeout(timer); resolve(Number(m[1])); }
        });
        child.on('exit', () => { clearTimeout(timer); reject(new Error(`kubectl exited: ${out} ${err}`)); });
      });
      const reply = await new Promise<string>((resolve, reject) => {
        const sock = connect(port, '127.0.0.1', () => sock.write('hi'));
        let got = '';
        const timer = setTimeout(() => { sock.destroy(); reject(new Error(`no reply; got "${got}"; ${err}`)); }, 10_000);
        sock.on('data', (d) => {
          got += d;
          if (got === '8080:hi') { clearTimeout(timer); sock.destroy(); resolve(got); }
        });
        sock.on('error', reject);
      });
      assert.equal(reply, '8080:hi');
    } finally {
      if (child.pid && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
    }
  });
}
