// The iptables mode's ruleset as input for `iptables-restore --noflush`, laid out as kube-proxy's
// iptables mode lays out its KUBE-* chains, under our own KITE- prefix. Every sync rewrites all
// KITE-* chains (declaring a chain flushes it), deletes the ones no longer wanted and inserts the
// jumps from the built-in chains that are missing. Pure functions of the model and of what
// iptables-save showed, so the whole ruleset is testable without root.
import { type EndpointModel, type NodeInfo, portPolicy, type ProxyModel, type ServicePortModel } from './model.js';
import {
  EXTERNAL_SERVICES, extChain, FORWARD, MARK_MASQ, NODEPORTS, POSTROUTING, SERVICES, sepChain, servicePortName, svcChain, svlChain,
} from './iptables-names.js';
import { MASQUERADE_MARK } from './render.js';

export type IptablesTable = 'filter' | 'nat';

/** A rule in a built-in chain sending packets into ours; inserted once, deleted on cleanup. */
export interface JumpRule {
  table: IptablesTable;
  chain: string;
  target: string;
  /** Matches before `-j target`. */
  match: string;
}

const NEW = '-m conntrack --ctstate NEW';
/** In the order they stand at the head of each built-in chain. */
export const JUMPS: JumpRule[] = [
  { table: 'filter', chain: 'INPUT', target: EXTERNAL_SERVICES, match: `${NEW} -m comment --comment "kite externally-visible service portals"` },
  { table: 'filter', chain: 'FORWARD', target: FORWARD, match: '-m comment --comment "kite forwarding rules"' },
  { table: 'filter', chain: 'FORWARD', target: SERVICES, match: `${NEW} -m comment --comment "kite service portals"` },
  { table: 'filter', chain: 'FORWARD', target: EXTERNAL_SERVICES, match: `${NEW} -m comment --comment "kite externally-visible service portals"` },
  { table: 'filter', chain: 'OUTPUT', target: SERVICES, match: `${NEW} -m comment --comment "kite service portals"` },
  { table: 'nat', chain: 'PREROUTING', target: SERVICES, match: '-m comment --comment "kite service portals"' },
  { table: 'nat', chain: 'OUTPUT', target: SERVICES, match: '-m comment --comment "kite service portals"' },
  { table: 'nat', chain: 'POSTROUTING', target: POSTROUTING, match: '-m comment --comment "kite postrouting rules"' },
];

export const jumpKey = (table: IptablesTable, chain: string, target: string) => `${table} ${chain} ${target}`;

/** What iptables-save showed of ours: KITE-* chains per table, and jumps by `jumpKey`. */
export interface ExistingIptables {
  chains: Record<IptablesTable, Set<string>>;
  jumps: Set<string>;
}

export const nothingExisting = (): ExistingIptables => ({ chains: { filter: new Set(), nat: new Set() }, jumps: new Set() });

/** Chains and their rules (without the `-A CHAIN` prefix), in order. */
type Chains = Map<string, string[]>;

function rule(chains: Chains, chain: string, text: string): void {
  const list = chains.get(chain);
  if (list) list.push(text);
  else chains.set(chain, [text]);
}

const FIXED: Record<IptablesTable, string[]> = {
  filter: [SERVICES, EXTERNAL_SERVICES, NODEPORTS, FORWARD],
  nat: [SERVICES, NODEPORTS, POSTROUTING, MARK_MASQ],
};

const comment = (text: string) => `-m comment --comment "${text}"`;
const l4 = (sp: ServicePortModel) => `-m ${sp.protocol} -p ${sp.protocol}`;
const dest = (sp: ServicePortModel, ip: string) => `${l4(sp)} -d ${ip} --dport ${sp.port}`;

/** One ServicePort's rules in both tables, following kube-proxy's iptables mode. */
export function renderPortRules(sp: ServicePortModel, node: NodeInfo, nat: Chains, filter: Chains): void {
  const policy = portPolicy(sp, node.nodeName);
  const { cluster, local, hasEndpoints, usesCluster, usesLocal, hasInternal, hasExternal, usesExternalChain } = policy;
  const name = servicePortName(sp);
  const clusterChain = svcChain(sp);
  const localChain = svlChain(sp);
  const externalChain = extChain(sp);
  const internalChain = policy.internalChain === 'local' ? localChain : clusterChain;
  const externalPolicyChain = policy.externalChain === 'local' ? localChain : clusterChain;

  // Without endpoints anywhere the client is told at once (REJECT); with endpoints elsewhere only,
  // a Local policy drops, as kube-proxy does.
  const [internalFilter, internalWhy] = hasEndpoints ? ['DROP', 'has no local endpoints'] : ['REJECT', 'has no endpoints'];
  const [externalFilter, externalWhy] = hasEndpoints ? ['DROP', 'has no local endpoints'] : ['REJECT', 'has no endpoints'];

  if (hasInternal) rule(nat, SERVICES, `${comment(`${name} cluster IP`)} ${dest(sp, sp.clusterIP)} -j ${internalChain}`);
  else rule(filter, SERVICES, `${comment(`${name} ${internalWhy}`)} ${dest(sp, sp.clusterIP)} -j ${internalFilter}`);
  for (const [ips, what] of [[sp.externalIPs, 'external IP'], [sp.loadBalancerIPs, 'loadbalancer IP']] as const) {
    for (const ip of ips) {
      if (hasEndpoints) rule(nat, SERVICES, `${comment(`${name} ${what}`)} ${dest(sp, ip)} -j ${externalChain}`);
      if (!hasExternal) rule(filter, EXTERNAL_SERVICES, `${comment(`${name} ${externalWhy}`)} ${dest(sp, ip)} -j ${externalFilter}`);
    }
  }
  if (sp.nodePort > 0) {
    const match = `${l4(sp)} --dport ${sp.nodePort}`;
    if (hasEndpoints) rule(nat, NODEPORTS, `${comment(name)} ${match} -j ${externalChain}`);
    if (!hasExternal) rule(filter, NODEPORTS, `${comment(`${name} ${externalWhy}`)} ${match} -j ${externalFilter}`);
  }

  const policies: [string, EndpointModel[]][] = [];
  if (usesCluster) policies.push([clusterChain, cluster]);
  if (usesLocal) policies.push([localChain, local]);
  const reachable = new Map<string, EndpointModel>();
  for (const [chain, eps] of policies) {
    // Off-cluster clients of a ClusterIP are masqueraded: the reply must come back through this node.
    if (chain === internalChain && hasInternal && node.clusterCIDR) {
      rule(nat, chain, `${comment(`${name} cluster IP`)} ${dest(sp, sp.clusterIP)} ! -s ${node.clusterCIDR} -j ${MARK_MASQ}`);
    }
    if (sp.affinityTimeout !== undefined) {
      for (const ep of eps) {
        const sep = sepChain(sp, ep.ip, ep.port);
        rule(nat, chain, `${comment(`${name} -> ${ep.ip}:${ep.port}`)} -m recent --name ${sep} --rcheck --seconds ${sp.affinityTimeout} --reap -j ${sep}`);
      }
    }
    // The i-th of n endpoints takes 1/(n-i) of what the ones before it left: a uniform choice.
    eps.forEach((ep, i) => {
      const odds = i < eps.length - 1 ? ` -m statistic --mode random --probability ${(1 / (eps.length - i)).toFixed(10)}` : '';
      rule(nat, chain, `${comment(`${name} -> ${ep.ip}:${ep.port}`)}${odds} -j ${sepChain(sp, ep.ip, ep.port)}`);
      reachable.set(`${ep.ip}:${ep.port}`, ep);
    });
  }

  if (usesExternalChain) {
    if (!sp.externalLocal) {
      // Cluster policy: the endpoint may be on another node, so the reply must return through this one.
      rule(nat, externalChain, `${comment(`masquerade traffic for ${name} external destinations`)} -j ${MARK_MASQ}`);
    } else {
      if (node.clusterCIDR) rule(nat, externalChain, `${comment(`pod traffic for ${name} external destinations`)} -s ${node.clusterCIDR} -j ${clusterChain}`);
      rule(nat, externalChain, `${comment(`masquerade LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j ${MARK_MASQ}`);
      rule(nat, externalChain, `${comment(`route LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j ${clusterChain}`);
    }
    if (hasExternal) rule(nat, externalChain, `-j ${externalPolicyChain}`);
  }

  for (const ep of reachable.values()) {
    const sep = sepChain(sp, ep.ip, ep.port);
    // Hairpin: an endpoint reaching the Service and landing on itself.
    rule(nat, sep, `${comment(name)} -s ${ep.ip} -j ${MARK_MASQ}`);
    const affinity = sp.affinityTimeout !== undefined ? ` -m recent --name ${sep} --set` : '';
    rule(nat, sep, `${comment(name)}${affinity} ${l4(sp)} -j DNAT --to-destination ${ep.ip}:${ep.port}`);
  }
}

/** The rules of the fixed chains that do not depend on any Service. */
function renderFixed(node: NodeInfo, nat: Chains, filter: Chains): void {
  rule(nat, MARK_MASQ, `-j MARK --or-mark ${MASQUERADE_MARK}`);
  rule(nat, POSTROUTING, `-m mark ! --mark ${MASQUERADE_MARK}/${MASQUERADE_MARK} -j RETURN`);
  // Cleared so that the packet, if it passes through this host again, is not masqueraded twice.
  rule(nat, POSTROUTING, `-j MARK --xor-mark ${MASQUERADE_MARK}`);
  rule(nat, POSTROUTING, `${comment('kite service traffic requiring SNAT')} -j MASQUERADE --random-fully`);
  rule(filter, FORWARD, `${comment('kite forwarding rules')} -m mark --mark ${MASQUERADE_MARK}/${MASQUERADE_MARK} -j ACCEPT`);
  rule(filter, FORWARD, `${comment('kite forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
}

/** NodePorts are matched last, on the node addresses (or every local address but loopback). */
function nodePortDispatch(node: NodeInfo): string[] {
  const note = comment('kite service nodeports; NOTE: this must be the last rule in this chain');
  return node.nodeIPs.length > 0
    ? node.nodeIPs.map((ip) => `${note} -d ${ip} -j ${NODEPORTS}`)
    : [`${note} ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j ${NODEPORTS}`];
}

function renderTable(table: IptablesTable, chains: Chains, existing: ExistingIptables): string[] {
  const lines = [`*${table}`];
  const stale = [...existing.chains[table]].filter((c) => !chains.has(c)).sort();
  // Declaring a chain creates it or flushes it; stale chains are emptied before they are deleted.
  for (const name of [...chains.keys(), ...stale]) lines.push(`:${name} - [0:0]`);
  for (const [name, rules] of chains) for (const r of rules) lines.push(`-A ${name} ${r}`);
  for (const name of stale) lines.push(`-X ${name}`);
  const missing = JUMPS.filter((j) => j.table === table && !existing.jumps.has(jumpKey(j.table, j.chain, j.target)));
  // Inserted at the head, last first, so that they end up in JUMPS' order.
  for (const j of missing.reverse()) lines.push(`-I ${j.chain} 1 ${j.match} -j ${j.target}`);
  lines.push('COMMIT');
  return lines;
}

/** The `iptables-restore --noflush` input making the KITE-* chains hold exactly `model`. */
export function renderIptables(model: ProxyModel, existing: ExistingIptables = nothingExisting()): string {
  const nat: Chains = new Map(FIXED.nat.map((c) => [c, []]));
  const filter: Chains = new Map(FIXED.filter.map((c) => [c, []]));
  renderFixed(model.node, nat, filter);
  for (const sp of model.ports) renderPortRules(sp, model.node, nat, filter);
  for (const r of nodePortDispatch(model.node)) {
    rule(nat, SERVICES, r);
    rule(filter, EXTERNAL_SERVICES, r);
  }
  return `${[...renderTable('filter', filter, existing), ...renderTable('nat', nat, existing)].join('\n')}\n`;
}
