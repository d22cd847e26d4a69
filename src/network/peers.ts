// Which other nodes this node routes pod traffic to, read from their Node objects: each peer's
// podCIDR, the address its pod traffic goes to, and (VXLAN) the MAC of its tunnel endpoint.
import type { Node as WireNode } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../apimachinery/object.js';
import { parseCIDR, parseIPv4 } from './ipv4.js';

export type Node = WireNode & KubeObject;
export type BackendType = 'host-gw' | 'vxlan';
export const BACKEND_TYPES: readonly BackendType[] = ['host-gw', 'vxlan'];

export const ANNOTATION_BACKEND_TYPE = 'kite.io/backend-type';
export const ANNOTATION_PUBLIC_IP = 'kite.io/public-ip';
export const ANNOTATION_VTEP_MAC = 'kite.io/vtep-mac';

export interface Peer {
  name: string;
  podCIDR: string;
  /** Where the peer's pod traffic is sent: its public-ip annotation, else its InternalIP. */
  ip: string;
  /** The peer's VXLAN device MAC (vxlan backend only). */
  vtepMAC?: string;
}

/** The node's IPv4 podCIDR (the first of spec.podCIDRs, else spec.podCIDR). */
export function nodePodCIDR(node: Node): string | undefined {
  const all = [...(node.spec?.podCIDRs ?? []), ...(node.spec?.podCIDR ? [node.spec.podCIDR] : [])];
  return all.find((c) => parseCIDR(c) !== undefined && c.includes('.'));
}

export function nodeInternalIP(node: Node): string | undefined {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP' && parseIPv4(a.address) !== undefined)?.address;
}

/** The address this node's pod traffic should reach it at, as its peers will see it. */
export function nodePublicIP(node: Node): string | undefined {
  const annotated = node.metadata?.annotations?.[ANNOTATION_PUBLIC_IP];
  return annotated && parseIPv4(annotated) !== undefined ? annotated : nodeInternalIP(node);
}

/** The peer a node is for this backend, or why it is not one (yet). */
export function peerOf(node: Node, backend: BackendType): Peer | { skip: string } {
  const name = node.metadata?.name ?? '';
  const podCIDR = nodePodCIDR(node);
  if (!podCIDR) return { skip: 'no podCIDR yet' };
  const ip = nodePublicIP(node);
  if (!ip) return { skip: 'no InternalIP' };
  const annotations = node.metadata?.annotations ?? {};
  const theirs = annotations[ANNOTATION_BACKEND_TYPE];
  if (theirs && theirs !== backend) return { skip: `runs the ${theirs} backend, this node ${backend}` };
  if (backend === 'host-gw') return { name, podCIDR, ip };
  const vtepMAC = annotations[ANNOTATION_VTEP_MAC];
  if (!vtepMAC || !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(vtepMAC)) return { skip: 'has not published its VXLAN endpoint yet' };
  return { name, podCIDR, ip, vtepMAC: vtepMAC.toLowerCase() };
}

/** Every other node with a podCIDR and an address, by name; a node claiming our own podCIDR is left out. */
export function desiredPeers(nodes: Node[], self: { name: string; podCIDR: string }, backend: BackendType): Map<string, Peer> {
  const peers = new Map<string, Peer>();
  for (const node of nodes) {
    const name = node.metadata?.name;
    if (!name || name === self.name) continue;
    const p = peerOf(node, backend);
    if ('skip' in p || p.podCIDR === self.podCIDR) continue;
    peers.set(name, p);
  }
  return peers;
}

export function samePeer(a: Peer, b: Peer): boolean {
  return a.name === b.name && a.podCIDR === b.podCIDR && a.ip === b.ip && a.vtepMAC === b.vtepMAC;
}
