// Chain names of the iptables mode. iptables allows 28 characters, so a ServicePort's chains are a
// fixed prefix and 16 base32 characters of a SHA-256, as kube-proxy names its KUBE-SVC-… chains.
// The prefix is KITE- so that a real kube-proxy on the same host never meets our chains.
import { createHash } from 'node:crypto';
import type { ServicePortModel } from './model.js';

export const CHAIN_PREFIX = 'KITE-';
export const SERVICES = 'KITE-SERVICES';
export const EXTERNAL_SERVICES = 'KITE-EXTERNAL-SERVICES';
export const NODEPORTS = 'KITE-NODEPORTS';
export const POSTROUTING = 'KITE-POSTROUTING';
export const MARK_MASQ = 'KITE-MARK-MASQ';
export const FORWARD = 'KITE-FORWARD';

type PortIdentity = Pick<ServicePortModel, 'namespace' | 'name' | 'protocol' | 'portName'>;

/** `namespace/name:portName` (or `namespace/name` for an unnamed port), as kube-proxy prints a ServicePort. */
export function servicePortName(p: PortIdentity): string {
  return `${p.namespace}/${p.name}${p.portName ? `:${p.portName}` : ''}`;
}

const RFC4648 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Base32 (RFC 4648, upper case, no padding needed for a prefix) of `bytes`. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += RFC4648[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += RFC4648[(buffer << (5 - bits)) & 31];
  return out;
}

function hash16(text: string): string {
  return base32(createHash('sha256').update(text).digest()).slice(0, 16);
}

const portBase = (p: PortIdentity) => hash16(servicePortName(p) + p.protocol);

/** The Cluster-policy chain: a random choice among all usable endpoints. */
export const svcChain = (p: PortIdentity) => `KITE-SVC-${portBase(p)}`;
/** The Local-policy chain: the same choice among this node's endpoints. */
export const svlChain = (p: PortIdentity) => `KITE-SVL-${portBase(p)}`;
/** Where NodePort, externalIP and load-balancer traffic enters. */
export const extChain = (p: PortIdentity) => `KITE-EXT-${portBase(p)}`;
/** DNAT to one endpoint; also the name of its ClientIP-affinity list. */
export const sepChain = (p: PortIdentity, ip: string, port: number) => `KITE-SEP-${hash16(`${servicePortName(p)}${p.protocol}${ip}:${port}`)}`;
