// The endpoints a Service's EndpointSlices should hold, grouped by the port set each pod serves:
// pure functions over the Service and the pods of its namespace.
import { isIPv4, isIPv6 } from 'node:net';
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { isHeadless, isPodReady, resolveTargetPort, selectorMatches } from '../../client/service-pods.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';

export type AddressType = 'IPv4' | 'IPv6';

/** The address families the service's slices carry (its ipFamilies, IPv4 when unset). */
export function addressTypes(svc: Service): AddressType[] {
  const families = (svc.spec?.ipFamilies ?? []).filter((f): f is AddressType => f === 'IPv4' || f === 'IPv6');
  return families.length ? families : ['IPv4'];
}

function podIP(pod: Pod, type: AddressType): string | undefined {
  const ips = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)];
  return ips.find((ip): ip is string => !!ip && (type === 'IPv4' ? isIPv4(ip) : isIPv6(ip)));
}

/** Ports in a canonical form (name and protocol always present) and order, so equal sets compare equal. */
export function normalizePorts(ports: readonly EndpointPort[] | undefined): EndpointPort[] {
  return (ports ?? [])
    .map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }))
    .sort((a, b) => a.name.localeCompare(b.name) || (a.port ?? 0) - (b.port ?? 0) || a.protocol.localeCompare(b.protocol));
}

export function portsKey(ports: readonly EndpointPort[] | undefined): string {
  return JSON.stringify(normalizePorts(ports));
}

export interface PortGroup {
  ports: EndpointPort[];
  /** Endpoints keyed by their address. */
  endpoints: Map<string, Endpoint>;
}

/**
 * Desired endpoints of one address family, grouped by port set. Terminating pods stay listed (not
 * ready, serving while their readiness says so) so that proxies can drain them; finished pods do not.
 */
export function desiredGroups(svc: Service, pods: Pod[], type: AddressType): Map<string, PortGroup> {
  const selector = svc.spec?.selector ?? {};
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, PortGroup>();
  for (const pod of pods) {
    if (!selectorMatches(selector, pod.metadata?.labels)) continue;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const ip = podIP(pod, type);
    if (!ip) continue;
    const terminating = !!pod.metadata?.deletionTimestamp;
    const serving = isPodReady(pod);
    const m = pod.metadata ?? {};
    const ep: Endpoint = {
      addresses: [ip],
      conditions: { ready: publishNotReady || (serving && !terminating), serving: publishNotReady || serving, terminating },
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: m.namespace, name: m.name, uid: m.uid },
    };
    if (isHeadless(svc) && pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name) ep.hostname = pod.spec.hostname;
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = resolveTargetPort(pod, sp);
      if (port === undefined) continue;
      ports.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
    const key = portsKey(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports: normalizePorts(ports), endpoints: new Map() }));
    g.endpoints.set(ip, ep);
  }
  return groups;
}

