// What a Service's Endpoints should hold, computed from the pods its selector picks: pure
// functions, so the rules (readiness, terminating pods, named ports, repacking) test without a server.
import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { isHeadless, isPodReady, resolveTargetPort, selectorMatches } from '../../client/service-pods.js';

/** Kubernetes caps an Endpoints object at this many addresses and marks it truncated. */
export const MAX_ENDPOINT_ADDRESSES = 1000;
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

/** A pod that has finished for good never serves again (Succeeded, or Failed). */
function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function podAddress(pod: Pod, svc: Service): EndpointAddress {
  const m = pod.metadata ?? {};
  const addr: EndpointAddress = {
    ip: pod.status!.podIP!,
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: m.namespace, name: m.name, uid: m.uid },
  };
  // Only a headless service's pods get DNS names of their own, and only under its subdomain.
  if (isHeadless(svc) && pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name) addr.hostname = pod.spec.hostname;
  return addr;
}

function endpointPort(sp: ServicePort, port: number): EndpointPort {
  return {
    ...(sp.name ? { name: sp.name } : {}),
    port,
    protocol: sp.protocol ?? 'TCP',
    ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
  };
}

interface Entry { addr: EndpointAddress; ready: boolean; ports: EndpointPort[] }

const portKey = (p: EndpointPort): string => `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}`;
const addrOrder = (a: EndpointAddress, b: EndpointAddress): number =>
  a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');

export interface DesiredEndpoints { subsets: EndpointSubset[]; truncated: boolean }

/** The subsets a service's Endpoints should have, given the pods in its namespace. */
export function desiredSubsets(svc: Service, pods: Pod[]): DesiredEndpoints {
  const selector = svc.spec?.selector ?? {};
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const servicePorts = svc.spec?.ports ?? [];
  const entries: Entry[] = [];
  for (const pod of pods) {
    if (!selectorMatches(selector, pod.metadata?.labels)) continue;
    if (!pod.status?.podIP) continue;
    if (!publishNotReady && pod.metadata?.deletionTimestamp) continue;
    const ready = publishNotReady || isPodReady(pod);
    // A not-ready pod is still listed (as not ready) unless it has finished for good.
    if (!ready && isTerminal(pod)) continue;
    const addr = podAddress(pod, svc);
    if (servicePorts.length === 0) {
      // A headless service without ports still publishes its pods' addresses (for DNS).
      if (isHeadless(svc)) entries.push({ addr, ready, ports: [] });
      continue;
    }
    const ports: EndpointPort[] = [];
    for (const sp of servicePorts) {
      const port = resolveTargetPort(pod, sp);
      if (port !== undefined) ports.push(endpointPort(sp, port));
    }
    if (ports.length > 0) entries.push({ addr, ready, ports });
  }
  return repack(entries);
}

/** Groups addresses by the exact set of ports they serve, in a stable order. */
function repack(entries: Entry[]): DesiredEndpoints {
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const e of entries) {
    const ports = [...e.ports].sort((a, b) => portKey(a).localeCompare(portKey(b)));
    const key = ports.map(portKey).join(',');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, ready: [], notReady: [] }));
    (e.ready ? g.ready : g.notReady).push(e.addr);
  }
  let budget = MAX_ENDPOINT_ADDRESSES;
  let truncated = false;
  const subsets: EndpointSubset[] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    g.ready.sort(addrOrder);
    g.notReady.sort(addrOrder);
    // Over capacity, ready addresses are kept before not-ready ones.
    const ready = g.ready.slice(0, Math.max(0, budget));
    budget -= ready.length;
    const notReady = g.notReady.slice(0, Math.max(0, budget));
    budget -= notReady.length;
    if (ready.length < g.ready.length || notReady.length < g.notReady.length) truncated = true;
    if (ready.length === 0 && notReady.length === 0) continue;
    subsets.push({
      ...(ready.length ? { addresses: ready } : {}),
      ...(notReady.length ? { notReadyAddresses: notReady } : {}),
      ...(g.ports.length ? { ports: g.ports } : {}),
    });
  }
  return { subsets, truncated };
}

