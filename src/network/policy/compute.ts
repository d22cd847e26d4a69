// From the plain model to the ruleset this node programs, as pure data: for every local pod that
// some policy isolates in a direction, one chain holding the union of the rules of the policies
// selecting it (ending in drop), entered through a verdict map keyed by the pod's address; the
// peers of each rule live in a named set, so a pod appearing or changing labels touches only sets.
import { createHash } from 'node:crypto';
import { everything, nothing, selectorFromLabelSelector, type LabelSelector, type LabelSelectorSpec } from '../../apimachinery/labels.js';
import { parseIPv4 } from '../../apimachinery/ipv4.js';
import { cidrRange, formatRange, mergeRanges, rangesContain, subtractRanges, type Range } from './intervals.js';
import { PROTOCOLS, type Direction, type PeerSpec, type PodInfo, type PolicyInfo, type PolicyModel, type Protocol, type RuleSpec } from './model.js';

/** `addr`: an interval set of addresses; `addrPort`: address . protocol . port (named ports). */
export interface SetDef {
  type: 'addr' | 'addrPort';
  elements: string[];
}

export interface Ruleset {
  /** Local pod address → the chain judging traffic to it, for pods isolated for ingress. */
  ingress: Map<string, string>;
  /** Local pod address → the chain judging traffic from it, for pods isolated for egress. */
  egress: Map<string, string>;
  chains: Map<string, string[]>;
  sets: Map<string, SetDef>;
}

export const podChainName = (dir: Direction, ip: string) => `pod-${dir}/${ip}`;

const MAX_NAME = 240;
function ruleSetName(kind: 'peers' | 'ports', p: PolicyInfo, dir: Direction, index: number): string {
  const base = `${p.namespace}/${p.name}/${dir}/${index}`;
  const hash = createHash('sha256').update(base).digest('hex').slice(0, 8).toUpperCase();
  const name = `${kind}-${hash}-${base}`;
  return name.length > MAX_NAME ? `${name.slice(0, MAX_NAME - 3)}...` : name;
}

/** A selector that does not parse selects nothing (the API server would have refused it). */
function selector(spec: LabelSelectorSpec | null | undefined, absent: 'all' | 'none'): LabelSelector {
  if (spec === null || spec === undefined) return absent === 'all' ? everything() : nothing();
  try {
    return selectorFromLabelSelector(spec);
  } catch {
    return nothing();
  }
}

function protocolOf(value: string | null | undefined): Protocol | undefined {
  const p = (value ?? 'TCP') as Protocol;
  return PROTOCOLS.includes(p) ? p : undefined;
}

class RulesetBuilder {
  readonly out: Ruleset = { ingress: new Map(), egress: new Map(), chains: new Map(), sets: new Map() };
  /** Pods that can be peers: hostNetwork pods carry the node's address, not a pod's. */
  private readonly peerPods: PodInfo[];
  private readonly nsLabels: Map<string, Record<string, string>>;
  private readonly peerRangesCache = new Map<string, Range[]>();

  constructor(private readonly model: PolicyModel) {
    this.peerPods = model.pods.filter((p) => !p.hostNetwork && parseIPv4(p.ip) !== undefined);
    this.nsLabels = new Map(model.namespaces.map((n) => [n.name, n.labels]));
  }

  build(): Ruleset {
    const policies = [...this.model.policies].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
    const selectors = new Map(policies.map((p) => [p, selector(p.podSelector, 'all')]));
    const targets = this.model.pods
      .filter((p) => p.nodeName === this.model.nodeName && !p.hostNetwork && parseIPv4(p.ip) !== undefined)
      .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
    for (const pod of targets) {
      const selecting = policies.filter((p) => p.namespace === pod.namespace && selectors.get(p)!.matches(pod.labels));
      for (const dir of ['ingress', 'egress'] as const) {
        const isolating = selecting.filter((p) => (dir === 'ingress' ? p.ingressIsolation : p.egressIsolation));
        const map = this.out[dir];
        if (isolating.length === 0 || map.has(pod.ip)) continue;
        const chain = podChainName(dir, pod.ip);
        map.set(pod.ip, chain);
        this.out.chains.set(chain, this.podChain(pod, dir, isolating));
      }
    }
    return this.out;
  }

  /** The pod itself first (a pod cannot block its own traffic), then every rule, then drop. */
  private podChain(pod: PodInfo, dir: Direction, policies: PolicyInfo[]): string[] {
    const addr = dir === 'ingress' ? 'ip saddr' : 'ip daddr';
    const rules = [`${addr} ${pod.ip} return`];
    for (const policy of policies) {
      policy[dir].forEach((rule, index) => rules.push(...this.ruleLines(pod, dir, policy, rule, index)));
    }
    rules.push('drop');
    return [...new Set(rules)];
  }

  private ruleLines(pod: PodInfo, dir: Direction, policy: PolicyInfo, rule: RuleSpec, index: number): string[] {
    const addr = dir === 'ingress' ? 'ip saddr' : 'ip daddr';
    const hasPeers = (rule.peers ?? []).length > 0;
    const peer = hasPeers ? `${addr} @${this.peerSet(policy, dir, index, rule)} ` : '';
    const ports = rule.ports ?? [];
    if (ports.length === 0) return [`${peer}return`];
    const lines: string[] = [];
    const named: { name: string; protocol: Protocol }[] = [];
    for (const p of ports) {
      const protocol = protocolOf(p.protocol);
      if (!protocol) continue;
      const l4 = protocol.toLowerCase();
      if (p.port === null || p.port === undefined) {
        lines.push(`${peer}meta l4proto ${l4} return`);
      } else if (typeof p.port === 'number') {
        const range = typeof p.endPort === 'number' && p.endPort > p.port ? `${p.port}-${p.endPort}` : `${p.port}`;
        lines.push(`${peer}${l4} dport ${range} return`);
      } else if (dir === 'ingress') {
        // Named ports resolve against the destination pod: here, the pod this chain guards.
        for (const cp of pod.ports) if (cp.name === p.port && cp.protocol === protocol) lines.push(`${peer}${l4} dport ${cp.port} return`);
      } else {
        named.push({ name: p.port, protocol });
      }
    }
    if (named.length > 0) lines.push(`ip daddr . meta l4proto . th dport @${this.namedPortSet(policy, index, rule, named)} return`);
    return lines;
  }

  /** Every address a rule's peers cover: selected pods (on any node) and ipBlocks less their excepts. */
  private peerRanges(policy: PolicyInfo, dir: Direction, index: number, rule: RuleSpec): Range[] {
    const key = `${policy.namespace}/${policy.name}/${dir}/${index}`;
    const cached = this.peerRangesCache.get(key);
    if (cached) return cached;
    const ranges = mergeRanges((rule.peers ?? []).flatMap((peer) => this.rangesOfPeer(policy, peer)));
    this.peerRangesCache.set(key, ranges);
    return ranges;
  }

  private rangesOfPeer(policy: PolicyInfo, peer: PeerSpec): Range[] {
    if (peer.ipBlock) {
      const block = cidrRange(peer.ipBlock.cidr);
      if (!block) return [];
      const holes = (peer.ipBlock.except ?? []).map(cidrRange).filter((r): r is Range => r !== undefined);
      return subtractRanges([block], holes);
    }
    const hasNs = peer.namespaceSelector !== null && peer.namespaceSelector !== undefined;
    const hasPod = peer.podSelector !== null && peer.podSelector !== undefined;
    if (!hasNs && !hasPod) return [];
    const nsSel = hasNs ? selector(peer.namespaceSelector, 'none') : undefined;
    const podSel = selector(peer.podSelector, 'all');
    const out: Range[] = [];
    for (const p of this.peerPods) {
      const inNamespace = nsSel ? nsSel.matches(this.nsLabels.get(p.namespace) ?? { 'kubernetes.io/metadata.name': p.namespace }) : p.namespace === policy.namespace;
      if (inNamespace && podSel.matches(p.labels)) {
        const n = parseIPv4(p.ip)!;
        out.push([n, n]);
      }
    }
    return out;
  }

  private peerSet(policy: PolicyInfo, dir: Direction, index: number, rule: RuleSpec): string {
    const name = ruleSetName('peers', policy, dir, index);
    if (!this.out.sets.has(name)) {
      this.out.sets.set(name, { type: 'addr', elements: this.peerRanges(policy, dir, index, rule).map(formatRange) });
    }
    return name;
  }

  /** Egress to a named port: the pods among the peers that have a port of that name and protocol. */
  private namedPortSet(policy: PolicyInfo, index: number, rule: RuleSpec, named: { name: string; protocol: Protocol }[]): string {
    const name = ruleSetName('ports', policy, 'egress', index);
    if (this.out.sets.has(name)) return name;
    const hasPeers = (rule.peers ?? []).length > 0;
    const ranges = hasPeers ? this.peerRanges(policy, 'egress', index, rule) : undefined;
    const elements = new Set<string>();
    for (const p of this.peerPods) {
      if (ranges && !rangesContain(ranges, parseIPv4(p.ip)!)) continue;
      for (const want of named) {
        for (const cp of p.ports) if (cp.name === want.name && cp.protocol === want.protocol) elements.add(`${p.ip} . ${want.protocol.toLowerCase()} . ${cp.port}`);
      }
    }
    this.out.sets.set(name, { type: 'addrPort', elements: [...elements].sort() });
    return name;
  }
}

/** The ruleset enforcing `model.policies` for the pods of `model.nodeName`. */
export function computeRuleset(model: PolicyModel): Ruleset {
  return new RulesetBuilder(model).build();
}
