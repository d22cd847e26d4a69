// The `kite` command. The composition root: the one place that reads argv and the environment,
// installs signal handlers and decides exit codes (bin/kite.js exits with what main returns).
import { readFileSync } from 'node:fs';
import { homedir, hostname, networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { FLANNEL_BACKENDS, PROXY_MODES } from './node-network.js';
import { createLogger, type Logger } from '../apimachinery/log.js';
import { defaultControllerOptions } from '../client/controller.js';
import type { RawAgentFlags, RawNodeFlags } from './agent.js';
import type { RawControllerManagerFlags } from './controller-manager.js';
import { FlagError, defaultBindAddress, defaultPort, parseServerFlags, rootDataDir, type RawServerFlags } from './flags.js';
import { registerClusterCommand } from './cluster/command.js';
import { registerDnsCommand } from './dns.js';
import { registerProxyCommand } from './proxy.js';
import { registerImagesCommand } from './images.js';
import type { RawSchedulerFlags } from './scheduler.js';
import type { RawSimulateFlags } from './simulate.js';
import { repeatable, untilSignalled } from './signals.js';

export interface MainIO {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
}

/** The package version, found by walking up from this file (src/ under tsx, dist/src/ when built). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'kite' && pkg.version) return pkg.version;
    } catch { /* keep looking */ }
    dir = dirname(dir);
  }
  return '0.0.0';
}

/** Non-internal addresses of this machine, skipping IPv6 link-local ones (unusable without a zone). */
export function machineAddresses(): string[] {
  const out: string[] = [];
  for (const infos of Object.values(networkInterfaces())) {
    for (const info of infos ?? []) {
      if (info.internal || (info.family === 'IPv6' && /^fe80:/i.test(info.address))) continue;
      out.push(info.address);
    }
  }
  return out;
}

const examples = `
Examples:
  $ kite server                                   # single-node cluster, state in ${rootDataDir} (root) or ~/.kite
  $ kite server --port 7443 --data-dir ./state
  $ kite server --datastore-endpoint http://10.0.0.2:2379,http://10.0.0.3:2379   # etcd
  $ export KUBECONFIG=${rootDataDir}/kubeconfig.yaml; kubectl get ns
`;

const serverExamples = `
Examples:
  $ kite server
  $ kite server --data-dir /srv/kite --bind-address 127.0.0.1
  $ kite server --datastore-endpoint sqlite:///srv/kite/state.db
  $ kite server --datastore-endpoint http://127.0.0.1:2379 --log-format json
  $ kite server --scheduler-config ./scheduler.yaml
  $ kite server --disable-scheduler               # run \`kite scheduler\` elsewhere instead
  $ kite server --disable-agent                   # control plane only; join nodes with \`kite agent\`
  $ kite server --node-name cp1 --node-label zone=a
`;

const agentExamples = `
Examples:
  $ kite agent --server https://10.0.0.1:6443 --token K10...::node:...   # first start
  $ kite agent --server https://10.0.0.1:6443                          # later starts reuse the credentials
  $ kite agent --server https://10.0.0.1:6443 --token "$(cat node-token)" --node-label zone=a --node-taint gpu=true:NoSchedule
`;

const controllerManagerExamples = `
Examples:
  $ kite controller-manager --kubeconfig /var/lib/kite/kubeconfig.yaml
  $ kite controller-manager --kubeconfig ./admin.yaml --leader-elect=false --workers 5
`;

const schedulerExamples = `
Examples:
  $ kite scheduler --kubeconfig /var/lib/kite/kubeconfig.yaml
  $ kite scheduler --kubeconfig ./admin.yaml --config ./scheduler.yaml --leader-elect=false

A config file is a KubeSchedulerConfiguration (YAML or JSON); each profile is merged onto the default one:
  apiVersion: kubescheduler.config.k8s.io/v1
  kind: KubeSchedulerConfiguration
  profiles:
  - schedulerName: default-scheduler
    plugins:
      multiPoint:
        enabled: [{ name: TaintToleration, weight: 5 }]
        disabled: [{ name: ImageLocality }]
`;

const simulateExamples = `
Examples:
  $ kite simulate --nodes 100 --kubeconfig /var/lib/kite/kubeconfig.yaml
  $ kite simulate --nodes 1000 --zones a,b,c --cpu 32 --memory 256Gi --pods 110
`;

type RawServerCommandFlags = RawServerFlags & RawNodeFlags & {
  disableControllers?: boolean;
  nodeMonitorGracePeriod?: string;
  defaultTolerationSeconds?: string;
  workers?: string;
  simulateNodes?: string;
  disableScheduler?: boolean;
  schedulerConfig?: string;
  clusterCidr?: string;
  serviceCidr?: string;
};

/** `--service-cidr`: an IPv4 range of /12 to /28, as kube-apiserver allows. */
async function parseServiceCIDR(value: string): Promise<string> {
  const { parseCIDR, formatCIDR } = await import('../apimachinery/ipv4.js');
  const cidr = parseCIDR(value.trim(), { strict: true });
  if (!cidr || cidr.prefix < 12 || cidr.prefix > 28) throw new FlagError(`--service-cidr: "${value}" is not an IPv4 network of /12 to /28 (e.g. 10.43.0.0/16)`);
  return formatCIDR(cidr);
}

/** The controller options plus the node IPAM controller's `--cluster-cidr`. */
async function withClusterCIDR<T extends object>(options: T, clusterCidr: string | undefined): Promise<T> {
  if (clusterCidr === undefined) return options;
  const { validateClusterCIDR } = await import('../controllers/nodeipam/index.js');
  try {
    return { ...options, clusterCIDR: validateClusterCIDR('--cluster-cidr', clusterCidr) };
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
}

async function serverCommand(raw: RawServerCommandFlags, io: MainIO): Promise<number> {
  const flags = parseServerFlags(raw, {
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
    home: homedir(),
    cwd: process.cwd(),
    isTTY: io.stdout.isTTY === true,
  });
  const { parseControllerOptions } = await import('./controller-manager.js');
  const controllerOptions = await withClusterCIDR(parseControllerOptions(raw), raw.clusterCidr);
  const serviceCIDR = raw.serviceCidr === undefined ? undefined : await parseServiceCIDR(raw.serviceCidr);
  // Kubernetes' convention: the cluster DNS address is the service range's tenth.
  const clusterDNS = raw.clusterDns ?? (serviceCIDR ? (await import('../apiserver/registry/strategies/service-allocator.js')).serviceRangeAddress(serviceCIDR, 10) : undefined);
  // The node flags matter only when the agent runs (a host name unfit for a node name is no error without it).
  const node = raw.disableAgent ? undefined : (await import('./agent.js')).parseNodeFlags({ ...raw, ...(clusterDNS ? { clusterDns: clusterDNS } : {}) }, hostname());
  const simulateNodes = raw.simulateNodes === undefined ? undefined : (await import('./simulate.js')).parseNodeCount('--simulate-nodes', raw.simulateNodes);
  const logger = createLogger({ sink: { write: (line) => io.stdout.write(line) }, human: flags.logFormat === 'text' });
  // A bad config file stops the start, before anything listens.
  const schedulerProfiles = raw.schedulerConfig === undefined || raw.disableScheduler
    ? undefined
    : await (await import('./scheduler.js')).loadSchedulerProfiles('--scheduler-config', raw.schedulerConfig, logger.with({ component: 'scheduler' }));
  return untilSignalled(logger, async (signal) => {
    // Loaded here so `kite --help` and the other commands do not pay for the server's modules.
    const { runServer } = await import('./server.js');
    return runServer(flags, {
      signal, logger, hostnames: [hostname()], ips: machineAddresses(), disableControllers: raw.disableControllers === true, controllerOptions,
      ...(simulateNodes ? { simulateNodes } : {}),
      disableScheduler: raw.disableScheduler === true, ...(schedulerProfiles ? { schedulerProfiles } : {}),
      ...(node ? { node } : {}),
      ...(serviceCIDR ? { serviceCIDR } : {}), ...(clusterDNS ? { clusterDNS } : {}),
    });
  });
}

async function agentCommand(raw: RawAgentFlags, io: MainIO): Promise<number> {
  const { parseAgentFlags, runAgent } = await import('./agent.js');
  const flags = parseAgentFlags(raw, {
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
    home: homedir(), cwd: process.cwd(), isTTY: io.stdout.isTTY === true, hostname: hostname(),
  });
  const logger = createLogger({ sink: { write: (line) => io.stdout.write(line) }, human: flags.logFormat === 'text' });
  return untilSignalled(logger, (signal) => runAgent(flags, { signal, logger, hostnames: [hostname()] }));
}

/** Collects a repeatable option's values. */
/** The node flags `kite server` and `kite agent` share (k3s' names). */
function addNodeOptions(cmd: Command): Command {
  return cmd
    .option('--node-name <name>', 'name of this node (default: the host name)')
    .option('--node-ip <ip>', "IP address the node reports (default: the host's first non-loopback IPv4)")
    .option('--node-label <key=value>', 'label the node registers with (repeatable)', repeatable)
    .option('--node-taint <key=value:Effect>', 'taint the node registers with (repeatable)', repeatable)
    .option('--container-runtime-endpoint <unix:///path>', 'use this containerd instead of the one the agent runs')
    .option('--cluster-dns <ip>', 'nameserver address pods are given (default: 10.43.0.10)')
    .option('--cluster-domain <domain>', 'cluster domain pods search (default: cluster.local)')
    .addOption(new Option('--flannel-backend <backend>', 'how pod traffic crosses nodes: vxlan, host-gw (a shared L2), or none (no pod network agent) (default: vxlan)').choices([...FLANNEL_BACKENDS]))
    .addOption(new Option('--proxy-mode <mode>', 'service proxy mode (default: auto: nftables, else iptables, else userspace)').choices([...PROXY_MODES]))
    .option('--disable-kube-proxy', 'do not run the service proxy on this node')
    .option('--disable-network-policy', 'do not enforce NetworkPolicies on this node');
}

async function controllerManagerCommand(raw: RawControllerManagerFlags & { clusterCidr?: string }, io: MainIO): Promise<number> {
  // Loaded here so the other commands do not pay for the controllers' modules.
  const { parseControllerManagerFlags, runControllerManager } = await import('./controller-manager.js');
  const parsed = parseControllerManagerFlags(raw, { kubeconfigEnv: process.env.KUBECONFIG, home: homedir(), isTTY: io.stdout.isTTY === true });
  const flags = { ...parsed, options: await withClusterCIDR(parsed.options, raw.clusterCidr) };
  const logger = createLogger({ sink: { write: (line) => io.stdout.write(line) }, human: flags.logFormat === 'text' });
  return untilSignalled(logger, (signal) => runControllerManager(flags, { signal, logger, hostname: hostname() }));
}

async function schedulerCommand(raw: RawSchedulerFlags, io: MainIO): Promise<number> {
  // Loaded here so the other commands do not pay for the scheduler's modules.
  const { parseSchedulerFlags, runScheduler } = await import('./scheduler.js');
  const flags = parseSchedulerFlags(raw, { kubeconfigEnv: process.env.KUBECONFIG, home: homedir(), isTTY: io.stdout.isTTY === true });
  const logger = createLogger({ sink: { write: (line) => io.stdout.write(line) }, human: flags.logFormat === 'text' });
  return untilSignalled(logger, (signal) => runScheduler(flags, { signal, logger, hostname: hostname() }));
}

async function simulateCommand(raw: RawSimulateFlags, io: MainIO): Promise<number> {
  // Loaded here so the other commands do not pay for the simulator's modules.
  const { parseSimulateFlags, runSimulate } = await import('./simulate.js');
  const flags = parseSimulateFlags(raw, { kubeconfigEnv: process.env.KUBECONFIG, home: homedir(), isTTY: io.stdout.isTTY === true });
  const logger = createLogger({ sink: { write: (line) => io.stdout.write(line) }, human: flags.logFormat === 'text' });
  return untilSignalled(logger, (signal) => runSimulate(flags, { signal, logger }));
}

export function buildProgram(io: MainIO, setExitCode: (code: number) => void): Command {
  const program = new Command('kite')
    .description('Kite: a Kubernetes-compatible container orchestrator')
    .version(packageVersion(), '-v, --version')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', examples);

  const serverCmd = program.command('server')
    .description('Run the control plane (storage, certificates, the API server, the controllers and the scheduler) and a node agent for this machine')
    .option('--data-dir <dir>', `state directory (default: ${rootDataDir} as root, ~/.kite otherwise)`)
    .option('--port <n>', `HTTPS port of the API server (0 picks a free one) (default: ${defaultPort})`)
    .option('--bind-address <ip>', `address the API server listens on (default: ${defaultBindAddress})`)
    .option('--advertise-address <ip>', 'address other machines reach this server at (added to the serving certificate)')
    .option('--datastore-endpoint <url>', 'sqlite://<path>, or etcd as http://host:2379[,http://host:2379...] (default: SQLite at <data-dir>/db/state.db)')
    .option('--disable-agent', 'run the control plane only, without the node agent for this machine')
    .option('--disable-controllers', 'run without the controllers (run `kite controller-manager` elsewhere instead)')
    .option('--workers <n>', `workers per controller (default: ${defaultControllerOptions.workers})`)
    .option('--node-monitor-grace-period <duration>', `time without heartbeats before a node is marked unhealthy (default: ${defaultControllerOptions.nodeMonitorGracePeriodSeconds}s)`)
    .option('--default-toleration-seconds <n>', `how long pods stay on a not-ready or unreachable node when they set no toleration for it (default: ${defaultControllerOptions.defaultTolerationSeconds})`)
    .option('--cluster-cidr <cidr>', 'range node podCIDRs (a /24 each) are given from (default: 10.42.0.0/16)')
    .option('--service-cidr <cidr>', 'range Service ClusterIPs are given from; the cluster DNS address defaults to its tenth (default: 10.43.0.0/16)')
    .option('--disable-scheduler', 'run without the scheduler (run `kite scheduler` elsewhere instead)')
    .option('--scheduler-config <file>', 'KubeSchedulerConfiguration (YAML or JSON) for the in-process scheduler')
    .option('--simulate-nodes <n>', 'also run this many simulated nodes in-process (kwok-style; for scale tests)');
  addNodeOptions(serverCmd)
    .addOption(new Option('--log-format <format>', 'log format (default: text on a terminal, json otherwise)').choices(['json', 'text']))
    .addHelpText('after', serverExamples)
    .action(async (opts: RawServerCommandFlags) => {
      setExitCode(await serverCommand(opts, io));
    });

  const agentCmd = program.command('agent')
    .description('Run a node agent (kubelet on containerd) that joins a Kite server')
    .option('--server <url>', 'the API server to join: https://HOST:6443 (required)')
    .option('--token <token>', "join token, from the server's <data-dir>/server/node-token (needed on the first start only)")
    .option('--data-dir <dir>', `state directory (default: ${rootDataDir} as root, ~/.kite otherwise)`)
    .option('--cluster-cidr <cidr>', 'the whole pod network, as the server was given it; traffic within it is never masqueraded (default: 10.42.0.0/16)');
  addNodeOptions(agentCmd)
    .addOption(new Option('--log-format <format>', 'log format (default: text on a terminal, json otherwise)').choices(['json', 'text']))
    .addHelpText('after', agentExamples)
    .action(async (opts: RawAgentFlags) => {
      setExitCode(await agentCommand(opts, io));
    });

  program.command('controller-manager')
    .description('Run the controllers against a Kite API server, behind leader election')
    .option('--kubeconfig <path>', 'kubeconfig to reach the API server with (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use (default: its current context)')
    .option('--leader-elect [bool]', 'take the kube-system/kube-controller-manager lease before running controllers (default: true)')
    .option('--workers <n>', `workers per controller (default: ${defaultControllerOptions.workers})`)
    .option('--node-monitor-grace-period <duration>', `time without heartbeats before a node is marked unhealthy (default: ${defaultControllerOptions.nodeMonitorGracePeriodSeconds}s)`)
    .option('--default-toleration-seconds <n>', `how long pods stay on a not-ready or unreachable node when they set no toleration for it (default: ${defaultControllerOptions.defaultTolerationSeconds})`)
    .option('--cluster-cidr <cidr>', 'range node podCIDRs (a /24 each) are given from (default: 10.42.0.0/16)')
    .addOption(new Option('--log-format <format>', 'log format (default: text on a terminal, json otherwise)').choices(['json', 'text']))
    .addHelpText('after', controllerManagerExamples)
    .action(async (opts: RawControllerManagerFlags & { clusterCidr?: string }) => {
      setExitCode(await controllerManagerCommand(opts, io));
    });

  program.command('scheduler')
    .description('Run the scheduler against a Kite API server, behind leader election')
    .option('--kubeconfig <path>', 'kubeconfig to reach the API server with (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use (default: its current context)')
    .option('--config <file>', 'KubeSchedulerConfiguration (YAML or JSON): profiles, plugins, plugin args (default: the default profile)')
    .option('--leader-elect [bool]', 'take the kube-system/kube-scheduler lease before scheduling (default: true)')
    .addOption(new Option('--log-format <format>', 'log format (default: text on a terminal, json otherwise)').choices(['json', 'text']))
    .addHelpText('after', schedulerExamples)
    .action(async (opts: RawSchedulerFlags) => {
      setExitCode(await schedulerCommand(opts, io));
    });

  program.command('simulate')
    .description('Run simulated nodes (kwok-style: Ready nodes, leases and pod lifecycles, no containers) against an API server')
    .option('--nodes <n>', 'how many nodes to simulate (required)')
    .option('--kubeconfig <path>', 'kubeconfig to reach the API server with (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use (default: its current context)')
    .option('--name-prefix <prefix>', 'node names are <prefix><i> (default: kite-sim-)')
    .option('--zones <a,b,c>', 'zones handed out round-robin as topology.kubernetes.io/zone')
    .option('--cpu <quantity>', 'cpu capacity of each node (default: 32)')
    .option('--memory <quantity>', 'memory capacity of each node (default: 256Gi)')
    .option('--pods <n>', 'pod capacity of each node (default: 110)')
    .addOption(new Option('--log-format <format>', 'log format (default: text on a terminal, json otherwise)').choices(['json', 'text']))
    .addHelpText('after', simulateExamples)
    .action(async (opts: RawSimulateFlags) => {
      setExitCode(await simulateCommand(opts, io));
    });

  registerImagesCommand(program, io, setExitCode);
  registerDnsCommand(program, io, setExitCode);
  registerProxyCommand(program, io, setExitCode);
  registerClusterCommand(program, io, setExitCode);
  return program;
}

/** Runs `kite` with the arguments after the program name; resolves with the exit code. */
export async function main(argv: string[], io: MainIO = process): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => { exitCode = code; });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof FlagError) {
      io.stderr.write(`kite: ${err.message}\n`);
      return 2;
    }
    io.stderr.write(`kite: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

// Also runnable directly (`node --import tsx src/cli/main.ts server`), as the e2e tests do from source.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
