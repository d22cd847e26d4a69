// A pod's hostname and resolver configuration as the kubelet gives them to the sandbox.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { DNSConfig } from '../cri/types.js';

export interface ResolvConf { servers: string[]; searches: string[]; options: string[] }

export interface ClusterDNS {
  /** The cluster DNS service IPs; empty means ClusterFirst falls back to Default. */
  servers: string[];
  /** `cluster.local` */
  domain: string;
  /** The node's own resolver configuration. */
  host: ResolvConf;
}

const MAX_SEARCHES = 32;
const MAX_SEARCH_CHARS = 2048;

export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.servers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.searches = rest.filter((d) => d !== '.').map((d) => d.replace(/\.$/, ''));
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

/** The hostname, the pod's name unless spec.hostname says otherwise, cut to 63 characters. */
export function podHostname(pod: Pod): string {
  let h = pod.spec?.hostname || pod.metadata?.name || '';
  if (h.length > 63) h = h.slice(0, 63).replace(/[-.]+$/, '');
  return h;
}

/** `<subdomain>.<namespace>.svc.<domain>` when the pod has a subdomain. */
export function podDomain(pod: Pod, clusterDomain: string): string {
  const sub = pod.spec?.subdomain;
  return sub ? `${sub}.${pod.metadata?.namespace ?? 'default'}.svc.${clusterDomain}` : '';
}

const unique = (xs: string[]) => [...new Set(xs)];

function fitSearches(searches: string[]): string[] {
  const out = unique(searches).slice(0, MAX_SEARCHES);
  while (out.length && out.join(' ').length > MAX_SEARCH_CHARS) out.pop();
  return out;
}

/** Options by name (`ndots:5`, `edns0`); later values of a name replace earlier ones. */
function mergeOptions(base: string[], extra: { name?: string; value?: string }[]): string[] {
  const m = new Map<string, string>();
  for (const o of base) {
    const [name, value] = o.split(/:(.*)/s);
    m.set(name, value === undefined ? name : `${name}:${value}`);
  }
  for (const o of extra) if (o.name) m.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
  return [...m.values()];
}

export function podDNSConfig(pod: Pod, dns: ClusterDNS): DNSConfig {
  let policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'ClusterFirst' && pod.spec?.hostNetwork) policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  if (policy === 'ClusterFirst' && dns.servers.length === 0) policy = 'Default';
  let cfg: DNSConfig;
  if (policy === 'None') {
    cfg = { servers: [], searches: [], options: [] };
  } else if (policy === 'Default') {
    cfg = { servers: [...dns.host.servers], searches: [...dns.host.searches], options: [...dns.host.options] };
  } else {
    const ns = pod.metadata?.namespace ?? 'default';
    const d = dns.domain;
    cfg = { servers: [...dns.servers], searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...dns.host.searches], options: ['ndots:5'] };
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    cfg.servers = unique([...cfg.servers, ...(extra.nameservers ?? [])]);
    cfg.searches = [...cfg.searches, ...(extra.searches ?? [])];
    cfg.options = mergeOptions(cfg.options, extra.options ?? []);
  }
  cfg.searches = fitSearches(cfg.searches);
  return cfg;
}
