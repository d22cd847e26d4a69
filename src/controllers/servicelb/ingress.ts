// What the built-in load balancer writes into a Service's status.loadBalancer, as pure functions
// of the Service, the nodes and (for externalTrafficPolicy: Local) its EndpointSlices. The rules
// follow k3s's ServiceLB: the addresses of the eligible nodes, ExternalIPs when any eligible node
// has one and InternalIPs otherwise, filtered to the Service's IP families and sorted.
import { isIPv4, isIPv6 } from 'node:net';
import type {
  EndpointSlice as WireEndpointSlice,
} from 'kubernetes-types/discovery/v1.js';
import type {
  LoadBalancerIngress, Node as WireNode, Service as WireService,
} from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { sameValue } from '../../client/equality.js';

export type Node = WireNode & KubeObject;
export type Service = WireService & KubeObject;
export type EndpointSlice = WireEndpointSlice & KubeObject;

/**
 * Node label that picks the nodes whose addresses load balancers get (k3s's
 * `svccontroller.k3s.cattle.io/enablelb`): once any node carries it, only nodes where it is
 * "true" are used; while no node carries it, every eligible node is.
 */
export const ENABLE_LB_LABEL = 'kite.io/enablelb';
/** Kubernetes' label that keeps a node out of every external load balancer. */
export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
/** The label EndpointSlices name their Service with. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** A LoadBalancer Service without spec.loadBalancerClass: ours (a class names another implementation). */
export function isOurLoadBalancer(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.spec?.loadBalancerClass;
}

export function isNodeReady(node: Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Whether the enablelb label is in use anywhere (then it restricts which nodes count). */
export function enableLabelInUse(nodes: Node[]): boolean {
  return nodes.some((n) => n.metadata?.labels?.[ENABLE_LB_LABEL] !== undefined);
}

/** Ready, schedulable, not excluded, and (when the label is in use) labelled enablelb=true. */
export function isEligibleNode(node: Node, labelInUse: boolean): boolean {
  const labels = node.metadata?.labels ?? {};
  if (!isNodeReady(node) || node.spec?.unschedulable) return false;
  if (labels[EXCLUDE_LB_LABEL] !== undefined) return false;
  return !labelInUse || labels[ENABLE_LB_LABEL] === 'true';
}

/** Nodes with a ready endpoint of the Service (what externalTrafficPolicy: Local limits it to). */
export function nodesWithReadyEndpoints(slices: EndpointSlice[]): Set<string> {
  const names = new Set<string>();
  for (const slice of slices) {
    for (const ep of slice.endpoints ?? []) {
      if (ep.nodeName && ep.conditions?.ready !== false) names.add(ep.nodeName);
    }
  }
  return names;
}

function familyOf(ip: string): 'IPv4' | 'IPv6' | undefined {
  return isIPv4(ip) ? 'IPv4' : isIPv6(ip) ? 'IPv6' : undefined;
}

/** The node addresses a Service's load balancer answers on, sorted within each of its IP families. */
export function loadBalancerIPs(svc: Service, nodes: Node[], slices: EndpointSlice[] = []): string[] {
  const labelInUse = enableLabelInUse(nodes);
  const local = svc.spec?.externalTrafficPolicy === 'Local' ? nodesWithReadyEndpoints(slices) : undefined;
  const external = new Set<string>();
  const internal = new Set<string>();
  for (const node of nodes) {
    if (!isEligibleNode(node, labelInUse)) continue;
    if (local && !local.has(node.metadata?.name ?? '')) continue;
    for (const a of node.status?.addresses ?? []) {
      if (a.type === 'ExternalIP') external.add(a.address);
      else if (a.type === 'InternalIP') internal.add(a.address);
    }
  }
  const ips = [...(external.size ? external : internal)];
  const families = svc.spec?.ipFamilies?.length ? svc.spec.ipFamilies : ['IPv4'];
  return families.flatMap((f) => ips.filter((ip) => familyOf(ip) === f).sort(compareIPs));
}

function compareIPs(a: string, b: string): number {
  if (isIPv4(a) && isIPv4(b)) {
    const pa = a.split('.').map(Number);
    const pb = b.split('.').map(Number);
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One ingress entry per address: a VIP (the proxy routes it locally) with the Service's ports. */
export function desiredIngress(svc: Service, ips: string[]): LoadBalancerIngress[] {
  const ports = (svc.spec?.ports ?? []).map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' }));
  return ips.map((ip) => ({ ip, ipMode: 'VIP', ...(ports.length ? { ports } : {}) }));
}

export function sameIngress(a: LoadBalancerIngress[] | undefined, b: LoadBalancerIngress[] | undefined): boolean {
  return sameValue(a ?? [], b ?? []);
}

/** Addresses (or host names) of an ingress list, for event messages. */
export function ingressAddresses(ingress: LoadBalancerIngress[] | undefined): string[] {
  return (ingress ?? []).map((i) => i.ip || i.hostname || '').filter((s) => s !== '');
}

/** What about a node can change which addresses load balancers get; a node update that keeps it needs no resync. */
export function nodeFingerprint(node: Node | undefined): string {
  if (!node) return '';
  const labels = node.metadata?.labels ?? {};
  return JSON.stringify([
    isNodeReady(node), !!node.spec?.unschedulable, labels[ENABLE_LB_LABEL] ?? null, labels[EXCLUDE_LB_LABEL] ?? null,
    (node.status?.addresses ?? []).filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP'),
  ]);
}
