// The cluster zone: the records of the Kubernetes DNS specification answered from informer caches
// (Services, EndpointSlices, Namespaces), never from the API per query. A name in the zone gets
// its records, NODATA (it exists, not with that type) or NXDOMAIN; reverse names of cluster IPs
// and endpoint IPs get PTRs, other reverse names are left to the upstream resolvers.
import type { Answer } from 'dns-packet';
import type { Namespace, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Clock } from '../apimachinery/clock.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { Informer, InformerFactory } from '../client/informer-types.js';
import { resourceForKind } from '../client/rest.js';
import {
  SERVICE_NAME_LABEL, clusterIPs, isExternalName, isHeadless, portKey, readyEndpoints, type ResolvedEndpoint,
} from './endpoints.js';
import { familyOf, ipFromDashed, ipFromReverse, isReverseName } from './ip.js';

/** The schema version of the Kubernetes DNS specification these records follow. */
export const DNS_SCHEMA_VERSION = '1.1.0';

export interface ZoneAnswer {
  rcode: 'NOERROR' | 'NXDOMAIN';
  answers: Answer[];
  additionals: Answer[];
  /** The ExternalName target a CNAME answer points to, for the server to follow. */
  cname?: string;
}

export interface ClusterZoneOptions {
  /** Default cluster.local. */
  domain?: string;
  /** Default 5 s, the kubernetes plugin's. */
  ttl?: number;
  clock: Clock;
}

const BY_SERVICE = 'dns-service';
const SRV_PROTOCOLS = new Set(['_tcp', '_udp', '_sctp']);

export class ClusterZone {
  readonly domain: string;
  readonly ttl: number;
  private readonly services: Informer<Service & KubeObject>;
  private readonly slices: Informer<EndpointSlice & KubeObject>;
  private readonly namespaces: Informer<Namespace & KubeObject>;
  private readonly listeners: (() => void)[] = [];
  private reverse: Map<string, string[]> | undefined;
  private serial: number;

  constructor(informers: InformerFactory, private readonly opts: ClusterZoneOptions) {
    this.domain = (opts.domain ?? 'cluster.local').toLowerCase().replace(/^\.+|\.+$/g, '');
    this.ttl = opts.ttl ?? 5;
    this.serial = Math.floor(opts.clock.now() / 1000);
    this.services = informers.informer(resourceForKind('v1', 'Service'));
    this.slices = informers.informer(resourceForKind('discovery.k8s.io/v1', 'EndpointSlice'));
    this.namespaces = informers.informer(resourceForKind('v1', 'Namespace'));
    this.slices.addIndex(BY_SERVICE, (s) => {
      const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
      return svc ? [`${s.metadata?.namespace}/${svc}`] : [];
    });
    const changed = () => this.changed();
    for (const inf of [this.services, this.slices, this.namespaces] as Informer<KubeObject>[]) {
      inf.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
    }
  }

  /** Called after every change of the data the zone answers from. */
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  private changed(): void {
    this.reverse = undefined;
    this.serial = Math.max(this.serial + 1, Math.floor(this.opts.clock.now() / 1000));
    for (const fn of this.listeners) fn();
  }

  /** Whether a (lower-case, dotless) name is the zone or lies in it. */
  inZone(name: string): boolean {
    return name === this.domain || name.endsWith(`.${this.domain}`);
  }

  /** The zone's SOA, for answers and for the authority section of negative answers. */
  soa(): Answer {
    return {
      type: 'SOA', name: this.domain, ttl: this.ttl, class: 'IN',
      data: {
        mname: `ns.dns.${this.domain}`, rname: `hostmaster.${this.domain}`, serial: this.serial >>> 0,
        refresh: 7200, retry: 1800, expire: 86400, minimum: this.ttl,
      },
    };
  }

  /**
   * The answer for `qname` (as asked; compared case-insensitively) and `qtype`; undefined when
   * the name is not the zone's to answer (outside it, or a reverse name of an unknown address).
   */
  lookup(qname: string, qtype: string): ZoneAnswer | undefined {
    const name = qname.toLowerCase().replace(/\.+$/, '');
    if (isReverseName(name)) return this.lookupReverse(qname, name, qtype);
    if (!this.inZone(name)) return undefined;
    const labels = name === this.domain ? [] : name.slice(0, -this.domain.length - 1).split('.');
    const r = new Records(qname, this.ttl);
    if (labels.length === 0) {
      if (qtype === 'SOA') r.answers.push({ ...this.soa(), name: qname });
      return r.done();
    }
    const kind = labels[labels.length - 1];
    if (labels.length === 1) {
      if (kind === 'svc' || kind === 'pod') return r.done();
      if (kind === 'dns-version') {
        if (qtype === 'TXT') r.answers.push({ type: 'TXT', name: qname, ttl: this.ttl, class: 'IN', data: DNS_SCHEMA_VERSION });
        return r.done();
      }
      return r.nx();
    }
    if (kind === 'pod') return this.lookupPod(r, labels, qtype);
    if (kind !== 'svc') return r.nx();
    const ns = labels[labels.length - 2]!;
    if (labels.length === 2) return this.namespaceExists(ns) ? r.done() : r.nx();
    const svc = this.services.store.get(`${ns}/${labels[labels.length - 3]}`);
    if (!svc) return r.nx();
    if (labels.length === 3) return this.serviceRecords(r, svc, qtype);
    if (labels.length === 4) return this.endpointRecords(r, svc, labels[0]!, qtype);
    if (labels.length === 5) return this.srvRecords(r, svc, labels[0]!, labels[1]!, qtype);
    return r.nx();
  }

  private namespaceExists(ns: string): boolean {
    return this.namespaces.store.get(ns) !== undefined;
  }

  private serviceName(svc: Service): string {
    return `${svc.metadata?.name}.${svc.metadata?.namespace}.svc.${this.domain}`;
  }

  private endpointsOf(svc: Service): ResolvedEndpoint[] {
    return readyEndpoints(svc, this.slices.store.byIndex(BY_SERVICE, `${svc.metadata?.namespace}/${svc.metadata?.name}`));
  }

  /** `<svc>.<ns>.svc.<zone>`. */
  private serviceRecords(r: Records, svc: Service, qtype: string): ZoneAnswer {
    if (isExternalName(svc)) {
      const target = (svc.spec?.externalName ?? '').toLowerCase().replace(/\.+$/, '');
      if (!target) return r.nx();
      r.answers.push({ type: 'CNAME', name: r.qname, ttl: this.ttl, class: 'IN', data: target });
      return { ...r.done(), cname: target };
    }
    if (isHeadless(svc)) {
      const eps = this.endpointsOf(svc);
      // The spec: a headless Service without ready endpoints has no name.
      if (eps.length === 0) return r.nx();
      for (const ep of eps) r.address(r.qname, ep.ip, qtype);
      return r.done();
    }
    for (const ip of clusterIPs(svc)) r.address(r.qname, ip, qtype);
    return r.done();
  }

  /** `<hostname>.<svc>.<ns>.svc.<zone>` of headless endpoints, and `_<proto>.<svc>…` as an empty non-terminal. */
  private endpointRecords(r: Records, svc: Service, label: string, qtype: string): ZoneAnswer {
    if (SRV_PROTOCOLS.has(label)) {
      const proto = label.slice(1);
      const has = (svc.spec?.ports ?? []).some((p) => p.name && (p.protocol ?? 'TCP').toLowerCase() === proto);
      return has ? r.done() : r.nx();
    }
    if (!isHeadless(svc)) return r.nx();
    const eps = this.endpointsOf(svc).filter((ep) => ep.hostname === label);
    if (eps.length === 0) return r.nx();
    for (const ep of eps) r.address(r.qname, ep.ip, qtype);
    return r.done();
  }

  /** `_<port>._<proto>.<svc>.<ns>.svc.<zone>` for a named port. */
  private srvRecords(r: Records, svc: Service, portLabel: string, protoLabel: string, qtype: string): ZoneAnswer {
    if (!portLabel.startsWith('_') || !SRV_PROTOCOLS.has(protoLabel)) return r.nx();
    const portName = portLabel.slice(1);
    const proto = protoLabel.slice(1);
    const port = (svc.spec?.ports ?? []).find((p) => p.name?.toLowerCase() === portName && (p.protocol ?? 'TCP').toLowerCase() === proto);
    if (!port || isExternalName(svc)) return r.nx();
    const svcName = this.serviceName(svc);
    if (!isHeadless(svc)) {
      if (qtype === 'SRV') {
        r.answers.push({ type: 'SRV', name: r.qname, ttl: this.ttl, class: 'IN', data: { priority: 0, weight: 100, port: port.port ?? 0, target: svcName } });
        for (const ip of clusterIPs(svc)) r.address(svcName, ip, 'ANY', r.additionals);
      }
      return r.done();
    }
    const eps = this.endpointsOf(svc);
    if (eps.length === 0) return r.nx();
    if (qtype !== 'SRV') return r.done();
    const targets = new Map<string, ResolvedEndpoint[]>();
    for (const ep of eps) targets.set(ep.hostname, [...(targets.get(ep.hostname) ?? []), ep]);
    const weight = Math.max(1, Math.floor(100 / targets.size));
    for (const [hostname, group] of targets) {
      const target = `${hostname}.${svcName}`;
      const number = group[0]!.ports.get(portKey(portName, proto)) ?? port.port ?? 0;
      r.answers.push({ type: 'SRV', name: r.qname, ttl: this.ttl, class: 'IN', data: { priority: 0, weight, port: number, target } });
      for (const ep of group) r.address(target, ep.ip, 'ANY', r.additionals);
    }
    return r.done();
  }

  /** `a-b-c-d.<ns>.pod.<zone>`: answered from the name itself (the `pods insecure` mode). */
  private lookupPod(r: Records, labels: string[], qtype: string): ZoneAnswer {
    if (labels.length === 2) return this.namespaceExists(labels[0]!) ? r.done() : r.nx();
    if (labels.length !== 3 || !this.namespaceExists(labels[1]!)) return r.nx();
    const ip = ipFromDashed(labels[0]!);
    if (!ip) return r.nx();
    r.address(r.qname, ip, qtype);
    return r.done();
  }

  private lookupReverse(qname: string, name: string, qtype: string): ZoneAnswer | undefined {
    const ip = ipFromReverse(name);
    const targets = ip === undefined ? undefined : this.reverseMap().get(ip);
    if (!targets) return undefined;
    const r = new Records(qname, this.ttl);
    if (qtype === 'PTR') for (const t of targets) r.answers.push({ type: 'PTR', name: qname, ttl: this.ttl, class: 'IN', data: t });
    return r.done();
  }

  /** Address → names: cluster IPs to their Service, endpoint IPs to `<hostname>.<svc>…`. Rebuilt after changes. */
  private reverseMap(): Map<string, string[]> {
    if (this.reverse) return this.reverse;
    const map = new Map<string, string[]>();
    const add = (ip: string, name: string) => {
      const list = map.get(ip);
      if (!list) map.set(ip, [name]);
      else if (!list.includes(name)) list.push(name);
    };
    const services = this.services.store.list();
    for (const svc of services) for (const ip of clusterIPs(svc)) add(ip, this.serviceName(svc));
    for (const svc of services) {
      if (isExternalName(svc)) continue;
      for (const ep of this.endpointsOf(svc)) if (!map.has(ep.ip) || isHeadless(svc)) add(ep.ip, `${ep.hostname}.${this.serviceName(svc)}`);
    }
    this.reverse = map;
    return map;
  }
}

/** The records of one answer being put together. */
class Records {
  readonly answers: Answer[] = [];
  readonly additionals: Answer[] = [];

  constructor(readonly qname: string, private readonly ttl: number) {}

  /** An A or AAAA record for `ip` when `qtype` asks for its family (or `ANY`). */
  address(name: string, ip: string, qtype: string, into: Answer[] = this.answers): void {
    const family = familyOf(ip);
    if (family === 4 && (qtype === 'A' || qtype === 'ANY')) into.push({ type: 'A', name, ttl: this.ttl, class: 'IN', data: ip });
    if (family === 6 && (qtype === 'AAAA' || qtype === 'ANY')) into.push({ type: 'AAAA', name, ttl: this.ttl, class: 'IN', data: ip });
  }

  done(): ZoneAnswer {
    return { rcode: 'NOERROR', answers: this.answers, additionals: this.additionals };
  }

  nx(): ZoneAnswer {
    return { rcode: 'NXDOMAIN', answers: [], additionals: [] };
  }
}
