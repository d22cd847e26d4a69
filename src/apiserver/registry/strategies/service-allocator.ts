// Cluster IPs and node ports for Services. What is in use is read from the stored Services
// themselves, so allocations survive restarts and are freed when a Service goes; allocations
// are serialized within this server, and recent ones are held until their Service is visible.
import { invalid } from '../../../apimachinery/status.js';
import type { KubeObject } from '../../../apimachinery/object.js';

export interface ServiceSpecLike {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: { port?: number; nodePort?: number; name?: string; protocol?: string }[];
}

export const DEFAULT_SERVICE_CIDR = '10.43.0.0/16';
export const NODE_PORT_RANGE = { first: 30000, last: 32767 };
/** How long an allocation stays reserved without its Service being visible in storage. */
const HOLD_MS = 30_000;

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** The address `offset` into a service range (`10.43.0.0/16`, 10 → 10.43.0.10). */
export function serviceRangeAddress(cidr: string, offset: number): string {
  return new ServiceIPRange(cidr).at(offset);
}

export class ServiceIPRange {
  readonly base: number;
  readonly size: number;

  constructor(readonly cidr = DEFAULT_SERVICE_CIDR) {
    const [ip, bits] = cidr.split('/');
    this.size = 2 ** (32 - Number(bits));
    this.base = ipToInt(ip) - (ipToInt(ip) % this.size);
  }

  contains(ip: string): boolean {
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
    const n = ipToInt(ip);
    return n > this.base && n < this.base + this.size - 1;
  }

  /** The first usable address, kept for the `kubernetes` Service. */
  first(): string {
    return intToIp(this.base + 1);
  }

  at(offset: number): string {
    return intToIp(this.base + offset);
  }
}

export class ServiceAllocator {
  private chain: Promise<unknown> = Promise.resolve();
  private held = new Map<string, number>();

  constructor(readonly range = new ServiceIPRange(), private readonly now: () => number = Date.now) {}

  /** Runs allocations one after another so two creates never pick the same value. */
  serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private isHeld(key: string): boolean {
    const at = this.held.get(key);
    if (at === undefined) return false;
    if (this.now() - at > HOLD_MS) {
      this.held.delete(key);
      return false;
    }
    return true;
  }

  /** Fills in a cluster IP and node ports the Service needs, checking requested ones are free. */
  allocate(name: string, spec: ServiceSpecLike, existing: KubeObject[]): void {
    const usedIPs = new Set<string>();
    const usedPorts = new Set<number>();
    for (const svc of existing) {
      const s = (svc.spec ?? {}) as ServiceSpecLike;
      for (const ip of s.clusterIPs ?? (s.clusterIP ? [s.clusterIP] : [])) usedIPs.add(ip);
      for (const p of s.ports ?? []) if (p.nodePort) usedPorts.add(p.nodePort);
    }
    if (spec.type !== 'ExternalName') this.allocateIP(name, spec, usedIPs);
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') this.allocatePorts(name, spec, usedPorts);
  }

  private allocateIP(name: string, spec: ServiceSpecLike, used: Set<string>): void {
    const wanted = spec.clusterIP || spec.clusterIPs?.[0];
    if (wanted === 'None') return;
    if (wanted) {
      if (!this.range.contains(wanted)) {
        throw invalid('', 'Service', name, [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string{"${wanted}"}: failed to allocate IP ${wanted}: the provided IP (${wanted}) is not in the valid range. The range of valid IPs is ${this.range.cidr}` }]);
      }
      if (used.has(wanted) || this.isHeld(wanted)) {
        throw invalid('', 'Service', name, [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: []string{"${wanted}"}: failed to allocate IP ${wanted}: provided IP is already allocated` }]);
      }
      this.held.set(wanted, this.now());
      spec.clusterIP = wanted;
      spec.clusterIPs = [wanted];
      return;
    }
    // Dynamic allocations start at a random offset above the first sixteenth of the range, which
    // Kubernetes leaves for addresses chosen by hand.
    const low = Math.min(Math.max(16, Math.floor(this.range.size / 16)), 256);
    const span = this.range.size - 2 - low;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const ip = this.range.at(low + ((start + i) % span));
      if (used.has(ip) || this.isHeld(ip)) continue;
      this.held.set(ip, this.now());
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
      return;
    }
    throw invalid('', 'Service', name, [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs', message: 'Internal error: failed to allocate a serviceIP: range is full' }]);
  }

  private allocatePorts(name: string, spec: ServiceSpecLike, used: Set<number>): void {
    const { first, last } = NODE_PORT_RANGE;
    const span = last - first + 1;
    (spec.ports ?? []).forEach((p, i) => {
      if (p.nodePort) {
        if (used.has(p.nodePort) || this.isHeld(`port/${p.nodePort}`)) {
          throw invalid('', 'Service', name, [{ type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${p.nodePort}: provided port is already allocated` }]);
        }
        used.add(p.nodePort);
        this.held.set(`port/${p.nodePort}`, this.now());
        return;
      }
      const start = Math.floor(Math.random() * span);
      for (let j = 0; j < span; j++) {
        const port = first + ((start + j) % span);
        if (used.has(port) || this.isHeld(`port/${port}`)) continue;
        used.add(port);
        this.held.set(`port/${port}`, this.now());
        p.nodePort = port;
        return;
      }
      throw invalid('', 'Service', name, [{ type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: 'Internal error: failed to allocate a nodePort: range is full' }]);
    });
  }
}
