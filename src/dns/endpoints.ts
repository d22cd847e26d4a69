// What a Service resolves to, read from the informer caches: its cluster IPs, and for headless
// Services the ready endpoints of its EndpointSlices (with their hostnames and ports).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { canonicalIP, dashedIP, familyOf, type Family } from './ip.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** The annotation older Services use instead of spec.publishNotReadyAddresses. */
const TOLERATE_UNREADY = 'service.alpha.kubernetes.io/tolerate-unready-endpoints';

export interface ResolvedEndpoint {
  ip: string;
  family: Family;
  /** The endpoint's hostname, or its dashed IP when it has none (the spec's system-assigned name). */
  hostname: string;
  /** Port numbers by `name/protocol` from the endpoint's slice. */
  ports: Map<string, number>;
}

export function portKey(name: string, protocol: string): string {
  return `${name.toLowerCase()}/${protocol.toLowerCase()}`;
}

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

export function isExternalName(svc: Service): boolean {
  return svc.spec?.type === 'ExternalName';
}

/** The Service's cluster IPs (canonical form), headless and ExternalName Services have none. */
export function clusterIPs(svc: Service): string[] {
  if (isHeadless(svc) || isExternalName(svc)) return [];
  const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
  return ips.filter((ip) => familyOf(ip) !== undefined).map(canonicalIP);
}

function publishesNotReady(svc: Service): boolean {
  return svc.spec?.publishNotReadyAddresses === true || svc.metadata?.annotations?.[TOLERATE_UNREADY] === 'true';
}

/**
 * The endpoints DNS publishes for `svc`: ready ones (a missing condition counts as ready), or all
 * when the Service publishes not-ready addresses; each IP once, in a stable order.
 */
export function readyEndpoints(svc: Service, slices: EndpointSlice[]): ResolvedEndpoint[] {
  const all = publishesNotReady(svc);
  const byIP = new Map<string, ResolvedEndpoint>();
  const sorted = [...slices].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const slice of sorted) {
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    const ports = new Map<string, number>();
    for (const p of slice.ports ?? []) {
      if (p.name !== undefined && p.port !== undefined) ports.set(portKey(p.name, p.protocol ?? 'TCP'), p.port);
    }
    for (const ep of slice.endpoints ?? []) {
      if (!all && ep.conditions?.ready === false) continue;
      for (const raw of ep.addresses ?? []) {
        const family = familyOf(raw);
        if (!family) continue;
        const ip = canonicalIP(raw);
        if (byIP.has(ip)) continue;
        byIP.set(ip, { ip, family, hostname: (ep.hostname || dashedIP(ip)).toLowerCase(), ports });
      }
    }
  }
  return [...byIP.values()];
}
