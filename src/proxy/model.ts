// The proxy's model of the cluster: one ServicePort per (Service, port) with the addresses that
// capture it and every endpoint behind it, built from a Service and its EndpointSlices. The ruleset
// is a pure function of this model, so everything below is plain data.
import { isIPv4 } from 'node:net';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10_800;
/** A Service carrying this label is served by another proxy (as kube-proxy, we leave it alone). */
export const SERVICE_PROXY_NAME_LABEL = 'service.kubernetes.io/service-proxy-name';

export type Protocol = 'tcp' | 'udp' | 'sctp';

export interface EndpointModel {
  ip: string;
  port: number;
  /** EndpointSlice conditions with the API's nil rules applied (ready nil = true, serving nil = ready). */
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
}

export interface ServicePortModel {
  namespace: string;
  name: string;
  /** The Service port's name ('' for an unnamed single port). */
  portName: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  /** 0 when the Service has none. */
  nodePort: number;
  externalIPs: string[];
  loadBalancerIPs: string[];
  /** Seconds of ClientIP affinity; undefined without affinity. */
  affinityTimeout?: number;
  internalLocal: boolean;
  externalLocal: boolean;
  endpoints: EndpointModel[];
}

export interface NodeInfo {
  nodeName: string;
  /** Addresses that accept NodePort traffic; empty means every local address but loopback. */
  nodeIPs: string[];
  /** Pod addresses; traffic from elsewhere to a ClusterIP is masqueraded. */
  clusterCIDR?: string;
}

export interface ProxyModel {
  node: NodeInfo;
  ports: ServicePortModel[];
}

/** `namespace/name/protocol/portName`, the identity of a ServicePort. */
export function servicePortKey(sp: Pick<ServicePortModel, 'namespace' | 'name' | 'protocol' | 'portName'>): string {
  return `${sp.namespace}/${sp.name}/${sp.protocol}/${sp.portName}`;
}

function protocolOf(p: string | undefined): Protocol | undefined {
  const v = (p ?? 'TCP').toLowerCase();
  return v === 'tcp' || v === 'udp' || v === 'sctp' ? v : undefined;
}

/**
 * Whether the proxy programs anything for `svc`: IPv4 ClusterIP Services (headless and
 * ExternalName have no VIP), except those another proxy serves (`service-proxy-name` label).
 */
export function isProxied(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  if (svc.metadata?.labels?.[SERVICE_PROXY_NAME_LABEL] !== undefined) return false;
  return svc.spec?.type !== 'ExternalName' && !!ip && ip !== 'None' && isIPv4(ip);
}

function externallyAccessible(svc: Service): boolean {
  const t = svc.spec?.type;
  return t === 'NodePort' || t === 'LoadBalancer' || (svc.spec?.externalIPs?.length ?? 0) > 0;
}

/** The ServicePorts of `svc`, with their endpoints taken from the Service's EndpointSlices. */
export function servicePorts(svc: Service, slices: EndpointSlice[]): ServicePortModel[] {
  if (!isProxied(svc)) return [];
  const spec = svc.spec!;
  const type = spec.type ?? 'ClusterIP';
  const externalIPs = (spec.externalIPs ?? []).filter((ip) => isIPv4(ip));
  const loadBalancerIPs = type === 'LoadBalancer'
    ? (svc.status?.loadBalancer?.ingress ?? []).filter((i) => i.ip && isIPv4(i.ip) && i.ipMode !== 'Proxy').map((i) => i.ip!)
    : [];
  const affinityTimeout = spec.sessionAffinity === 'ClientIP'
    ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS
    : undefined;
  const out: ServicePortModel[] = [];
  for (const p of spec.ports ?? []) {
    const protocol = protocolOf(p.protocol);
    if (!protocol || !p.port) continue;
    const portName = p.name ?? '';
    out.push({
      namespace: svc.metadata?.namespace ?? 'default',
      name: svc.metadata?.name ?? '',
      portName,
      protocol,
      clusterIP: spec.clusterIP!,
      port: p.port,
      nodePort: (type === 'NodePort' || type === 'LoadBalancer') && p.nodePort ? p.nodePort : 0,
      externalIPs,
      loadBalancerIPs,
      ...(affinityTimeout !== undefined ? { affinityTimeout } : {}),
      internalLocal: spec.internalTrafficPolicy === 'Local',
      externalLocal: externallyAccessible(svc) && spec.externalTrafficPolicy === 'Local',
      endpoints: endpointsFor(slices, portName, protocol),
    });
  }
  return out;
}

/** Endpoints of the slices' port named `portName`, once per ip:port, in a stable order. */
export function endpointsFor(slices: EndpointSlice[], portName: string, protocol: Protocol): EndpointModel[] {
  const byAddr = new Map<string, EndpointModel>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    const port = (slice.ports ?? []).find((sp) => (sp.name ?? '') === portName && protocolOf(sp.protocol) === protocol)?.port;
    if (!port) continue;
    for (const ep of slice.endpoints ?? []) {
      const ready = ep.conditions?.ready ?? true;
      const serving = ep.conditions?.serving ?? ready;
      const terminating = ep.conditions?.terminating ?? false;
      for (const ip of ep.addresses ?? []) {
        if (!isIPv4(ip)) continue;
        const key = `${ip}:${port}`;
        if (byAddr.has(key)) continue;
        byAddr.set(key, { ip, port, ready, serving, terminating, ...(ep.nodeName ? { nodeName: ep.nodeName } : {}) });
      }
    }
  }
  return [...byAddr.values()].sort((a, b) => compareIP(a.ip, b.ip) || a.port - b.port);
}

function compareIP(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

export interface CategorizedEndpoints {
  /** Endpoints for Cluster traffic policy: ready ones, else serving-and-terminating ones. */
  cluster: EndpointModel[];
  /** The same choice among this node's endpoints. */
  local: EndpointModel[];
  /** Whether the Service has usable endpoints anywhere. */
  hasEndpoints: boolean;
}

function usable(eps: EndpointModel[]): EndpointModel[] {
  const ready = eps.filter((e) => e.ready);
  return ready.length > 0 ? ready : eps.filter((e) => e.serving && e.terminating);
}

/** Which endpoints serve which traffic, as kube-proxy decides (terminating endpoints only as a fallback). */
export function categorizeEndpoints(sp: ServicePortModel, nodeName: string): CategorizedEndpoints {
  const cluster = usable(sp.endpoints);
  const local = usable(sp.endpoints.filter((e) => e.nodeName === nodeName));
  return { cluster, local, hasEndpoints: cluster.length > 0 };
}

/** Which of a ServicePort's two policy chains: the one over all endpoints, or over this node's. */
export type PolicyChain = 'cluster' | 'local';

/** How a ServicePort's traffic is served on this node; both kernel modes render the same decisions. */
export interface PortPolicy extends CategorizedEndpoints {
  /** Reachable from outside the cluster: a NodePort, external IPs or load-balancer IPs. */
  external: boolean;
  /** Whether the cluster-policy chain is wanted (it has endpoints and some traffic goes to it). */
  usesCluster: boolean;
  /** Whether the local-policy chain is wanted. */
  usesLocal: boolean;
  /** The chain serving ClusterIP traffic (internalTrafficPolicy). */
  internalChain: PolicyChain;
  /** The chain external traffic ends in (externalTrafficPolicy). */
  externalChain: PolicyChain;
  /** ClusterIP traffic has endpoints under its policy; otherwise it is dropped or rejected. */
  hasInternal: boolean;
  /** External traffic has endpoints under its policy; otherwise it is dropped or rejected. */
  hasExternal: boolean;
  /** Whether the external chain (masquerading, short-circuits, then the external policy chain) is wanted. */
  usesExternalChain: boolean;
}

/** The traffic-policy decisions for one ServicePort on node `nodeName`, as kube-proxy makes them. */
export function portPolicy(sp: ServicePortModel, nodeName: string): PortPolicy {
  const categorized = categorizeEndpoints(sp, nodeName);
  const { cluster, local, hasEndpoints } = categorized;
  const external = sp.nodePort > 0 || sp.externalIPs.length > 0 || sp.loadBalancerIPs.length > 0;
  return {
    ...categorized,
    external,
    // External traffic needs the cluster chain even under a Local policy: pod and host clients of an
    // external address short-circuit to it, as if they had gone out to a load balancer and back.
    usesCluster: cluster.length > 0 && (!sp.internalLocal || external),
    usesLocal: local.length > 0 && (sp.internalLocal || sp.externalLocal),
    internalChain: sp.internalLocal ? 'local' : 'cluster',
    externalChain: sp.externalLocal ? 'local' : 'cluster',
    // With endpoints elsewhere only, a Local policy has none to send to.
    hasInternal: hasEndpoints && (!sp.internalLocal || local.length > 0),
    hasExternal: hasEndpoints && (!sp.externalLocal || local.length > 0),
    usesExternalChain: hasEndpoints && external,
  };
}
