// discovery.k8s.io/v1 EndpointSlice.
import { isIPv4, isIPv6 } from 'node:net';
import type { FieldError } from '../../../apimachinery/status.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../../../apimachinery/validation.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import { duplicate, IMMUTABLE, invalid, invalidEach, notSupported, required, tooMany } from '../shared/field-errors.js';
import { isSet } from '../shared/is-set.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;

export function setEndpointSliceDefaults(slice: EndpointSlice): void {
  for (const port of slice.ports ?? []) {
    port.name ??= '';
    port.protocol ??= 'TCP';
  }
}

function validateAddress(address: string, type: string, path: string): FieldError[] {
  switch (type) {
    case 'IPv4': return isIPv4(address) ? [] : [invalid(path, address, 'must be a valid IPv4 address')];
    case 'IPv6': return isIPv6(address) ? [] : [invalid(path, address, 'must be a valid IPv6 address')];
    case 'FQDN': return invalidEach(path, address, fqdnProblems(address));
    default: return [];
  }
}

function fqdnProblems(name: string): string[] {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  if (trimmed.length === 0) return ['must be non-empty'];
  const errs = isDNS1123Subdomain(trimmed);
  if (!errs.length && trimmed.split('.').length < 2) errs.push('should be a domain with at least two segments separated by dots');
  return errs;
}

function validateEndpoints(endpoints: Endpoint[], type: string): FieldError[] {
  if (endpoints.length > MAX_ENDPOINTS) return [tooMany('endpoints', endpoints.length, MAX_ENDPOINTS)];
  const errs: FieldError[] = [];
  endpoints.forEach((ep, i) => {
    const p = `endpoints[${i}]`;
    const addresses = ep.addresses ?? [];
    if (addresses.length === 0) errs.push(required(`${p}.addresses`, 'must contain at least 1 address'));
    else if (addresses.length > MAX_ADDRESSES) errs.push(tooMany(`${p}.addresses`, addresses.length, MAX_ADDRESSES));
    addresses.forEach((a, j) => errs.push(...validateAddress(a, type, `${p}.addresses[${j}]`)));
    if (isSet(ep.nodeName)) errs.push(...invalidEach(`${p}.nodeName`, ep.nodeName, isDNS1123Subdomain(ep.nodeName)));
    if (isSet(ep.hostname)) errs.push(...invalidEach(`${p}.hostname`, ep.hostname, isDNS1123Label(ep.hostname)));
  });
  return errs;
}

function validatePorts(ports: EndpointPort[]): FieldError[] {
  if (ports.length > MAX_PORTS) return [tooMany('ports', ports.length, MAX_PORTS)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `ports[${i}]`;
    const name = port.name ?? '';
    if (name) errs.push(...invalidEach(`${p}.name`, name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
    names.add(name);
    if (!isSet(port.protocol)) errs.push(required(`${p}.protocol`));
    else if (!PROTOCOLS.includes(port.protocol)) errs.push(notSupported(`${p}.protocol`, port.protocol, PROTOCOLS));
    if (isSet(port.appProtocol)) errs.push(...invalidEach(`${p}.appProtocol`, port.appProtocol, isQualifiedName(port.appProtocol)));
  });
  return errs;
}

export function validateEndpointSlice(slice: EndpointSlice): FieldError[] {
  const type = slice.addressType ?? '';
  const errs: FieldError[] = [];
  if (!type) errs.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(type)) errs.push(notSupported('addressType', type, ADDRESS_TYPES));
  errs.push(...validateEndpoints(slice.endpoints ?? [], type));
  errs.push(...validatePorts(slice.ports ?? []));
  return errs;
}

export function validateEndpointSliceUpdate(slice: EndpointSlice, old: EndpointSlice): FieldError[] {
  const errs = validateEndpointSlice(slice);
  if ((slice.addressType ?? '') !== (old.addressType ?? '')) errs.push(invalid('addressType', slice.addressType ?? '', IMMUTABLE));
  return errs;
}

/** Up to three items joined with ",", then "+ N more...", or `<unset>` when there are none. */
function listWithMore(items: string[]): string {
  if (items.length === 0) return '<unset>';
  const shown = items.slice(0, 3).join(',');
  return items.length > 3 ? `${shown} + ${items.length - 3} more...` : shown;
}

export function endpointSliceRow(slice: EndpointSlice, now: number): unknown[] {
  const ports = (slice.ports ?? []).map((p) => (isSet(p.port) ? String(p.port) : isSet(p.name) ? p.name : '*'));
  const addresses = (slice.endpoints ?? []).flatMap((e) => e.addresses ?? []);
  return [slice.addressType ?? '', listWithMore(ports), listWithMore(addresses), age(slice, now)];
}

export const endpointslices = defineResource<EndpointSlice>({
  group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', singular: 'endpointslice',
  namespaced: true,
  schema: 'io.k8s.api.discovery.v1.EndpointSlice',
  // Kubernetes bumps an EndpointSlice's generation on any change outside metadata.
  tracksGeneration: true,
  setDefaults: setEndpointSliceDefaults,
  validate: validateEndpointSlice,
  validateUpdate: validateEndpointSliceUpdate,
  columns: [
    { name: 'AddressType', type: 'string', priority: 0, description: 'The type of address carried by this slice.' },
    { name: 'Ports', type: 'string', priority: 0, description: 'The network ports exposed by each endpoint.' },
    { name: 'Endpoints', type: 'string', priority: 0, description: 'The addresses of the endpoints in this slice.' },
    AGE_COLUMN,
  ],
  row: endpointSliceRow,
});
