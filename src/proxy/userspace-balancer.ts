// Endpoint choice for the userspace proxy: round robin over the endpoints a ServicePort's traffic
// may use, with ClientIP session affinity. Internal traffic (to the ClusterIP) and external traffic
// (NodePort, externalIPs, load-balancer IPs) each follow their own traffic policy.
import type { Clock } from '../apimachinery/clock.js';
import { categorizeEndpoints, type EndpointModel, type ServicePortModel } from './model.js';

/** Which traffic policy applies: `internal` for the ClusterIP, `external` for everything else. */
export type TrafficKind = 'internal' | 'external';

interface Sticky {
  endpoint: string;
  lastUsed: number;
}

const endpointKey = (ep: EndpointModel): string => `${ep.ip}:${ep.port}`;

export class RoundRobinBalancer {
  private readonly lists: Record<TrafficKind, EndpointModel[]> = { internal: [], external: [] };
  private readonly cursor: Record<TrafficKind, number> = { internal: 0, external: 0 };
  private readonly sticky = new Map<string, Sticky>();
  private affinityMs: number | undefined;
  private lastSweep: number;

  constructor(private readonly clock: Clock, private readonly nodeName: string, sp?: ServicePortModel) {
    this.lastSweep = clock.now();
    if (sp) this.update(sp);
  }

  /** Takes the ServicePort's current endpoints and policies; clients stay on endpoints that remain. */
  update(sp: ServicePortModel): void {
    const { cluster, local } = categorizeEndpoints(sp, this.nodeName);
    this.lists.internal = sp.internalLocal ? local : cluster;
    this.lists.external = sp.externalLocal ? local : cluster;
    const timeout = sp.affinityTimeout !== undefined ? sp.affinityTimeout * 1000 : undefined;
    if (timeout !== this.affinityMs) this.sticky.clear();
    this.affinityMs = timeout;
    const alive = new Set([...this.lists.internal, ...this.lists.external].map(endpointKey));
    for (const [client, s] of this.sticky) if (!alive.has(s.endpoint)) this.sticky.delete(client);
  }

  hasEndpoints(kind: TrafficKind): boolean {
    return this.lists[kind].length > 0;
  }

  /** How many endpoints `kind` traffic may go to. */
  count(kind: TrafficKind): number {
    return this.lists[kind].length;
  }

  /** Whether `ep` still takes `kind` traffic. */
  serves(kind: TrafficKind, ep: EndpointModel): boolean {
    const key = endpointKey(ep);
    return this.lists[kind].some((e) => endpointKey(e) === key);
  }

  /**
   * The endpoint for a new connection from `clientIP`: its sticky endpoint while the affinity
   * lasts, else the next in turn. `resetAffinity` (a retry after a failed connect) skips the
   * sticky choice and records the new one.
   */
  next(kind: TrafficKind, clientIP: string, resetAffinity = false): EndpointModel | undefined {
    const list = this.lists[kind];
    if (list.length === 0) return undefined;
    const now = this.clock.now();
    if (this.affinityMs !== undefined) {
      this.sweep(now);
      const s = this.sticky.get(clientIP);
      if (s && !resetAffinity && now - s.lastUsed <= this.affinityMs) {
        const ep = list.find((e) => endpointKey(e) === s.endpoint);
        if (ep) {
          s.lastUsed = now;
          return ep;
        }
      }
    }
    const i = this.cursor[kind] % list.length;
    this.cursor[kind] = (i + 1) % list.length;
    const ep = list[i]!;
    if (this.affinityMs !== undefined) this.sticky.set(clientIP, { endpoint: endpointKey(ep), lastUsed: now });
    return ep;
  }

  /** Forgets expired clients now and then, so the table does not grow with every client seen. */
  private sweep(now: number): void {
    if (this.affinityMs === undefined || now - this.lastSweep < Math.min(this.affinityMs, 60_000)) return;
    this.lastSweep = now;
    for (const [client, s] of this.sticky) if (now - s.lastUsed > this.affinityMs) this.sticky.delete(client);
  }
}
