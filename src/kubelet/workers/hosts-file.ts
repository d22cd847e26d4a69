// The kubelet-managed /etc/hosts of a pod: localhost entries, the pod's own name (with its FQDN
// when it has a subdomain) on each pod IP, then hostAliases. Host-network pods get the node's
// hosts file with the aliases appended.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podHostname } from '../pods/dns.js';

const HEADER = '# Kubernetes-managed hosts file.\n';
const LOCAL = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'fe00::0\tip6-mcastprefix',
  'fe00::1\tip6-allnodes',
  'fe00::2\tip6-allrouters',
];

function aliases(pod: Pod): string {
  const lines = (pod.spec?.hostAliases ?? []).map((a) => `${a.ip}\t${(a.hostnames ?? []).join('\t')}`);
  return lines.length ? `\n# Entries added by HostAliases.\n${lines.join('\n')}\n` : '';
}

export function managedHostsFile(pod: Pod, podIPs: string[], clusterDomain: string): string {
  const name = podHostname(pod);
  const sub = pod.spec?.subdomain;
  const ns = pod.metadata?.namespace ?? 'default';
  const own = podIPs.map((ip) => (sub ? `${ip}\t${name}.${sub}.${ns}.svc.${clusterDomain}\t${name}` : `${ip}\t${name}`));
  return `${HEADER}${[...LOCAL, ...own].join('\n')}\n${aliases(pod)}`;
}

export function hostNetworkHostsFile(pod: Pod, nodeHosts: string): string {
  const base = nodeHosts.endsWith('\n') || nodeHosts === '' ? nodeHosts : `${nodeHosts}\n`;
  return `${HEADER}${base}${aliases(pod)}`;
}
