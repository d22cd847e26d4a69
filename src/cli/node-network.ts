// The networking every node agent runs next to its kubelet: the pod network between nodes
// (src/network), the service proxy (src/proxy), NetworkPolicy enforcement (src/network/policy)
// and the cluster DNS server on the cluster DNS address (src/dns). Each part runs until the agent stops and then removes what it installed.
// A part that fails is logged and leaves the others running.
import { readFile } from 'node:fs/promises';
import type { Logger } from '../apimachinery/log.js';
import type { InformerFactory } from '../client/informer-types.js';
import type { ApiClient } from '../client/rest.js';
import { parseCIDR } from '../apimachinery/ipv4.js';
import { FlagError } from './flags.js';
import type { ProxyModeChoice } from './proxy-runner.js';

export const FLANNEL_BACKENDS = ['vxlan', 'host-gw', 'none'] as const;
export type FlannelBackend = (typeof FLANNEL_BACKENDS)[number];
export const PROXY_MODES: readonly ProxyModeChoice[] = ['auto', 'nftables', 'iptables', 'userspace'];
export type ProxyModeFlag = ProxyModeChoice;
export const DEFAULT_NODE_CLUSTER_CIDR = '10.42.0.0/16';
/** The MTU pods get over VXLAN: 50 bytes of encapsulation less than a 1500-byte link. */
export const VXLAN_POD_MTU = 1450;

export interface RawNodeNetworkFlags {
  flannelBackend?: string;
  clusterCidr?: string;
  proxyMode?: string;
  disableKubeProxy?: boolean;
  disableNetworkPolicy?: boolean;
}

export interface NodeNetworkFlags {
  /** How pod traffic crosses nodes; `none`: no pod network agent (the CNI bridge masquerades). */
  backend: FlannelBackend;
  /** The whole pod network: never masqueraded within it. */
  clusterCIDR: string;
  /** The service proxy's mode; false when disabled. */
  proxy: ProxyModeFlag | false;
  networkPolicy: boolean;
}

/** `--cluster-cidr` (default 10.42.0.0/16): any IPv4 CIDR. */
export function parseClusterCIDRFlag(value: string | undefined): string {
  const cidr = (value ?? DEFAULT_NODE_CLUSTER_CIDR).trim();
  if (!parseCIDR(cidr)) throw new FlagError(`--cluster-cidr: "${cidr}" is not an IPv4 CIDR`);
  return cidr;
}

/** `--proxy-mode` (default auto). */
export function parseProxyModeFlag(value: string | undefined): ProxyModeChoice {
  const mode = (value ?? 'auto').trim();
  if (!(PROXY_MODES as readonly string[]).includes(mode)) throw new FlagError(`--proxy-mode: "${mode}" is not one of ${PROXY_MODES.join(', ')}`);
  return mode as ProxyModeChoice;
}

export function parseNodeNetworkFlags(raw: RawNodeNetworkFlags): NodeNetworkFlags {
  const backend = (raw.flannelBackend ?? 'vxlan').trim();
  if (!(FLANNEL_BACKENDS as readonly string[]).includes(backend)) throw new FlagError(`--flannel-backend: "${backend}" is not one of ${FLANNEL_BACKENDS.join(', ')}`);
  const clusterCIDR = parseClusterCIDRFlag(raw.clusterCidr);
  const mode = parseProxyModeFlag(raw.proxyMode);
  return {
    backend: backend as FlannelBackend,
    clusterCIDR,
    proxy: raw.disableKubeProxy ? false : mode,
    networkPolicy: raw.disableNetworkPolicy !== true && backend !== 'none',
  };
}

/** What the kubelet's CNI bridge needs to know of the pod network. */
export function kubeletNetworkSettings(net: NodeNetworkFlags): { waitForPodCIDR: boolean; cniMasquerade: boolean; cniMTU?: number } {
  if (net.backend === 'none') return { waitForPodCIDR: false, cniMasquerade: true };
  return { waitForPodCIDR: true, cniMasquerade: false, ...(net.backend === 'vxlan' ? { cniMTU: VXLAN_POD_MTU } : {}) };
}

export interface NodeNetworkOptions {
  client: ApiClient;
  nodeName: string;
  nodeIP?: string;
  clusterDNS: string;
  clusterDomain: string;
  net: NodeNetworkFlags;
  logger: Logger;
  signal: AbortSignal;
  /** The parts to run; default the real ones (tests pass fakes). */
  parts?: NodeNetworkParts;
}

/** One part of the node's networking: runs until the signal aborts, then cleans up. */
export interface NetworkPart {
  name: string;
  start(signal: AbortSignal): Promise<void>;
}

export interface NodeNetworkParts {
  create(opts: Omit<NodeNetworkOptions, 'signal' | 'parts'>): Promise<NetworkPart[]>;
}

/** Runs every part until `opts.signal` aborts; resolves once all of them have cleaned up. */
export async function runNodeNetwork(opts: NodeNetworkOptions): Promise<void> {
  const log = opts.logger.with({ component: 'node-network' });
  const parts = await (opts.parts ?? realNodeNetworkParts).create(opts);
  log.info('starting', { parts: parts.map((p) => p.name), backend: opts.net.backend, clusterCIDR: opts.net.clusterCIDR });
  await Promise.all(parts.map(async (part) => {
    try {
      await part.start(opts.signal);
    } catch (err) {
      log.error(`${part.name} failed`, { error: err instanceof Error ? err.message : String(err) });
    }
  }));
}

export const realNodeNetworkParts: NodeNetworkParts = {
  async create(opts) {
    const [{ createInformerFactory }, { realClock }] = await Promise.all([import('../client/informers.js'), import('../apimachinery/clock.js')]);
    const informers = () => createInformerFactory(opts.client, { clock: realClock, logger: opts.logger });
    const parts: NetworkPart[] = [];
    if (opts.net.backend !== 'none') {
      const { PodNetwork } = await import('../network/agent.js');
      const network = new PodNetwork({
        client: opts.client, nodeName: opts.nodeName, backend: opts.net.backend, clusterCIDR: opts.net.clusterCIDR, logger: opts.logger,
        ...(opts.nodeIP ? { nodeIP: opts.nodeIP } : {}),
      });
      parts.push({ name: 'pod-network', start: (signal) => network.start(signal) });
    }
    if (opts.net.proxy !== false) parts.push(await proxyPart(opts, informers));
    if (opts.net.networkPolicy) parts.push(await policyPart(opts, informers));
    parts.push(await dnsPart(opts, informers));
    return parts;
  },
};

async function proxyPart(opts: Omit<NodeNetworkOptions, 'signal' | 'parts'>, informers: () => InformerFactory): Promise<NetworkPart> {
  const { runServiceProxy } = await import('./proxy-runner.js');
  const mode = opts.net.proxy === false ? 'auto' : opts.net.proxy;
  return {
    name: 'proxy',
    start: (signal) => runServiceProxy({
      mode, informers: informers(), nodeName: opts.nodeName, nodeIPs: opts.nodeIP ? [opts.nodeIP] : [], clusterCIDR: opts.net.clusterCIDR, logger: opts.logger,
    }, signal),
  };
}

/** NetworkPolicies of this node's pods, enforced in the forward path. */
async function policyPart(opts: Omit<NodeNetworkOptions, 'signal' | 'parts'>, informers: () => InformerFactory): Promise<NetworkPart> {
  const { NetworkPolicyEnforcer } = await import('../network/policy/index.js');
  return {
    name: 'network-policy',
    start: (signal) => new NetworkPolicyEnforcer({ informers: informers(), nodeName: opts.nodeName, logger: opts.logger }).start(signal),
  };
}

/**
 * The cluster DNS server on this node: the cluster DNS address is added to `lo` (so pods reach it
 * through their gateway, and the node itself too) and removed again when the agent stops.
 */
async function dnsPart(opts: Omit<NodeNetworkOptions, 'signal' | 'parts'>, informers: () => InformerFactory): Promise<NetworkPart> {
  const [{ DnsServer }, { upstreamsFromResolvConf }, { execRunner }] = await Promise.all([
    import('../dns/server.js'), import('../dns/resolvconf.js'), import('../network/runner.js'),
  ]);
  const log = opts.logger.with({ component: 'dns' });
  const address = `${opts.clusterDNS}/32`;
  return {
    name: 'dns',
    async start(signal) {
      const upstreams = upstreamsFromResolvConf(await readFile('/etc/resolv.conf', 'utf8').catch(() => ''), [opts.clusterDNS]);
      await execRunner('ip', ['addr', 'replace', address, 'dev', 'lo']);
      try {
        await new DnsServer({
          informers: informers(), listen: [`${opts.clusterDNS}:53`], clusterDomain: opts.clusterDomain, upstreams, logger: opts.logger,
        }).start(signal);
      } finally {
        await execRunner('ip', ['addr', 'del', address, 'dev', 'lo']).catch((err: unknown) => log.warn(`could not remove ${address} from lo`, { error: String(err) }));
      }
    },
  };
}
