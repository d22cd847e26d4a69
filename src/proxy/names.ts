// Names of the per-ServicePort chains and sets. nftables names may hold [A-Za-z0-9_./-] and must
// not start with a digit, so each starts with a fixed prefix, then a short hash (so that names cut
// to length stay unique and names differing in a digit stay easy to tell apart), then the readable
// part with "/" between the pieces, which no Kubernetes name contains.
import { createHash } from 'node:crypto';
import type { Protocol } from './model.js';

/** nftables allows 255 bytes; leave room for the prefix. */
const MAX_BASE = 240;

function hashed(name: string, salt = ''): string {
  const hash = createHash('sha256').update(name + salt).digest('hex').slice(0, 8).toUpperCase();
  const base = `${hash}-${name}`;
  return base.length > MAX_BASE ? `${base.slice(0, MAX_BASE - 3)}...` : base;
}

export interface PortIdentity {
  namespace: string;
  name: string;
  protocol: Protocol;
  portName: string;
}

const portBase = (p: PortIdentity) => `${p.namespace}/${p.name}/${p.protocol}/${p.portName}`;

/** The chain choosing among the endpoints for Cluster traffic policy. */
export const clusterChainName = (p: PortIdentity) => `service-${hashed(portBase(p))}`;
/** The chain choosing among this node's endpoints, for Local traffic policies. */
export const localChainName = (p: PortIdentity) => `local-${hashed(portBase(p))}`;
/** The chain external traffic (NodePort, externalIPs, load-balancer IPs) enters. */
export const externalChainName = (p: PortIdentity) => `external-${hashed(portBase(p))}`;
/** The chain DNATing to one endpoint. */
export const endpointChainName = (p: PortIdentity, ip: string, port: number) => `endpoint-${hashed(`${portBase(p)}__${ip}/${port}`)}`;
/** The set of clients stuck to one endpoint; the timeout goes into the hash, so a new timeout makes a new set. */
export const affinitySetName = (p: PortIdentity, ip: string, port: number, timeout: number) =>
  `affinity-${hashed(`${portBase(p)}__${ip}/${port}`, `@${timeout}`)}`;

/** Chains that belong to a ServicePort (the fixed chains have no "/"). */
export const isServicePortChain = (name: string) => name.includes('/');
