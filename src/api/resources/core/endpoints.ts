// core/v1 Endpoints: address and port checks, and the ENDPOINTS cell (first three, then "+ N more...").
import { isIP } from 'node:net';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../../apimachinery/status.js';
import type { ResourceType } from '../../types.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { PORT_PROTOCOLS, isValidPortNum } from './container-validation.js';
import { invalid, invalidEach, notSupported, required } from '../shared/field-errors.js';
import { validateName, type Obj } from './meta-checks.js';
import { column, CORE_AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';

const IP_MESSAGE = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

export function setEndpointsDefaults(ep: Endpoints): void {
  for (const s of ep.subsets ?? []) for (const p of s.ports ?? []) (p as { protocol?: string }).protocol ||= 'TCP';
}

export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs = validateName(ep, isDNS1123Subdomain);
  (ep.subsets ?? []).forEach((s, i) => {
    const at = `subsets[${i}]`;
    for (const [list, key] of [[s.addresses, 'addresses'], [s.notReadyAddresses, 'notReadyAddresses']] as const) {
      (list ?? []).forEach((a, j) => {
        if (!isIP(a.ip)) errs.push(invalid(`${at}.${key}[${j}].ip`, a.ip, IP_MESSAGE));
        if (a.hostname) errs.push(...invalidEach(`${at}.${key}[${j}].hostname`, a.hostname, isDNS1123Label(a.hostname)));
      });
    }
    const ports = s.ports ?? [];
    ports.forEach((p, j) => {
      const pat = `${at}.ports[${j}]`;
      if (ports.length > 1 && !p.name) errs.push(required(`${pat}.name`));
      else if (p.name) errs.push(...invalidEach(`${pat}.name`, p.name, isDNS1123Label(p.name)));
      errs.push(...invalidEach(`${pat}.port`, p.port, isValidPortNum(p.port)));
      if (!p.protocol) errs.push(required(`${pat}.protocol`));
      else if (!(PORT_PROTOCOLS as readonly string[]).includes(p.protocol)) errs.push(notSupported(`${pat}.protocol`, p.protocol, PORT_PROTOCOLS));
    });
  });
  return errs;
}

const hostPort = (ip: string, port: number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  for (const s of subsets) {
    const addrs = s.addresses ?? [];
    if (!s.ports?.length) {
      count += addrs.length;
      for (const a of addrs) if (list.length < max) list.push(a.ip);
      continue;
    }
    for (const p of s.ports) {
      count += addrs.length;
      for (const a of addrs) if (list.length < max) list.push(hostPort(a.ip, p.port));
    }
  }
  return count > max ? `${list.join(',')} + ${count - max} more...` : list.join(',');
}

export const endpointsResource: ResourceType<Obj<Endpoints>> = {
  group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', singular: 'endpoints', namespaced: true,
  shortNames: ['ep'],
  schema: 'io.k8s.api.core.v1.Endpoints',
  tracksGeneration: false,
  setDefaults: setEndpointsDefaults,
  validate: validateEndpoints,
  validateUpdate: (ep) => validateEndpoints(ep),
  columns: [column('Endpoints', 'Ready addresses and ports of the service.'), CORE_AGE_COLUMN],
  row: (ep, now) => [formatEndpoints(ep), age(ep, now)],
};
