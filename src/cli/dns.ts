// `kite dns`: the cluster DNS server as a process of its own, against any Kite API server reached
// with a kubeconfig. Names outside the cluster domain go to the host's resolvers (its
// /etc/resolv.conf, minus the cluster DNS address) unless --upstream names others.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { createLogger, type Logger } from '../apimachinery/log.js';
import { FlagError, parseLogFormat, type LogFormat } from './flags.js';
import { DEFAULT_CLUSTER_DNS } from './agent.js';
import { repeatable, untilSignalled } from './signals.js';

export const DEFAULT_DNS_LISTEN = '127.0.0.1:5353';

export interface RawDnsFlags {
  kubeconfig?: string;
  context?: string;
  listen?: string[];
  clusterDomain?: string;
  upstream?: string[];
  resolvConf?: string;
  logFormat?: string;
}

export interface DnsFlags {
  kubeconfig: string;
  context?: string;
  listen: string[];
  clusterDomain: string;
  /** Explicit upstreams; undefined means the resolv.conf's nameservers. */
  upstreams?: string[];
  resolvConf: string;
  logFormat: LogFormat;
}

export interface DnsEnvironment {
  kubeconfigEnv?: string;
  home: string;
  isTTY: boolean;
}

const ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[0-9.]+|[A-Za-z0-9.-]+):\d{1,5}$/;

export function parseDnsFlags(raw: RawDnsFlags, env: DnsEnvironment): DnsFlags {
  const fromEnv = env.kubeconfigEnv?.split(':').find((p) => p.trim() !== '');
  const listen = raw.listen?.length ? raw.listen : [DEFAULT_DNS_LISTEN];
  for (const a of listen) if (!ADDRESS.test(a)) throw new FlagError(`--listen: "${a}" is not host:port`);
  for (const a of raw.upstream ?? []) if (!ADDRESS.test(a)) throw new FlagError(`--upstream: "${a}" is not host:port`);
  const domain = (raw.clusterDomain ?? 'cluster.local').trim().replace(/^\.+|\.+$/g, '');
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(domain)) throw new FlagError(`--cluster-domain: "${raw.clusterDomain}" is not a domain name`);
  return {
    kubeconfig: raw.kubeconfig?.trim() || fromEnv || join(env.home, '.kube', 'config'),
    ...(raw.context ? { context: raw.context } : {}),
    listen,
    clusterDomain: domain,
    ...(raw.upstream?.length ? { upstreams: raw.upstream } : {}),
    resolvConf: raw.resolvConf ?? '/etc/resolv.conf',
    logFormat: parseLogFormat(raw.logFormat, env.isTTY),
  };
}

/** Runs until `signal` aborts; resolves with the exit code. */
export async function runDns(flags: DnsFlags, ctx: { signal: AbortSignal; logger: Logger }): Promise<number> {
  const log = ctx.logger.with({ component: 'dns' });
  const { upstreamsFromResolvConf } = await import('../dns/resolvconf.js');
  let upstreams = flags.upstreams;
  if (!upstreams) {
    const listenHosts = flags.listen.map((a) => a.slice(0, a.lastIndexOf(':')).replace(/^\[|\]$/g, ''));
    const text = await readFile(flags.resolvConf, 'utf8').catch(() => '');
    upstreams = upstreamsFromResolvConf(text, [DEFAULT_CLUSTER_DNS, ...listenHosts]);
    if (upstreams.length === 0) log.warn(`no nameservers in ${flags.resolvConf}: names outside ${flags.clusterDomain} will be refused`);
  }
  const { runAgainstApi } = await import('./kubeconfig-client.js');
  const { createInformerFactory } = await import('../client/informers.js');
  const { realClock } = await import('../apimachinery/clock.js');
  const { DnsServer } = await import('../dns/server.js');
  const servers = upstreams;
  return runAgainstApi({
    kubeconfig: flags.kubeconfig, context: flags.context, userAgent: 'kite-dns', log,
    describe: `domain ${flags.clusterDomain}; upstreams ${servers.join(', ') || 'none'}`,
    run: (client) => new DnsServer({
      informers: createInformerFactory(client, { clock: realClock, logger: ctx.logger }),
      listen: flags.listen, clusterDomain: flags.clusterDomain, upstreams: servers, logger: ctx.logger,
    }).start(ctx.signal),
  });
}

export interface DnsIO {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
}

const examples = `
Examples:
  $ kite dns --kubeconfig /var/lib/kite/kubeconfig.yaml
  $ kite dns --kubeconfig ./admin.yaml --listen 127.0.0.1:5353 --upstream 192.0.2.53:53
  $ dig @127.0.0.1 -p 5353 kubernetes.default.svc.cluster.local
`;

export function registerDnsCommand(program: Command, io: DnsIO, setExitCode: (code: number) => void): void {
  program.command('dns')
    .description('Run the cluster DNS server (Services, endpoints, pods; other names forwarded) against a Kite API server')
    .option('--kubeconfig <path>', 'kubeconfig to reach the API server with (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use (default: its current context)')
    .option('--listen <host:port>', `address to serve on, UDP and TCP (repeatable) (default: ${DEFAULT_DNS_LISTEN})`, repeatable)
    .option('--cluster-domain <domain>', 'the cluster domain answered from the API (default: cluster.local)')
    .option('--upstream <host:port>', 'resolver for other names (repeatable) (default: the nameservers of /etc/resolv.conf)', repeatable)
    .option('--resolv-conf <file>', 'resolv.conf to take the default upstreams from (default: /etc/resolv.conf)')
    .addOption(new Option('--log-format <format>', 'log format (default: text on a terminal, json otherwise)').choices(['json', 'text']))
    .addHelpText('after', examples)
    .action(async (raw: RawDnsFlags) => {
      const flags = parseDnsFlags(raw, { kubeconfigEnv: process.env.KUBECONFIG, home: homedir(), isTTY: io.stdout.isTTY === true });
      const logger = createLogger({ sink: { write: (line) => io.stdout.write(line) }, human: flags.logFormat === 'text' });
      setExitCode(await untilSignalled(logger, (signal) => runDns(flags, { signal, logger })));
    });
}
