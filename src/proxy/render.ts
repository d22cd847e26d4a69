// The ruleset as text for `nft -f`: the fixed skeleton of the proxy's table (base chains hooked at
// kube-proxy's priorities, the dispatch maps, the no-endpoint checks, masquerading) and, per
// ServicePort, its policy, external and endpoint chains, affinity sets and map elements. Pure
// functions of the model, so the whole dataplane is testable without root.
import {
  type EndpointModel, type NodeInfo, portPolicy, type ProxyModel, type ServicePortModel, servicePortKey,
} from './model.js';
import { affinitySetName, clusterChainName, endpointChainName, externalChainName, localChainName } from './names.js';

export const DEFAULT_TABLE = 'kite-proxy';
/** The packet mark asking the postrouting chain to masquerade (kube-proxy's bit). */
export const MASQUERADE_MARK = '0x4000';

export const SERVICE_IPS = 'service-ips';
export const SERVICE_NODEPORTS = 'service-nodeports';
export const NO_ENDPOINT_SERVICES = 'no-endpoint-services';
export const NO_ENDPOINT_NODEPORTS = 'no-endpoint-nodeports';
export const CLUSTER_IPS = 'cluster-ips';
export const NODEPORT_IPS = 'nodeport-ips';
const MARK_MASQ = 'mark-for-masquerade';
const REJECT = 'reject-chain';

/** What one ServicePort contributes to the table. */
export interface RenderedPort {
  key: string;
  /** Chain name → its rules, in order. */
  chains: Map<string, string[]>;
  /** Affinity set name → timeout in seconds. */
  sets: Map<string, number>;
  /** Elements of the maps and sets, by map name ("key : verdict", or just the key for sets). */
  elements: Map<string, string[]>;
}

function add(elements: Map<string, string[]>, map: string, element: string): void {
  const list = elements.get(map);
  if (list) list.push(element);
  else elements.set(map, [element]);
}

/** The chains, sets and elements of one ServicePort, following kube-proxy's nftables mode. */
export function renderServicePort(sp: ServicePortModel, node: NodeInfo): RenderedPort {
  const out: RenderedPort = { key: servicePortKey(sp), chains: new Map(), sets: new Map(), elements: new Map() };
  const policy = portPolicy(sp, node.nodeName);
  const { cluster, local, hasEndpoints, usesCluster, usesLocal, hasInternal, hasExternal, usesExternalChain } = policy;
  const proto = sp.protocol;
  const clusterChain = clusterChainName(sp);
  const localChain = localChainName(sp);
  const externalChain = externalChainName(sp);
  const internalChain = policy.internalChain === 'local' ? localChain : clusterChain;
  const externalPolicyChain = policy.externalChain === 'local' ? localChain : clusterChain;

  const rejectVerdict = `goto ${REJECT}`;
  const internalFilter = hasEndpoints ? 'drop' : rejectVerdict;
  const externalFilter = hasEndpoints ? 'drop' : rejectVerdict;
  const tuple = (ip: string, port: number) => `${ip} . ${proto} . ${port}`;

  add(out.elements, CLUSTER_IPS, sp.clusterIP);
  if (hasInternal) add(out.elements, SERVICE_IPS, `${tuple(sp.clusterIP, sp.port)} : goto ${internalChain}`);
  else add(out.elements, NO_ENDPOINT_SERVICES, `${tuple(sp.clusterIP, sp.port)} : ${internalFilter}`);
  for (const ip of [...sp.externalIPs, ...sp.loadBalancerIPs]) {
    if (hasEndpoints) add(out.elements, SERVICE_IPS, `${tuple(ip, sp.port)} : goto ${externalChain}`);
    if (!hasExternal) add(out.elements, NO_ENDPOINT_SERVICES, `${tuple(ip, sp.port)} : ${externalFilter}`);
  }
  if (sp.nodePort > 0) {
    if (hasEndpoints) add(out.elements, SERVICE_NODEPORTS, `${proto} . ${sp.nodePort} : goto ${externalChain}`);
    if (!hasExternal) add(out.elements, NO_ENDPOINT_NODEPORTS, `${proto} . ${sp.nodePort} : ${externalFilter}`);
  }

  const policyChains: [string, EndpointModel[]][] = [];
  if (usesCluster) policyChains.push([clusterChain, cluster]);
  if (usesLocal) policyChains.push([localChain, local]);

  // Off-cluster clients of a ClusterIP are masqueraded: the reply must come back through this node.
  const masqueradeOffCluster = node.clusterCIDR
    ? [`ip daddr ${sp.clusterIP} ${proto} dport ${sp.port} ip saddr != ${node.clusterCIDR} jump ${MARK_MASQ}`]
    : [];

  const reachable = new Map<string, EndpointModel>();
  for (const [chain, eps] of policyChains) {
    const rules = chain === internalChain && hasInternal ? [...masqueradeOffCluster] : [];
    if (sp.affinityTimeout !== undefined) {
      for (const ep of eps) rules.push(`ip saddr @${affinitySetName(sp, ep.ip, ep.port, sp.affinityTimeout)} goto ${endpointChainName(sp, ep.ip, ep.port)}`);
    }
    const choices = eps.map((ep, i) => `${i} : goto ${endpointChainName(sp, ep.ip, ep.port)}`).join(', ');
    rules.push(`numgen random mod ${eps.length} vmap { ${choices} }`);
    out.chains.set(chain, rules);
    for (const ep of eps) reachable.set(`${ep.ip}:${ep.port}`, ep);
  }

  if (usesExternalChain) {
    const rules: string[] = [];
    if (!sp.externalLocal) {
      // Cluster policy: the endpoint may be on another node, so the reply must return through this one.
      rules.push(`jump ${MARK_MASQ}`);
    } else {
      if (node.clusterCIDR) rules.push(`ip saddr ${node.clusterCIDR} goto ${clusterChain}`);
      rules.push(`fib saddr type local jump ${MARK_MASQ}`, `fib saddr type local goto ${clusterChain}`);
    }
    if (hasExternal) rules.push(`goto ${externalPolicyChain}`);
    out.chains.set(externalChain, rules);
  }

  for (const ep of reachable.values()) {
    const rules = [`ip saddr ${ep.ip} jump ${MARK_MASQ}`];
    if (sp.affinityTimeout !== undefined) {
      const set = affinitySetName(sp, ep.ip, ep.port, sp.affinityTimeout);
      out.sets.set(set, sp.affinityTimeout);
      rules.push(`update @${set} { ip saddr }`);
    }
    rules.push(`meta l4proto ${proto} dnat to ${ep.ip}:${ep.port}`);
    out.chains.set(endpointChainName(sp, ep.ip, ep.port), rules);
  }
  return out;
}

/** The dispatch maps and sets, all rebuilt on every sync. */
export const DISPATCH: { name: string; kind: 'map' | 'set'; type: string }[] = [
  { name: SERVICE_IPS, kind: 'map', type: 'ipv4_addr . inet_proto . inet_service : verdict' },
  { name: SERVICE_NODEPORTS, kind: 'map', type: 'inet_proto . inet_service : verdict' },
  { name: NO_ENDPOINT_SERVICES, kind: 'map', type: 'ipv4_addr . inet_proto . inet_service : verdict' },
  { name: NO_ENDPOINT_NODEPORTS, kind: 'map', type: 'inet_proto . inet_service : verdict' },
  { name: CLUSTER_IPS, kind: 'set', type: 'ipv4_addr' },
];

/** The table's fixed part: base chains, helper chains, dispatch maps. Applied on a full sync. */
export function renderSkeleton(table: string, node: NodeInfo): string[] {
  const T = `ip ${table}`;
  const lines = [`add table ${T}`, `delete table ${T}`, `add table ${T}`];
  const base: [string, string, string, number][] = [
    ['filter-input', 'filter', 'input', -110],
    ['filter-forward', 'filter', 'forward', -110],
    ['filter-output', 'filter', 'output', -110],
    ['filter-output-post-dnat', 'filter', 'output', -90],
    ['nat-prerouting', 'nat', 'prerouting', -100],
    ['nat-output', 'nat', 'output', -100],
    ['nat-postrouting', 'nat', 'postrouting', 100],
  ];
  for (const [name, type, hook, prio] of base) lines.push(`add chain ${T} ${name} { type ${type} hook ${hook} priority ${prio}; policy accept; }`);
  for (const name of ['services', 'service-endpoints-check', 'cluster-ips-check', REJECT, MARK_MASQ, 'masquerading']) lines.push(`add chain ${T} ${name}`);
  for (const d of DISPATCH) lines.push(`add ${d.kind} ${T} ${d.name} { type ${d.type}; }`);
  const nodePortMatch = node.nodeIPs.length > 0 ? `ip daddr @${NODEPORT_IPS}` : 'fib daddr type local ip daddr != 127.0.0.0/8';
  if (node.nodeIPs.length > 0) {
    lines.push(`add set ${T} ${NODEPORT_IPS} { type ipv4_addr; }`);
    lines.push(`add element ${T} ${NODEPORT_IPS} { ${node.nodeIPs.join(', ')} }`);
  }
  const rules: [string, string][] = [
    ['filter-input', 'ct state new jump service-endpoints-check'],
    ['filter-forward', 'ct state new jump service-endpoints-check'],
    ['filter-forward', 'ct state new jump cluster-ips-check'],
    ['filter-output', 'ct state new jump service-endpoints-check'],
    ['filter-output-post-dnat', 'ct state new jump cluster-ips-check'],
    ['nat-prerouting', 'jump services'],
    ['nat-output', 'jump services'],
    ['nat-postrouting', 'jump masquerading'],
    ['services', `ip daddr . meta l4proto . th dport vmap @${SERVICE_IPS}`],
    ['services', `${nodePortMatch} meta l4proto . th dport vmap @${SERVICE_NODEPORTS}`],
    ['service-endpoints-check', `ip daddr . meta l4proto . th dport vmap @${NO_ENDPOINT_SERVICES}`],
    ['service-endpoints-check', `${nodePortMatch} meta l4proto . th dport vmap @${NO_ENDPOINT_NODEPORTS}`],
    // A ClusterIP port no Service defines: DNAT has already rewritten every defined one.
    ['cluster-ips-check', `ip daddr @${CLUSTER_IPS} reject`],
    [REJECT, 'meta l4proto tcp reject with tcp reset'],
    [REJECT, 'reject'],
    [MARK_MASQ, `meta mark set meta mark | ${MASQUERADE_MARK}`],
    ['masquerading', `meta mark & ${MASQUERADE_MARK} == 0 return`],
    ['masquerading', `meta mark set meta mark ^ ${MASQUERADE_MARK}`],
    ['masquerading', 'masquerade fully-random'],
  ];
  for (const [chain, rule] of rules) lines.push(`add rule ${T} ${chain} ${rule}`);
  return lines;
}

/** One sync's work: which chains and sets to write, flush and delete. */
export interface SyncPlan {
  /** Recreate the table from nothing (first sync, or after a failed one). */
  full: boolean;
  /** Every current ServicePort (the dispatch maps are rebuilt from all of them). */
  ports: RenderedPort[];
  writeChains: Map<string, string[]>;
  addSets: Map<string, number>;
  /** Chains no longer referenced: emptied now, deleted by a later sync. */
  flushChains: string[];
  deleteChains: string[];
  deleteSets: string[];
}

/** The nft transaction (text for `nft -f -`) carrying out `plan`. */
export function renderPlan(table: string, node: NodeInfo, plan: SyncPlan): string {
  const T = `ip ${table}`;
  const lines = plan.full ? renderSkeleton(table, node) : DISPATCH.map((d) => `flush ${d.kind} ${T} ${d.name}`);
  for (const [name, timeout] of plan.addSets) lines.push(`add set ${T} ${name} { type ipv4_addr; flags dynamic,timeout; timeout ${timeout}s; }`);
  // Every chain exists before any rule or element jumps to it.
  for (const name of plan.writeChains.keys()) lines.push(`add chain ${T} ${name}`);
  for (const [name, rules] of plan.writeChains) {
    if (!plan.full) lines.push(`flush chain ${T} ${name}`);
    for (const rule of rules) lines.push(`add rule ${T} ${name} ${rule}`);
  }
  const elements = new Map<string, string[]>();
  for (const port of plan.ports) for (const [map, list] of port.elements) for (const e of list) add(elements, map, e);
  for (const d of DISPATCH) {
    // One element per key: the first Service to claim an address and port keeps it.
    const byKey = new Map<string, string>();
    for (const e of elements.get(d.name) ?? []) {
      const key = e.split(' : ')[0]!;
      if (!byKey.has(key)) byKey.set(key, e);
    }
    const list = [...byKey.values()];
    if (list.length > 0) lines.push(`add element ${T} ${d.name} { ${list.join(', ')} }`);
  }
  for (const name of plan.flushChains) lines.push(`flush chain ${T} ${name}`);
  for (const name of plan.deleteChains) lines.push(`delete chain ${T} ${name}`);
  for (const name of plan.deleteSets) lines.push(`delete set ${T} ${name}`);
  return `${lines.join('\n')}\n`;
}

/** The whole ruleset for `model`, as a full sync writes it. */
export function generateRuleset(model: ProxyModel, table = DEFAULT_TABLE): string {
  const ports = model.ports.map((sp) => renderServicePort(sp, model.node));
  const writeChains = new Map<string, string[]>();
  const addSets = new Map<string, number>();
  for (const p of ports) {
    for (const [name, rules] of p.chains) writeChains.set(name, rules);
    for (const [name, timeout] of p.sets) addSets.set(name, timeout);
  }
  return renderPlan(table, model.node, { full: true, ports, writeChains, addSets, flushChains: [], deleteChains: [], deleteSets: [] });
}
