// `kite proxy`: the service proxy as a process of its own, against any Kite API server reached with
// a kubeconfig. It programs the nftables table `ip kite-proxy` (or KITE-* iptables chains, or
// serves the addresses itself in userspace mode) and removes them when it stops.
import { homedir } from 'node:os';
import { isIPv4 } from 'node:net';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { createLogger, type Logger } from '../apimachinery/log.js';
import { FlagError, parseLogFormat, type LogFormat } from './flags.js';
import { DEFAULT_NODE_CLUSTER_CIDR, parseClusterCIDRFlag, parseProxyModeFlag, PROXY_MODES } from './node-network.js';
import type { ProxyModeChoice } from './proxy-runner.js';
import { repeatable, untilSignalled } from './signals.js';


export interface RawProxyFlags {
  kubeconfig?: string;
  context?: string;
  nodeName?: string;
  nodeIp?: string[];
  clusterCidr?: string;
  proxyMode?: string;
  logFormat?: string;
}

export interface ProxyFlags {
  kubeconfig: string;
  context?: string;
  nodeName: string;
  nodeIPs: string[];
  clusterCIDR: string;
  mode: ProxyModeChoice;
  logFormat: LogFormat;
}

export function parseProxyFlags(raw: RawProxyFlags, env: { kubeconfigEnv?: string; home: string; isTTY: boolean }): ProxyFlags {
  const fromEnv = env.kubeconfigEnv?.split(':').find((p) => p.trim() !== '');
  if (!raw.nodeName?.trim()) throw new FlagError('--node-name is required');
  for (const ip of raw.nodeIp ?? []) if (!isIPv4(ip)) throw new FlagError(`--node-ip: "${ip}" is not an IPv4 address`);
  const cidr = parseClusterCIDRFlag(raw.clusterCidr);
  return {
    kubeconfig: raw.kubeconfig?.trim() || fromEnv || join(env.home, '.kube', 'config'),
    ...(raw.context ? { context: raw.context } : {}),
    nodeName: raw.nodeName.trim(),
    nodeIPs: raw.nodeIp ?? [],
    clusterCIDR: cidr,
    mode: parseProxyModeFlag(raw.proxyMode),
    logFormat: parseLogFormat(raw.logFormat, env.isTTY),
  };
}

/** Runs until `signal` aborts; resolves with the exit code. */
export async function runProxy(flags: ProxyFlags, ctx: { signal: AbortSignal; logger: Logger }): Promise<number> {
  const log = ctx.logger.with({ component: 'proxy' });
  const { runAgainstApi } = await import('./kubeconfig-client.js');
  const { createInformerFactory } = await import('../client/informers.js');
  const { realClock } = await import('../apimachinery/clock.js');
  const { runServiceProxy } = await import('./proxy-runner.js');
  return runAgainstApi({
    kubeconfig: flags.kubeconfig, context: flags.context, userAgent: 'kite-proxy', log,
    describe: `node ${flags.nodeName}; cluster CIDR ${flags.clusterCIDR}; NodePorts on ${flags.nodeIPs.join(', ') || 'every local address'}`,
    run: (client) => runServiceProxy({
      mode: flags.mode, informers: createInformerFactory(client, { clock: realClock, logger: ctx.logger }),
      nodeName: flags.nodeName, nodeIPs: flags.nodeIPs, clusterCIDR: flags.clusterCIDR, logger: ctx.logger,
    }, ctx.signal),
  });
}

const examples = `
Examples:
  $ kite proxy --kubeconfig /var/lib/kite/kubeconfig.yaml --node-name node1
  $ kite proxy --kubeconfig ./admin.yaml --node-name node1 --node-ip 192.0.2.11 --cluster-cidr 10.42.0.0/16
  $ nft list table ip kite-proxy
`;

export function registerProxyCommand(program: Command, io: { stdout: { write(s: string): unknown; isTTY?: boolean } }, setExitCode: (code: number) => void): void {
  program.command('proxy')
    .description('Run the service proxy (ClusterIP, NodePort, externalIPs, load-balancer IPs with nftables) against a Kite API server')
    .option('--kubeconfig <path>', 'kubeconfig to reach the API server with (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use (default: its current context)')
    .option('--node-name <name>', 'this node\'s name, for the Local traffic policies (required)')
    .option('--node-ip <ip>', 'address accepting NodePort traffic (repeatable) (default: every local address but loopback)', repeatable)
    .option('--cluster-cidr <cidr>', `the pod network; other clients of a ClusterIP are masqueraded (default: ${DEFAULT_NODE_CLUSTER_CIDR})`)
    .addOption(new Option('--proxy-mode <mode>', 'nftables, iptables or userspace (default: auto: the first of these the host supports)').choices([...PROXY_MODES]))
    .addOption(new Option('--log-format <format>', 'log format (default: text on a terminal, json otherwise)').choices(['json', 'text']))
    .addHelpText('after', examples)
    .action(async (raw: RawProxyFlags) => {
      const flags = parseProxyFlags(raw, { kubeconfigEnv: process.env.KUBECONFIG, home: homedir(), isTTY: io.stdout.isTTY === true });
      const logger = createLogger({ sink: { write: (line) => io.stdout.write(line) }, human: flags.logFormat === 'text' });
      setExitCode(await untilSignalled(logger, (signal) => runProxy(flags, { signal, logger })));
    });
}
