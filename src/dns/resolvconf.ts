// The upstream resolvers the host uses: the nameserver lines of a resolv.conf, minus the cluster
// DNS address itself (a node whose resolv.conf points at us must not forward to itself).
import { isIP } from 'node:net';

/** `host:port` upstreams from resolv.conf text, in order, without the `skip` addresses. */
export function upstreamsFromResolvConf(text: string, skip: string[] = []): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const ip = m[1]!.replace(/%.*$/, '');
    if (!isIP(ip) || skip.includes(ip)) continue;
    const addr = isIP(ip) === 6 ? `[${ip}]:53` : `${ip}:53`;
    if (!out.includes(addr)) out.push(addr);
  }
  return out;
}
