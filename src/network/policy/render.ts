// The ruleset as nft transactions. The first sync (and any after a failure) replaces the whole
// table in one transaction; later ones touch only what differs from what the kernel holds: sets
// whose elements changed, chains whose rules changed, and the two verdict maps. Chains that fell
// out of use are emptied at once and deleted by a later sync (a kernel before 6.2 may still count
// a reference from a map element removed in the same transaction).
import type { Ruleset, SetDef } from './compute.js';

export const DEFAULT_TABLE = 'kite-netpol';
export const INGRESS_MAP = 'ingress-pods';
export const EGRESS_MAP = 'egress-pods';
export const BASE_CHAIN = 'forward';

/** What the kernel holds after the last successful transaction. */
export interface AppliedState {
  /** Chain name → its rules joined by newlines. */
  chains: Map<string, string>;
  /** Set name → its type and elements. */
  sets: Map<string, string>;
  maps: { ingress: string; egress: string };
  /** Emptied chains waiting for deletion → when they fell out of use (ms). */
  stale: Map<string, number>;
}

export interface Transaction {
  /** nft input; empty when nothing differs. */
  text: string;
  next: AppliedState;
}

const SET_TYPES: Record<SetDef['type'], string> = {
  addr: 'type ipv4_addr; flags interval;',
  addrPort: 'type ipv4_addr . inet_proto . inet_service;',
};

const setKey = (s: SetDef) => `${s.type}:${s.elements.join(',')}`;
const mapElements = (m: Map<string, string>) => [...m].sort(([a], [b]) => a.localeCompare(b)).map(([ip, chain]) => `${ip} : jump ${chain}`).join(', ');

function baseChain(T: string): string[] {
  return [
    `add chain ${T} ${BASE_CHAIN} { type filter hook forward priority filter; policy accept; }`,
    // Replies of connections that were allowed pass whatever the policies say now.
    `add rule ${T} ${BASE_CHAIN} ct state established,related accept`,
    // Egress first: its chains return when allowed, so the destination's ingress is judged next.
    `add rule ${T} ${BASE_CHAIN} ip saddr vmap @${EGRESS_MAP}`,
    `add rule ${T} ${BASE_CHAIN} ip daddr vmap @${INGRESS_MAP}`,
  ];
}

function writeSet(T: string, name: string, set: SetDef, exists: boolean): string[] {
  const lines = exists ? [`flush set ${T} ${name}`] : [`add set ${T} ${name} { ${SET_TYPES[set.type]} }`];
  if (set.elements.length > 0) lines.push(`add element ${T} ${name} { ${set.elements.join(', ')} }`);
  return lines;
}

function writeMap(T: string, name: string, elements: string, exists: boolean): string[] {
  const lines = exists ? [`flush map ${T} ${name}`] : [`add map ${T} ${name} { type ipv4_addr : verdict; }`];
  if (elements) lines.push(`add element ${T} ${name} { ${elements} }`);
  return lines;
}

/** The transaction turning what the kernel holds (`applied`; undefined: unknown) into `desired`. */
export function planTransaction(table: string, applied: AppliedState | undefined, desired: Ruleset, now: number, staleDelayMs: number): Transaction {
  const T = `ip ${table}`;
  const next: AppliedState = {
    chains: new Map([...desired.chains].map(([name, rules]) => [name, rules.join('\n')])),
    sets: new Map([...desired.sets].map(([name, set]) => [name, setKey(set)])),
    maps: { ingress: mapElements(desired.ingress), egress: mapElements(desired.egress) },
    stale: new Map(),
  };
  const lines: string[] = [];
  if (!applied) {
    lines.push(`add table ${T}`, `delete table ${T}`, `add table ${T}`);
    for (const [name, set] of desired.sets) lines.push(...writeSet(T, name, set, false));
    for (const [name, rules] of desired.chains) lines.push(`add chain ${T} ${name}`, ...rules.map((r) => `add rule ${T} ${name} ${r}`));
    lines.push(...writeMap(T, INGRESS_MAP, next.maps.ingress, false), ...writeMap(T, EGRESS_MAP, next.maps.egress, false), ...baseChain(T));
    return { text: `${lines.join('\n')}\n`, next };
  }
  for (const [name, set] of desired.sets) {
    if (applied.sets.get(name) !== next.sets.get(name)) lines.push(...writeSet(T, name, set, applied.sets.has(name)));
  }
  for (const [name, rules] of desired.chains) {
    const exists = applied.chains.has(name) || applied.stale.has(name);
    if (applied.chains.get(name) === next.chains.get(name)) continue;
    lines.push(exists ? `flush chain ${T} ${name}` : `add chain ${T} ${name}`, ...rules.map((r) => `add rule ${T} ${name} ${r}`));
  }
  if (applied.maps.ingress !== next.maps.ingress) lines.push(...writeMap(T, INGRESS_MAP, next.maps.ingress, true));
  if (applied.maps.egress !== next.maps.egress) lines.push(...writeMap(T, EGRESS_MAP, next.maps.egress, true));
  for (const name of applied.chains.keys()) {
    if (desired.chains.has(name)) continue;
    lines.push(`flush chain ${T} ${name}`);
    next.stale.set(name, now);
  }
  for (const [name, since] of applied.stale) {
    if (desired.chains.has(name) || next.stale.has(name)) continue;
    if (now - since >= staleDelayMs) lines.push(`delete chain ${T} ${name}`);
    else next.stale.set(name, since);
  }
  for (const name of applied.sets.keys()) if (!desired.sets.has(name)) lines.push(`delete set ${T} ${name}`);
  return { text: lines.length > 0 ? `${lines.join('\n')}\n` : '', next };
}

/** Deletes the table whether or not it exists, in one transaction. */
export function renderCleanup(table: string): string {
  return `add table ip ${table}\ndelete table ip ${table}\n`;
}
