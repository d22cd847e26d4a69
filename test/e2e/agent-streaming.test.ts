// Streaming through the API server to the node agent's kubelet, with the real kubectl: logs (-f,
// --tail, --previous), exec with its output and exit code, cp both ways, port-forward then HTTP
// on 127.0.0.1, exec -it in a terminal. Needs root and containerd (else skipped).
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { busyboxPod, containerStatus, describeWithAgent } from './agent-suite.js';
import { kubectlBin, kubectlEnv, runKubectl } from './kubectl.js';
import { pollUntil } from './polling.js';
import { freePort } from './server-process.js';

const SCRIPT = '/usr/bin/script';

const shellQuote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

function httpGet(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => { body += d; }).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET 127.0.0.1:${port} timed out`)));
    req.on('error', reject);
  });
}

describeWithAgent('node agent: streaming', (ctx) => {
  let local = '';
  before(async () => {
    local = await mkdtemp(join(tmpdir(), 'kite-e2e-cp-'));
  });
  after(async () => {
    if (local) await rm(local, { recursive: true, force: true });
  });

  const ready = (...pods: string[]) =>
    ctx.kite.kubectl(['wait', '-n', ctx.ns, '--for=condition=Ready', ...pods.map((p) => `pod/${p}`), '--timeout=60s'], { timeoutMs: 70_000 });

  it('kubectl logs: the whole log, --tail, and -f following new lines', async () => {
    await ctx.apply(busyboxPod('ticker', 'for i in 1 2 3 4 5; do echo line-$i; done; i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.3; done'));
    await ready('ticker');
    const all = await pollUntil('five lines and a tick', async () => {
      const { stdout } = await ctx.kite.kubectl(['logs', '-n', ctx.ns, 'ticker']);
      return stdout.includes('tick-1\n') ? stdout : false;
    }, 15_000, 200);
    assert.ok(all.startsWith('line-1\nline-2\nline-3\nline-4\nline-5\ntick-1\n'), all);
    const { stdout: tail } = await ctx.kite.kubectl(['logs', '-n', ctx.ns, 'ticker', '--tail=2']);
    const tailLines = tail.trimEnd().split('\n');
    assert.equal(tailLines.length, 2, tail);
    assert.match(tailLines[1]!, /^tick-\d+$/);
    const follow = ctx.kite.spawnKubectl(['logs', '-f', '-n', ctx.ns, 'ticker', '--tail=1']);
    try {
      const first = Number(/tick-(\d+)/.exec(await follow.waitFor((out) => /tick-\d+\n/.test(out), 15_000, 'a first line'))![1]);
      // Lines written after kubectl attached arrive while it runs.
      const out = await follow.waitFor((o) => o.includes(`tick-${first + 3}\n`), 15_000, `tick-${first + 3}`);
      assert.ok(out.includes(`tick-${first + 1}\ntick-${first + 2}\n`), out);
    } finally {
      await follow.kill();
    }
  });

  it('kubectl logs --previous shows the log of the container before its restart', async () => {
    await ctx.apply(busyboxPod('crash', 'echo "run at $(cat /proc/uptime)"; echo boom; exit 1'));
    await pollUntil('a restart', async () => (containerStatus(await ctx.pod('crash'))?.restartCount ?? 0) >= 1, 60_000, 250);
    const { stdout } = await pollUntil('the previous log', async () => {
      const r = await ctx.kite.kubectl(['logs', '-n', ctx.ns, 'crash', '--previous'], { allowFail: true });
      return r.code === 0 && r.stdout.includes('boom') ? r : false;
    }, 15_000, 250);
    assert.match(stdout, /^run at [\d.]+ [\d.]+\nboom\n$/);
  });

  it('kubectl exec prints the command output and exits with its code', async () => {
    await ctx.apply(busyboxPod('shell', 'sleep 3600', { terminationGracePeriodSeconds: 1 }));
    await ready('shell');
    const r = await ctx.kite.kubectl(['exec', '-n', ctx.ns, 'shell', '--', 'sh', '-c', 'echo $HOSTNAME; echo to-stderr >&2; exit 3'], { allowFail: true });
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'shell\n');
    assert.match(r.stderr, /to-stderr/);
    const ok = await ctx.kite.kubectl(['exec', '-n', ctx.ns, 'shell', '-c', 'c', '--', 'cat', '/etc/hostname']);
    assert.equal(ok.stdout.trim(), 'shell');
    const stdin = await ctx.kite.kubectl(['exec', '-i', '-n', ctx.ns, 'shell', '--', 'sh', '-c', 'tr a-z A-Z'], { input: 'through stdin\n' });
    assert.equal(stdin.stdout, 'THROUGH STDIN\n');
  });

  it('kubectl exec -it under a terminal prints the pod name and exits with the command\'s code', { skip: existsSync(SCRIPT) ? false : `${SCRIPT} (util-linux) is missing: no pseudo-terminal to run kubectl exec -it in` }, async () => {
    await ready('shell');
    const home = join(local, 'tty-home');
    await mkdir(home, { recursive: true });
    const env = kubectlEnv({ kubeconfig: ctx.kite.kubeconfig, cache: join(home, 'cache'), home });
    // script gives kubectl a pseudo-terminal for its stdin and stdout, and exits with kubectl's code.
    const cmd = [kubectlBin, 'exec', '-it', '-n', ctx.ns, 'shell', '--', 'sh', '-c', 'echo $HOSTNAME; exit 7'].map(shellQuote).join(' ');
    const r = await runKubectl(['-qec', cmd, '/dev/null'], env, { allowFail: true, timeoutMs: 30_000 }, SCRIPT);
    assert.equal(r.code, 7, `${r.stdout}\n${r.stderr}`);
    // The terminal turns each newline into CR LF, and carries kubectl's stderr too.
    assert.equal(r.stdout.replace(/\r/g, ''), 'shell\ncommand terminated with exit code 7\n', JSON.stringify(r.stdout));
  });

  it('kubectl cp copies a file into the container and one out of it', async () => {
    await ctx.apply(busyboxPod('files', 'sleep 3600', { terminationGracePeriodSeconds: 1 }));
    await ready('files');
    const up = join(local, 'up.txt');
    const content = `copied in ${Date.now()}\n${'x'.repeat(20_000)}\n`;
    await writeFile(up, content);
    await ctx.kite.kubectl(['cp', up, `${ctx.ns}/files:/tmp/up.txt`]);
    const inside = await ctx.kite.kubectl(['exec', '-n', ctx.ns, 'files', '--', 'sh', '-c', 'wc -c < /tmp/up.txt; head -n 1 /tmp/up.txt']);
    assert.equal(inside.stdout, `${Buffer.byteLength(content)}\n${content.split('\n')[0]}\n`);
    await ctx.kite.kubectl(['exec', '-n', ctx.ns, 'files', '--', 'sh', '-c', 'echo made in the container > /tmp/down.txt']);
    const down = join(local, 'down.txt');
    await ctx.kite.kubectl(['cp', `${ctx.ns}/files:/tmp/down.txt`, down]);
    assert.equal(await readFile(down, 'utf8'), 'made in the container\n');
  });

  // Past SPDY's 64 KiB initial window, which containerd's streaming server never replenishes.
  it('kubectl cp copies files larger than 64 KiB in and out of the container', async () => {
    await ready('files');
    const big = join(local, 'big.txt');
    await writeFile(big, 'y'.repeat(200_000));
    await ctx.kite.kubectl(['cp', big, `${ctx.ns}/files:/tmp/big.txt`], { timeoutMs: 15_000 });
    const inside = await ctx.kite.kubectl(['exec', '-n', ctx.ns, 'files', '--', 'wc', '-c', '/tmp/big.txt']);
    assert.equal(inside.stdout, '200000 /tmp/big.txt\n');
    await ctx.kite.kubectl(['exec', '-n', ctx.ns, 'files', '--', 'sh', '-c', 'head -c 300000 /dev/zero | tr "\\0" z > /tmp/out.txt']);
    const back = join(local, 'back.txt');
    await ctx.kite.kubectl(['cp', `${ctx.ns}/files:/tmp/out.txt`, back], { timeoutMs: 15_000 });
    assert.equal(await readFile(back, 'utf8'), 'z'.repeat(300_000));
  });

  it('kubectl port-forward forwards 127.0.0.1:<port> to the pod, answering HTTP', async () => {
    await ctx.apply(JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' },
      spec: { containers: [{ name: 'httpd', image: 'kite.local/httpd:1.35', ports: [{ containerPort: 80 }] }] },
    }));
    await ready('web');
    const port = await freePort();
    const pf = ctx.kite.spawnKubectl(['port-forward', '-n', ctx.ns, 'pod/web', `${port}:80`]);
    try {
      await pf.waitFor((out) => out.includes(`Forwarding from 127.0.0.1:${port} -> 80`), 15_000, 'the forwarding line');
      for (let i = 0; i < 3; i++) {
        const res = await httpGet(port);
        assert.equal(res.status, 200, res.body);
      }
      assert.match(pf.stdout(), /Handling connection for \d+/);
    } finally {
      await pf.kill();
    }
  });
});
