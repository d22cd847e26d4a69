import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '../apimachinery/log.js';
import { agentPaths } from '../kubelet/paths.js';
import {
  CONTROL_PLANE_LABEL, parseAgentFlags, parseNodeFlags, parseNodeLabel, parseNodeTaint, runAgent, runInProcessAgent,
  type AgentComponents, type KubeletInstance, type KubeletSettings,
} from './agent.js';
import { FlagError } from './flags.js';
import { gccRequirement, hostRequirements, runtimeRequirements, type PreflightHost } from './preflight.js';
import { startJoinServer } from '../../test/support/join-server.js';

const env = { uid: 0, home: '/root', cwd: '/work', isTTY: false, hostname: 'Box-1' };

test('parseNodeFlags: defaults from the host name, k3s-style values', () => {
  assert.deepEqual(parseNodeFlags({}, 'Box-1'), {
    nodeName: 'box-1', clusterDNS: '10.43.0.10', clusterDomain: 'cluster.local', labels: {}, taints: [],
    network: { backend: 'vxlan', clusterCIDR: '10.42.0.0/16', proxy: 'auto', networkPolicy: true },
  });
  assert.deepEqual(parseNodeFlags({
    nodeName: 'worker-2', nodeIp: '10.0.0.7', containerRuntimeEndpoint: '/run/containerd/containerd.sock',
    clusterDns: '10.96.0.10', clusterDomain: 'example.org.', nodeLabel: ['zone=a', 'example.com/tier='], nodeTaint: ['gpu=true:NoSchedule', 'dedicated:NoExecute'],
    flannelBackend: 'host-gw', clusterCidr: '10.244.0.0/16', proxyMode: 'iptables', disableNetworkPolicy: true,
  }, 'ignored'), {
    nodeName: 'worker-2', nodeIP: '10.0.0.7', containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock',
    clusterDNS: '10.96.0.10', clusterDomain: 'example.org',
    labels: { zone: 'a', 'example.com/tier': '' },
    taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }, { key: 'dedicated', effect: 'NoExecute' }],
    network: { backend: 'host-gw', clusterCIDR: '10.244.0.0/16', proxy: 'iptables', networkPolicy: false },
  });
  assert.deepEqual(parseNodeFlags({ flannelBackend: 'none', disableKubeProxy: true }, 'h').network,
    { backend: 'none', clusterCIDR: '10.42.0.0/16', proxy: false, networkPolicy: false });
});

test('node flags: bad values are FlagErrors naming the flag', () => {
  const cases: Array<[() => unknown, RegExp]> = [
    [() => parseNodeLabel('zone'), /--node-label: "zone" is not key=value/],
    [() => parseNodeLabel('bad key=x'), /--node-label: "bad key=x": key/],
    [() => parseNodeLabel('k=has space'), /--node-label: .*value/],
    [() => parseNodeTaint('gpu=true'), /--node-taint: "gpu=true" is not key\[=value\]:Effect/],
    [() => parseNodeTaint('gpu=true:Sometimes'), /effect "Sometimes" .* not one of NoSchedule, PreferNoSchedule, NoExecute/],
    [() => parseNodeFlags({ nodeIp: '10.0.0' }, 'h'), /--node-ip: "10.0.0" is not an IP address/],
    [() => parseNodeFlags({ clusterDns: 'dns' }, 'h'), /--cluster-dns/],
    [() => parseNodeFlags({ flannelBackend: 'wireguard' }, 'h'), /--flannel-backend: "wireguard" is not one of vxlan, host-gw, none/],
    [() => parseNodeFlags({ clusterCidr: '10.42.0.0/33' }, 'h'), /--cluster-cidr/],
    [() => parseNodeFlags({ proxyMode: 'ipvs' }, 'h'), /--proxy-mode: "ipvs"/],
    [() => parseNodeFlags({ clusterDomain: 'bad_domain' }, 'h'), /--cluster-domain/],
    [() => parseNodeFlags({ containerRuntimeEndpoint: 'tcp://1.2.3.4:1' }, 'h'), /--container-runtime-endpoint: .* unix:\/\/\//],
    [() => parseNodeFlags({}, 'my_host'), /--node-name: "my_host" is not a valid node name .*pass --node-name/],
    [() => parseNodeFlags({ nodeName: 'a..b' }, 'h'), /--node-name/],
  ];
  for (const [fn, message] of cases) assert.throws(fn, (err: unknown) => err instanceof FlagError && message.test(err.message), String(message));
});

test('parseAgentFlags: --server is required and must be https; data dir and log format as the server', () => {
  assert.deepEqual(parseAgentFlags({ server: 'https://10.0.0.1:6443/', token: ' K10ab::node:s ' }, env), {
    server: 'https://10.0.0.1:6443', token: 'K10ab::node:s', dataDir: '/var/lib/kite', logFormat: 'json',
    node: parseNodeFlags({}, 'box-1'),
  });
  const user = parseAgentFlags({ server: 'https://[::1]:7443', dataDir: 'state', logFormat: 'text' }, { ...env, uid: 1000, home: '/home/ada' });
  assert.equal(user.server, 'https://[::1]:7443');
  assert.equal(user.dataDir, '/work/state');
  assert.equal(user.token, undefined);
  assert.throws(() => parseAgentFlags({}, env), /--server is required/);
  assert.throws(() => parseAgentFlags({ server: 'http://10.0.0.1:6443' }, env), /must be https:\/\/HOST\[:PORT\]/);
  assert.throws(() => parseAgentFlags({ server: 'https://h:6443/api' }, env), /must be https/);
  assert.throws(() => parseAgentFlags({ server: '10.0.0.1:6443' }, env), FlagError);
});

/** A host where every requirement is present, as root. */
function readyHost(print: (line: string) => void, uid = 0): PreflightHost {
  const files = new Set([...runtimeRequirements, ...hostRequirements, gccRequirement].map((r) => r.path));
  return {
    uid, exists: (p) => files.has(p), readFile: () => undefined, writeFile: () => {}, remove: () => {},
    run: async () => { throw new Error('no commands expected'); }, print,
  };
}

/** Records the settings it is given, makes one request as its node, and runs until the signal aborts. */
class FakeKubelet implements KubeletInstance {
  static last: FakeKubelet | undefined;
  static nodeCreated: Promise<unknown> | undefined;
  ready: Promise<void>;
  private markReady!: () => void;
  constructor(readonly settings: KubeletSettings) {
    FakeKubelet.last = this;
    this.ready = new Promise((r) => { this.markReady = r; });
  }
  async start(signal: AbortSignal): Promise<void> {
    FakeKubelet.nodeCreated = this.settings.client.kind('v1', 'Node').create(undefined, {
      apiVersion: 'v1', kind: 'Node', metadata: { name: this.settings.nodeName, labels: this.settings.labels },
    } as never).catch((err: Error) => {
      // A later start of the same node finds it registered; any other error fails the start.
      if (!/already exists/.test(err.message)) throw err;
      return { metadata: { name: this.settings.nodeName } };
    });
    await FakeKubelet.nodeCreated;
    this.markReady();
    await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
  }
}

function fakeComponents(uid = 0): AgentComponents {
  return { loadKubelet: async () => FakeKubelet, preflightHost: async (print) => readyHost(print, uid) };
}

const startCluster = (t: { after(fn: () => Promise<void>): void }) => startJoinServer(t, 'kite-agent-');

function logs() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ sink: { write: (l) => lines.push(l) }, human: true }) };
}

async function until(check: () => boolean, what: string, lines: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; log:\n${lines.join('')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('runAgent joins with the token, runs the kubelet as its node over HTTPS, and stops on abort', async (t) => {
  const c = await startCluster(t);
  const { lines, logger } = logs();
  const dataDir = join(c.dir, 'agent-data');
  const flags = parseAgentFlags({ server: c.url, token: c.token, dataDir, nodeName: 'worker-1', nodeLabel: ['zone=a'] }, env);
  const abort = new AbortController();
  FakeKubelet.last = undefined;
  const done = runAgent(flags, { signal: abort.signal, logger, hostnames: ['worker-1'], components: fakeComponents() });
  await until(() => lines.some((l) => l.includes('node worker-1 is running')), 'the kubelet to run', lines);
  const node = await FakeKubelet.nodeCreated as { metadata: { name: string } };
  assert.equal(node.metadata.name, 'worker-1');
  const s = FakeKubelet.last!.settings;
  assert.equal(s.dataDir, dataDir);
  assert.deepEqual(s.labels, { zone: 'a' });
  assert.deepEqual(s.clusterDNS, ['10.43.0.10']);
  assert.equal(s.clusterDomain, 'cluster.local');
  assert.equal(s.serving?.clientCA, c.pki.caCert);
  assert.equal((await stat(join(agentPaths(dataDir).credentials, 'client.key'))).mode & 0o777, 0o600);
  abort.abort();
  assert.equal(await done, 0);

  // A second start needs no token.
  const again = new AbortController();
  const second = runAgent({ ...flags, token: undefined }, { signal: again.signal, logger, hostnames: ['worker-1'], components: fakeComponents() });
  await until(() => lines.filter((l) => l.includes('node worker-1 is running')).length === 2, 'the second start', lines);
  again.abort();
  assert.equal(await second, 0);
});

test('runAgent runs the node networking beside the kubelet, with the node settings, and stops it with the agent', async (t) => {
  const c = await startCluster(t);
  const { lines, logger } = logs();
  const flags = parseAgentFlags({ server: c.url, token: c.token, dataDir: join(c.dir, 'net'), nodeName: 'worker-3', nodeIp: '10.0.0.3', flannelBackend: 'host-gw' }, env);
  const seen: { created?: Record<string, unknown>; started: boolean; stopped: boolean } = { started: false, stopped: false };
  const components: AgentComponents = {
    ...fakeComponents(),
    network: {
      async create(o) {
        seen.created = { nodeName: o.nodeName, nodeIP: o.nodeIP, clusterDNS: o.clusterDNS, backend: o.net.backend };
        return [{ name: 'fake', start: async (signal) => {
          seen.started = true;
          await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
          seen.stopped = true;
        } }];
      },
    },
  };
  const abort = new AbortController();
  FakeKubelet.last = undefined;
  const done = runAgent(flags, { signal: abort.signal, logger, hostnames: ['worker-3'], components });
  await until(() => lines.some((l) => l.includes('node worker-3 is running')) && seen.started, 'the kubelet and the network to run', lines);
  assert.deepEqual(seen.created, { nodeName: 'worker-3', nodeIP: '10.0.0.3', clusterDNS: '10.43.0.10', backend: 'host-gw' });
  const s = FakeKubelet.last!.settings;
  assert.equal(s.waitForPodCIDR, true);
  assert.equal(s.cniMasquerade, false);
  assert.equal(s.cniMTU, undefined);
  assert.equal(seen.stopped, false);
  abort.abort();
  assert.equal(await done, 0);
  assert.equal(seen.stopped, true, 'the networking has stopped by the time the agent returns');
});

test('runAgent exits 1 with the reason when the host checks or the token fail', async (t) => {
  const c = await startCluster(t);
  const { lines, logger } = logs();
  const flags = parseAgentFlags({ server: c.url, token: c.token, dataDir: join(c.dir, 'a'), nodeName: 'n1' }, env);
  const signal = new AbortController().signal;
  assert.equal(await runAgent(flags, { signal, logger, hostnames: [], components: fakeComponents(1000) }), 1);
  assert.ok(lines.some((l) => /needs root/.test(l)));
  const wrong = { ...flags, token: c.token.replace(/::node:.*$/, '::node:wrong') };
  assert.equal(await runAgent(wrong, { signal, logger, hostnames: [], components: fakeComponents() }), 1);
  assert.ok(lines.some((l) => /refused the token \(401\)/.test(l)));
});

test('the in-process agent reaches the API as system:node:<name> and labels its node as the control plane', async (t) => {
  const c = await startCluster(t);
  const { lines, logger } = logs();
  const abort = new AbortController();
  const done = runInProcessAgent({
    connect: (user) => c.server.connectInProcess(user), ca: { caCert: c.pki.caCert, caKey: c.pki.caKey },
    node: parseNodeFlags({ nodeLabel: ['zone=b'] }, 'cp-1'), dataDir: join(c.dir, 'data'), hostnames: ['cp-1'],
    logger, signal: abort.signal, components: fakeComponents(),
  });
  await until(() => lines.some((l) => l.includes('node cp-1 is running')), 'the kubelet to run', lines);
  const node = await FakeKubelet.nodeCreated as { metadata: { labels: Record<string, string> } };
  assert.deepEqual(node.metadata.labels, { [CONTROL_PLANE_LABEL]: 'true', zone: 'b' });
  assert.match(FakeKubelet.last!.settings.serving!.cert, /BEGIN CERTIFICATE/);
  abort.abort();
  await done;
});

test('the in-process agent says why it does not run and leaves the control plane running', async (t) => {
  const c = await startCluster(t);
  const { lines, logger } = logs();
  FakeKubelet.last = undefined;
  await runInProcessAgent({
    connect: (user) => c.server.connectInProcess(user), ca: { caCert: c.pki.caCert, caKey: c.pki.caKey },
    node: parseNodeFlags({}, 'cp-1'), dataDir: join(c.dir, 'data'), hostnames: [], logger,
    signal: new AbortController().signal, components: fakeComponents(1000),
  });
  assert.equal(FakeKubelet.last, undefined);
  assert.ok(lines.some((l) => /needs root.*running the control plane only/.test(l)));
});

test('kite agent --help and kite server --help show the node flags; kite agent without --server exits 2', async () => {
  const { main } = await import('./main.js');
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (s: string) => out.push(s), isTTY: false }, stderr: { write: (s: string) => err.push(s) } };
  assert.equal(await main(['agent', '--help'], io), 0);
  for (const flag of ['--server', '--token', '--data-dir', '--node-name', '--node-ip', '--node-label', '--node-taint', '--container-runtime-endpoint', '--log-format']) {
    assert.ok(out.join('').includes(flag), `agent help mentions ${flag}`);
  }
  out.length = 0;
  assert.equal(await main(['server', '--help'], io), 0);
  for (const flag of ['--disable-agent', '--node-name', '--node-ip', '--container-runtime-endpoint', '--cluster-dns', '--cluster-domain']) {
    assert.ok(out.join('').includes(flag), `server help mentions ${flag}`);
  }
  assert.equal(await main(['agent'], io), 2);
  assert.match(err.join(''), /kite: --server is required/);
  assert.equal(await main(['agent', '--server', 'https://h:6443', '--node-taint', 'x'], io), 2);
  assert.match(err.join(''), /--node-taint: "x"/);
});
