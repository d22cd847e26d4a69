// Starting the service proxy in the mode the host allows, for `kite proxy` and every node agent:
// `auto` takes nftables when nft works, else iptables, else the userspace proxy (as kube-proxy
// falls back). Rules a run in another kernel mode left behind are removed first.
import type { Logger } from '../apimachinery/log.js';
import type { InformerFactory } from '../client/informer-types.js';

export type ProxyModeChoice = 'auto' | 'nftables' | 'iptables' | 'userspace';

export interface ServiceProxyOptions {
  mode: ProxyModeChoice;
  informers: InformerFactory;
  nodeName: string;
  /** Addresses accepting NodePort traffic; none means every local address. */
  nodeIPs: string[];
  clusterCIDR: string;
  logger: Logger;
}

/** Runs the proxy until `signal` aborts; it removes its rules (or addresses) when it stops. */
export async function runServiceProxy(opts: ServiceProxyOptions, signal: AbortSignal): Promise<void> {
  const log = opts.logger.with({ component: 'proxy' });
  const [{ detectProxyMode }, { cleanupTable }, { cleanupIptables, iptablesAvailable }, { DEFAULT_TABLE }] = await Promise.all([
    import('../proxy/mode.js'), import('../proxy/nft.js'), import('../proxy/iptables.js'), import('../proxy/render.js'),
  ]);
  const mode = opts.mode === 'auto' ? await detectProxyMode() : opts.mode;
  log.info(`proxy mode ${mode}${opts.mode === 'auto' ? ' (detected)' : ''}`, { node: opts.nodeName });
  // What an earlier run in another mode may have left.
  if (mode !== 'nftables') await cleanupTable(DEFAULT_TABLE).catch(() => undefined);
  if (mode !== 'iptables' && (await iptablesAvailable())) await cleanupIptables().catch(() => undefined);
  if (mode === 'userspace') {
    const { UserspaceProxier } = await import('../proxy/userspace.js');
    await new UserspaceProxier({ informers: opts.informers, nodeName: opts.nodeName, nodeIPs: opts.nodeIPs, logger: opts.logger }).start(signal);
    return;
  }
  const { Proxier } = await import('../proxy/proxier.js');
  await new Proxier({
    informers: opts.informers, nodeName: opts.nodeName, nodeIPs: opts.nodeIPs, clusterCIDR: opts.clusterCIDR, logger: opts.logger, mode,
  }).start(signal);
}
