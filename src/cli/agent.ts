// `kite agent` — a node agent (the kubelet on containerd) that joins a cluster over HTTPS with
// node credentials obtained once with the join token — and the agent `kite server` runs
// in-process for its own node. Both check the host first (preflight.ts).
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import type { DirectHandler } from '../client/transport.js';
import type { Taint } from 'kubernetes-types/core/v1.js';
import { realClock } from '../apimachinery/clock.js';
import type { Logger } from '../apimachinery/log.js';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../apimachinery/validation.js';
import type { KubeletOptions } from '../kubelet/kubelet.js';
import { agentPaths } from '../kubelet/paths.js';
import { FlagError, defaultDataDir, parseLogFormat, type FlagEnvironment, type LogFormat } from './flags.js';
import {
  kubeletNetworkSettings, parseNodeNetworkFlags, realNodeNetworkParts, runNodeNetwork,
  type NodeNetworkFlags, type NodeNetworkParts, type RawNodeNetworkFlags,
} from './node-network.js';
import { processHost, runPreflight, type PreflightHost } from './preflight.js';

export const DEFAULT_CLUSTER_DNS = '10.43.0.10';
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
export const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';
export const NODES_GROUP = 'system:nodes';
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** The node flags `kite server` and `kite agent` share, as commander hands them over. */
export interface RawNodeFlags extends RawNodeNetworkFlags {
  nodeName?: string;
  nodeIp?: string;
  containerRuntimeEndpoint?: string;
  clusterDns?: string;
  clusterDomain?: string;
  nodeLabel?: string[];
  nodeTaint?: string[];
}

export interface NodeFlags {
  nodeName: string;
  nodeIP?: string;
  /** `unix:///path` of a containerd of the host's; default: the agent runs its own. */
  containerRuntimeEndpoint?: string;
  clusterDNS: string;
  clusterDomain: string;
  labels: Record<string, string>;
  taints: Taint[];
  /** The pod network, service proxy and network policy settings. */
  network: NodeNetworkFlags;
}

export interface RawAgentFlags extends RawNodeFlags {
  server?: string;
  token?: string;
  dataDir?: string;
  logFormat?: string;
}

export interface AgentFlags {
  /** `https://host:port` of the API server. */
  server: string;
  token?: string;
  dataDir: string;
  logFormat: LogFormat;
  node: NodeFlags;
}

/** `key=value` (a value may be empty) as a node label. */
export function parseNodeLabel(value: string): [string, string] {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new FlagError(`--node-label: "${value}" is not key=value`);
  const key = value.slice(0, eq).trim();
  const v = value.slice(eq + 1).trim();
  const errs = [...isQualifiedName(key).map((e) => `key: ${e}`), ...isValidLabelValue(v).map((e) => `value: ${e}`)];
  if (errs.length > 0) throw new FlagError(`--node-label: "${value}": ${errs.join('; ')}`);
  return [key, v];
}

/** `key=value:Effect` or `key:Effect` as a taint. */
export function parseNodeTaint(value: string): Taint {
  const colon = value.lastIndexOf(':');
  if (colon <= 0) throw new FlagError(`--node-taint: "${value}" is not key[=value]:Effect`);
  const effect = value.slice(colon + 1).trim();
  if (!TAINT_EFFECTS.includes(effect)) throw new FlagError(`--node-taint: effect "${effect}" of "${value}" is not one of ${TAINT_EFFECTS.join(', ')}`);
  const kv = value.slice(0, colon);
  const eq = kv.indexOf('=');
  const key = (eq < 0 ? kv : kv.slice(0, eq)).trim();
  const v = eq < 0 ? undefined : kv.slice(eq + 1).trim();
  const errs = [...isQualifiedName(key).map((e) => `key: ${e}`), ...(v ? isValidLabelValue(v).map((e) => `value: ${e}`) : [])];
  if (errs.length > 0) throw new FlagError(`--node-taint: "${value}": ${errs.join('; ')}`);
  return { key, ...(v ? { value: v } : {}), effect };
}

function parseNodeIP(flag: string, value: string): string {
  const ip = value.trim().replace(/^\[(.*)\]$/, '$1');
  if (isIP(ip) === 0) throw new FlagError(`${flag}: "${value}" is not an IP address`);
  return ip;
}

/** Node name, IP, runtime, DNS, labels and taints; the node name defaults to the host name, lowercased. */
export function parseNodeFlags(raw: RawNodeFlags, hostname: string): NodeFlags {
  const nodeName = (raw.nodeName ?? hostname).trim().toLowerCase();
  const nameErrs = isDNS1123Subdomain(nodeName);
  if (nameErrs.length > 0) {
    throw new FlagError(`--node-name: "${nodeName}" is not a valid node name (${nameErrs.join('; ')})${raw.nodeName === undefined ? '; the host name is the default, pass --node-name' : ''}`);
  }
  const flags: NodeFlags = {
    nodeName,
    clusterDNS: parseNodeIP('--cluster-dns', raw.clusterDns ?? DEFAULT_CLUSTER_DNS),
    clusterDomain: (raw.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN).trim().replace(/\.$/, ''),
    labels: Object.fromEntries((raw.nodeLabel ?? []).map(parseNodeLabel)),
    taints: (raw.nodeTaint ?? []).map(parseNodeTaint),
    network: parseNodeNetworkFlags(raw),
  };
  if (isDNS1123Subdomain(flags.clusterDomain).length > 0) throw new FlagError(`--cluster-domain: "${raw.clusterDomain}" is not a DNS domain`);
  if (raw.nodeIp !== undefined) flags.nodeIP = parseNodeIP('--node-ip', raw.nodeIp);
  if (raw.containerRuntimeEndpoint !== undefined) {
    const endpoint = raw.containerRuntimeEndpoint.trim();
    const path = endpoint.startsWith('unix://') ? endpoint.slice('unix://'.length) : endpoint.startsWith('/') ? endpoint : '';
    if (!path.startsWith('/')) throw new FlagError(`--container-runtime-endpoint: "${endpoint}" is not unix:///path/to/containerd.sock`);
    flags.containerRuntimeEndpoint = `unix://${path}`;
  }
  return flags;
}

export function parseAgentFlags(raw: RawAgentFlags, env: FlagEnvironment & { hostname: string }): AgentFlags {
  const server = (raw.server ?? '').trim();
  if (server === '') throw new FlagError('--server is required: the API server to join, as https://HOST:6443');
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new FlagError(`--server: "${server}" is not a URL; use https://HOST:6443`);
  }
  if (url.protocol !== 'https:' || url.hostname === '' || (url.pathname !== '/' && url.pathname !== '')) {
    throw new FlagError(`--server: "${server}" must be https://HOST[:PORT]`);
  }
  const flags: AgentFlags = {
    server: url.origin,
    dataDir: raw.dataDir !== undefined && raw.dataDir.trim() !== '' ? resolve(env.cwd, raw.dataDir) : defaultDataDir(env),
    logFormat: parseLogFormat(raw.logFormat, env.isTTY),
    node: parseNodeFlags(raw, env.hostname),
  };
  if (raw.token !== undefined && raw.token.trim() !== '') flags.token = raw.token.trim();
  return flags;
}

// ---------------------------------------------------------------------------------------------
// Running the kubelet

/** What the agent gives the kubelet. */
export type KubeletSettings = KubeletOptions;

export interface KubeletInstance {
  start(signal: AbortSignal): Promise<void>;
  ready: Promise<void>;
}

export type KubeletConstructor = new (opts: KubeletSettings) => KubeletInstance;

export interface AgentComponents {
  loadKubelet(): Promise<KubeletConstructor>;
  /** The machine the preflight checks; default the real one. */
  preflightHost?(print: (line: string) => void): Promise<PreflightHost>;
  /** The pod network, service proxy and DNS server run next to the kubelet; none without. */
  network?: NodeNetworkParts;
}

export const defaultAgentComponents: AgentComponents = {
  async loadKubelet() {
    const { Kubelet } = await import('../kubelet/kubelet.js');
    return Kubelet;
  },
  network: realNodeNetworkParts,
};

/**
 * Runs `run` (the kubelet) with the node's networking beside it: both stop when `signal` aborts
 * or `run` ends, and this resolves once the networking has cleaned up.
 */
async function withNodeNetwork<T>(client: KubeletSettings['client'], node: NodeFlags, components: AgentComponents, logger: Logger, signal: AbortSignal, run: () => Promise<T>): Promise<T> {
  if (!components.network) return run();
  // Stops with the agent, or when the kubelet ends on its own.
  const kubeletDone = new AbortController();
  const stop = AbortSignal.any([signal, kubeletDone.signal]);
  // The proxy, DNS server, pod network and their informers each listen on it.
  setMaxListeners(50, stop);
  const network = runNodeNetwork({
    client, nodeName: node.nodeName, ...(node.nodeIP ? { nodeIP: node.nodeIP } : {}), clusterDNS: node.clusterDNS, clusterDomain: node.clusterDomain,
    net: node.network, logger, signal: stop, parts: components.network,
  }).catch((err: unknown) => logger.with({ component: 'node-network' }).error(`failed: ${errorMessage(err)}`));
  try {
    return await run();
  } finally {
    kubeletDone.abort();
    await network;
  }
}

/** The host checks; resolves with the reason the agent cannot run, or undefined when it can. */
export async function agentPreflight(dataDir: string, node: NodeFlags, logger: Logger, components: AgentComponents): Promise<string | undefined> {
  const print = (line: string) => logger.info(line);
  const host = components.preflightHost ? await components.preflightHost(print) : await processHost(print);
  const { standardImageFiles } = await import('../kubelet/images/standard.js');
  const result = await runPreflight(host, {
    externalRuntime: node.containerRuntimeEndpoint !== undefined,
    needGcc: !existsSync(standardImageFiles(agentPaths(dataDir).images).pause),
  });
  return result.ok ? undefined : result.message;
}

/**
 * Runs the kubelet until `signal` aborts. Resolves once it has stopped; rejects when it fails to
 * start or stops on its own.
 */
export async function runKubelet(Kubelet: KubeletConstructor, settings: KubeletSettings, signal: AbortSignal): Promise<void> {
  const kubelet = new Kubelet(settings);
  const run = kubelet.start(signal);
  await Promise.race([kubelet.ready, run]);
  settings.logger.with({ component: 'agent' }).info(`node ${settings.nodeName} is running`);
  await run;
  // A start() that returns once running is stopped by the signal alone.
  if (!signal.aborted) await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
}

export interface AgentContext {
  signal: AbortSignal;
  logger: Logger;
  /** Names of this machine, for the serving certificate. */
  hostnames: string[];
  components?: AgentComponents;
}

/** `kite agent`: preflight, node credentials, then the kubelet until `signal` aborts; the exit code. */
export async function runAgent(flags: AgentFlags, ctx: AgentContext): Promise<number> {
  const { logger, signal } = ctx;
  const log = logger.with({ component: 'agent' });
  const components = ctx.components ?? defaultAgentComponents;
  const refusal = await agentPreflight(flags.dataDir, flags.node, log, components);
  if (refusal !== undefined) {
    log.error(refusal);
    return 1;
  }
  const { ensureAgentCredentials, CredentialsError } = await import('./agent-credentials.js');
  let creds;
  try {
    creds = await ensureAgentCredentials({
      dir: agentPaths(flags.dataDir).credentials, server: flags.server, token: flags.token, nodeName: flags.node.nodeName,
      addresses: [...(flags.node.nodeIP ? [flags.node.nodeIP] : []), ...ctx.hostnames], logger: log,
    });
  } catch (err) {
    log.error(err instanceof CredentialsError ? err.message : `node credentials: ${errorMessage(err)}`);
    return 1;
  }
  if (signal.aborted) return 0;
  const [{ ApiClient }, { httpsTransport }, Kubelet] = await Promise.all([
    import('../client/rest.js'), import('../client/transport.js'), components.loadKubelet(),
  ]);
  const client = new ApiClient(httpsTransport({ server: flags.server, ca: creds.caCert, cert: creds.clientCert, key: creds.clientKey }, 'kite-agent'));
  try {
    await withNodeNetwork(client, flags.node, components, logger, signal, () => runKubelet(Kubelet, {
      ...kubeletNodeSettings(flags.node), client, clock: realClock, logger, dataDir: flags.dataDir,
      serving: { cert: creds.servingCert, key: creds.servingKey, clientCA: creds.caCert },
    }, signal));
    log.info('stopped; containers keep running');
    return 0;
  } catch (err) {
    log.error(`kubelet: ${errorMessage(err)}`);
    return 1;
  } finally {
    client.close();
  }
}

export interface InProcessAgentOptions {
  /** A connection into the API server's handler, authenticated as `user`. */
  connect(user: { name: string; groups: string[] }): Duplex;
  /** Direct calls into the API server's handler as `user`, preferred to `connect` when given. */
  direct?(user: { name: string; groups: string[] }): DirectHandler;
  /** The cluster CA, which signs the kubelet's serving certificate here. */
  ca: { caCert: string; caKey: string };
  node: NodeFlags;
  dataDir: string;
  hostnames: string[];
  logger: Logger;
  signal: AbortSignal;
  components?: AgentComponents;
}

/**
 * The agent `kite server` runs for its own node: reaching the API in-process as
 * `system:node:<name>`, labelled as the control plane, with a serving certificate from the
 * server's CA. When the host checks fail it says why and the server goes on without it.
 */
export async function runInProcessAgent(opts: InProcessAgentOptions): Promise<void> {
  const log = opts.logger.with({ component: 'agent' });
  const components = opts.components ?? defaultAgentComponents;
  try {
    const refusal = await agentPreflight(opts.dataDir, opts.node, log, components);
    if (refusal !== undefined) {
      log.warn(`${refusal}; running the control plane only`);
      return;
    }
    if (opts.signal.aborted) return;
    const name = opts.node.nodeName;
    const [{ ApiClient }, { inProcessTransport, directTransport }, { issueCertificate }, Kubelet] = await Promise.all([
      import('../client/rest.js'), import('../client/transport.js'), import('../apiserver/pki/certificates.js'), components.loadKubelet(),
    ]);
    const serving = await issueCertificate(opts.ca, {
      commonName: `system:node:${name}`, organizations: [NODES_GROUP], usage: 'server',
      dnsNames: [...new Set([name, ...opts.hostnames, 'localhost'])], ips: [...new Set([...(opts.node.nodeIP ? [opts.node.nodeIP] : []), '127.0.0.1'])],
    });
    const user = { name: `system:node:${name}`, groups: [NODES_GROUP, 'system:masters'] };
    const client = new ApiClient(opts.direct ? directTransport(opts.direct(user), 'kite-agent') : inProcessTransport(() => opts.connect(user), 'kite-agent'));
    try {
      const settings = kubeletNodeSettings(opts.node);
      await withNodeNetwork(client, opts.node, components, opts.logger, opts.signal, () => runKubelet(Kubelet, {
        ...settings, labels: { [CONTROL_PLANE_LABEL]: 'true', ...settings.labels },
        client, clock: realClock, logger: opts.logger, dataDir: opts.dataDir,
        serving: { cert: serving.cert, key: serving.key, clientCA: opts.ca.caCert },
      }, opts.signal));
      log.info('stopped; containers keep running');
    } finally {
      client.close();
    }
  } catch (err) {
    log.error(`failed: ${errorMessage(err)}`);
  }
}

function kubeletNodeSettings(node: NodeFlags): Pick<KubeletSettings, 'nodeName' | 'nodeIP' | 'containerRuntimeEndpoint' | 'clusterDNS' | 'clusterDomain' | 'labels' | 'taints' | 'importImages' | 'waitForPodCIDR' | 'cniMasquerade' | 'cniMTU'> {
  return {
    ...kubeletNetworkSettings(node.network),
    nodeName: node.nodeName,
    ...(node.nodeIP ? { nodeIP: node.nodeIP } : {}),
    ...(node.containerRuntimeEndpoint ? { containerRuntimeEndpoint: node.containerRuntimeEndpoint } : {}),
    clusterDNS: [node.clusterDNS],
    clusterDomain: node.clusterDomain,
    labels: node.labels,
    taints: node.taints,
    importImages: true,
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
