// core/v1 Service: defaults (not cluster IP or node port allocation — the server does that),
// validation, printing and field selectors.
import { isIP } from 'node:net';
import type { LoadBalancerStatus, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../../apimachinery/status.js';
import type { ResourceType } from '../../types.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { PORT_PROTOCOLS, isValidPortNum, validatePortNumOrName } from './container-validation.js';
import { duplicate, forbidden, invalid, invalidEach, notSupported, required } from '../shared/field-errors.js';
import { validateLabels } from '../shared/label-checks.js';
import { validateName, type Obj } from './meta-checks.js';
import { column, CORE_AGE_COLUMN } from '../shared/columns.js';
import { age, formatLabels } from '../shared/printing.js';
import { statusSubresource } from '../shared/subresources.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type ServiceSpec = NonNullable<Service['spec']>;

export const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
export const DEFAULT_NODE_PORT_RANGE = { base: 30000, size: 2768 };
const IP_MESSAGE = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const DEFAULT_CLIENT_IP_TIMEOUT = 10800;

/** `clusterIP` and `clusterIPs[0]` say the same thing; whichever is set fills the other. */
function normalizeClusterIPs(spec: ServiceSpec): void {
  if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
  else if (!spec.clusterIP && spec.clusterIPs?.length) spec.clusterIP = spec.clusterIPs[0];
}

export function setServiceDefaults(svc: Service): void {
  const spec = ((svc as Mutable<Service>).spec ??= {});
  spec.type ||= 'ClusterIP';
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = (spec.sessionAffinityConfig ??= {});
    const clientIP = (cfg.clientIP ??= {});
    clientIP.timeoutSeconds ??= DEFAULT_CLIENT_IP_TIMEOUT;
  }
  for (const p of spec.ports ?? []) {
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  normalizeClusterIPs(spec);
  if (spec.type === 'ExternalName') return;
  if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && !spec.externalTrafficPolicy) {
    spec.externalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  spec.internalTrafficPolicy ||= 'Cluster';
  spec.ipFamilyPolicy ||= 'SingleStack';
  if (!spec.ipFamilies?.length) {
    const ips = (spec.clusterIPs ?? []).filter((ip) => ip !== 'None' && isIP(ip));
    spec.ipFamilies = ips.length ? ips.map((ip) => (isIP(ip) === 6 ? 'IPv6' : 'IPv4')) : ['IPv4'];
  }
}

function validatePorts(spec: ServiceSpec): FieldError[] {
  const errs: FieldError[] = [];
  const ports = spec.ports ?? [];
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p: ServicePort, i) => {
    const at = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) errs.push(required(`${at}.name`));
    else if (p.name) {
      errs.push(...invalidEach(`${at}.name`, p.name, isDNS1123Label(p.name)));
      if (names.has(p.name)) errs.push(duplicate(`${at}.name`, p.name));
      names.add(p.name);
    }
    errs.push(...invalidEach(`${at}.port`, p.port, isValidPortNum(p.port)));
    if (!p.protocol) errs.push(required(`${at}.protocol`));
    else if (!(PORT_PROTOCOLS as readonly string[]).includes(p.protocol)) errs.push(notSupported(`${at}.protocol`, p.protocol, PORT_PROTOCOLS));
    if (spec.type !== 'ExternalName') errs.push(...validatePortNumOrName(p.targetPort, `${at}.targetPort`));
    const key = JSON.stringify({ port: p.port, protocol: p.protocol });
    if (seen.has(key)) errs.push(duplicate(at, { port: p.port, protocol: p.protocol }));
    seen.add(key);
    if (p.nodePort) {
      if (spec.type === 'ClusterIP' || spec.type === 'ExternalName') {
        errs.push(forbidden(`${at}.nodePort`, `may not be used when \`type\` is '${spec.type}'`));
      } else {
        const { base, size } = DEFAULT_NODE_PORT_RANGE;
        if (p.nodePort < base || p.nodePort >= base + size) {
          errs.push(invalid(`${at}.nodePort`, p.nodePort,
            `provided port is not in the valid range. The range of valid ports is ${base}-${base + size - 1}`));
        }
      }
    }
  });
  return errs;
}

export function validateService(svc: Service): FieldError[] {
  const errs = validateName(svc, isDNS1035Label);
  const spec = svc.spec;
  if (!spec) return [...errs, required('spec')];
  const type = spec.type ?? '';
  if (!SERVICE_TYPES.includes(type)) errs.push(notSupported('spec.type', type, SERVICE_TYPES));
  const headless = spec.clusterIP === 'None';
  if (!spec.ports?.length && !headless && type !== 'ExternalName') errs.push(required('spec.ports'));
  errs.push(...validatePorts(spec));
  if (type === 'ExternalName') {
    if (spec.clusterIP) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    const name = (spec.externalName ?? '').replace(/\.$/, '');
    if (!name) errs.push(required('spec.externalName'));
    else errs.push(...invalidEach('spec.externalName', spec.externalName, isDNS1123Subdomain(name)));
  } else {
    (spec.clusterIPs ?? []).forEach((ip, i) => {
      if (ip === 'None' ? i > 0 : !isIP(ip)) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, IP_MESSAGE));
    });
    if (spec.clusterIP && spec.clusterIPs?.length && spec.clusterIP !== spec.clusterIPs[0]) {
      errs.push(invalid('spec.clusterIPs', spec.clusterIPs, 'first value must match `clusterIP`'));
    }
    if (headless && (type === 'NodePort' || type === 'LoadBalancer')) {
      errs.push(invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`));
    }
  }
  (spec.externalIPs ?? []).forEach((ip, i) => { if (!isIP(ip)) errs.push(invalid(`spec.externalIPs[${i}]`, ip, IP_MESSAGE)); });
  if (spec.sessionAffinity && !['ClientIP', 'None'].includes(spec.sessionAffinity)) {
    errs.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  }
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (timeout !== undefined && (timeout <= 0 || timeout > 86400)) {
    errs.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, 'must be greater than 0 and less than 86400'));
  }
  for (const [f, ok] of [['externalTrafficPolicy', ['Cluster', 'Local']], ['internalTrafficPolicy', ['Cluster', 'Local']],
    ['ipFamilyPolicy', ['PreferDualStack', 'RequireDualStack', 'SingleStack']]] as const) {
    const v = spec[f];
    if (v && !(ok as readonly string[]).includes(v)) errs.push(notSupported(`spec.${f}`, v, ok));
  }
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  return errs;
}

export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const errs = validateService(svc);
  const changingExternalName = svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName';
  const next = svc.spec?.clusterIPs ?? [];
  const prev = old.spec?.clusterIPs ?? [];
  // An update without cluster IPs keeps the allocated ones (the server carries them forward).
  if (!changingExternalName && next.length && prev.length && next[0] !== prev[0]) {
    errs.push(invalid('spec.clusterIPs[0]', next, 'may not change once set'));
  }
  return errs;
}

function loadBalancerAddresses(lb: LoadBalancerStatus | undefined): string[] {
  return (lb?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter((s) => s !== '');
}

/** EXTERNAL-IP as Kubernetes prints it per service type (the server prints untruncated, as -o wide). */
export function serviceExternalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP': case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const all = [...loadBalancerAddresses(svc.status?.loadBalancer), ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

export function servicePorts(ports: ServicePort[] | undefined): string {
  const s = (ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(',');
  return s || '<none>';
}

export const serviceResource: ResourceType<Obj<Service>> = {
  group: '', version: 'v1', kind: 'Service', plural: 'services', singular: 'service', namespaced: true,
  shortNames: ['svc'], categories: ['all'],
  subresources: [statusSubresource('Service')],
  schema: 'io.k8s.api.core.v1.Service',
  hasStatus: true,
  tracksGeneration: false,
  setDefaults: setServiceDefaults,
  validate: validateService,
  validateUpdate: validateServiceUpdate,
  columns: [
    column('Type', 'How the service is exposed.'),
    column('Cluster-IP', 'The IP address of the service inside the cluster.'),
    column('External-IP', 'Addresses the service is reachable at from outside the cluster.'),
    column('Port(s)', 'The ports the service exposes.'),
    CORE_AGE_COLUMN,
    column('Selector', 'Labels of the pods the service routes to.', 'string', 1),
  ],
  row: (svc, now) => [
    svc.spec?.type ?? '', svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || '<none>', serviceExternalIP(svc),
    servicePorts(svc.spec?.ports), age(svc, now), formatLabels(svc.spec?.selector),
  ],
  fields: {
    'spec.clusterIP': (s) => s.spec?.clusterIP ?? '',
    'spec.type': (s) => s.spec?.type ?? '',
  },
};
