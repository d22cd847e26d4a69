// networking.k8s.io/v1 NetworkPolicy: which traffic may reach (ingress) and leave (egress) the
// pods a selector picks. Defaults and validation as Kubernetes' networking defaulting and
// ValidateNetworkPolicy apply them; printed as NAME, POD-SELECTOR, AGE.
import type { FieldError } from '../../../apimachinery/status.js';
import type {
  IPBlock, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec,
} from 'kubernetes-types/networking/v1.js';
import { AGE_COLUMN } from '../shared/columns.js';
import { age, selectorCell } from '../shared/printing.js';
import { defineResource } from '../shared/define-resource.js';
import { forbidden, invalid, invalidEach, notSupported, required } from '../shared/field-errors.js';
import { GoText } from '../shared/go-values.js';
import { isSet } from '../shared/is-set.js';
import { validateLabelSelector } from '../shared/label-checks.js';
import { isValidPortName, isValidPortNum } from '../core/container-validation.js';
import { isStrictSubset, parseCIDR } from './cidr.js';

/** In Kubernetes' order for this message (TCP, UDP, SCTP), not sorted. */
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const POLICY_TYPES = ['Ingress', 'Egress'];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** policyTypes from the rules when none are given (Ingress always, Egress with egress rules); TCP ports. */
export function setNetworkPolicyDefaults(np: NetworkPolicy): void {
  const spec = np.spec as Mutable<NetworkPolicySpec> | undefined;
  if (!spec) return;
  if (!spec.policyTypes || spec.policyTypes.length === 0) {
    spec.policyTypes = (spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
    for (const port of (rule.ports ?? []) as Mutable<NetworkPolicyPort>[]) port.protocol ??= 'TCP';
  }
}

export function validateNetworkPolicyPort(port: NetworkPolicyPort, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (isSet(port.protocol) && !PROTOCOLS.includes(port.protocol)) {
    errs.push(notSupported(`${path}.protocol`, port.protocol, PROTOCOLS));
  }
  const endPort = port.endPort;
  if (!isSet(port.port)) {
    if (isSet(endPort)) errs.push(invalid(`${path}.endPort`, endPort, 'may not be specified when `port` is not specified'));
  } else if (typeof port.port === 'number') {
    errs.push(...invalidEach(`${path}.port`, port.port, isValidPortNum(port.port)));
    if (isSet(endPort)) {
      if (endPort < port.port) errs.push(invalid(`${path}.endPort`, endPort, 'must be greater than or equal to `port`'));
      errs.push(...invalidEach(`${path}.endPort`, endPort, isValidPortNum(endPort)));
    }
  } else {
    if (isSet(endPort)) errs.push(invalid(`${path}.endPort`, endPort, 'may not be specified when `port` is non-numeric'));
    errs.push(...invalidEach(`${path}.port`, port.port, isValidPortName(port.port)));
  }
  return errs;
}

/** The cidr must parse, and every except must parse and lie strictly inside it. */
export function validateIPBlock(block: IPBlock, path: string): FieldError[] {
  if (!block.cidr) return [required(`${path}.cidr`)];
  const outer = parseCIDR(block.cidr);
  if (!outer) return [invalid(`${path}.cidr`, block.cidr, 'not a valid CIDR')];
  const errs: FieldError[] = [];
  for (const [i, except] of (block.except ?? []).entries()) {
    const at = `${path}.except[${i}]`;
    const inner = parseCIDR(except);
    // Kubernetes stops at the first except that does not parse.
    if (!inner) return [...errs, invalid(at, except, 'not a valid CIDR')];
    if (!isStrictSubset(inner, outer)) errs.push(invalid(at, except, 'must be a strict subset of `cidr`'));
  }
  return errs;
}

export function validateNetworkPolicyPeer(peer: NetworkPolicyPeer, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let peers = 0;
  if (isSet(peer.podSelector)) {
    peers++;
    errs.push(...validateLabelSelector(peer.podSelector, `${path}.podSelector`));
  }
  if (isSet(peer.namespaceSelector)) {
    peers++;
    errs.push(...validateLabelSelector(peer.namespaceSelector, `${path}.namespaceSelector`));
  }
  if (isSet(peer.ipBlock)) {
    peers++;
    errs.push(...validateIPBlock(peer.ipBlock, `${path}.ipBlock`));
  }
  if (peers === 0) errs.push(required(path, 'must specify a peer'));
  else if (peers > 1 && isSet(peer.ipBlock)) errs.push(forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

function goPolicyTypes(types: readonly string[]): GoText {
  return new GoText(`[]networking.PolicyType{${types.map((t) => JSON.stringify(t)).join(', ')}}`);
}

export function validateNetworkPolicySpec(spec: NetworkPolicySpec, path = 'spec'): FieldError[] {
  const errs = validateLabelSelector(spec.podSelector ?? {}, `${path}.podSelector`);
  const rules = (kind: 'ingress' | 'egress', peersField: 'from' | 'to') => {
    for (const [i, rule] of ((spec[kind] ?? []) as { ports?: NetworkPolicyPort[]; from?: NetworkPolicyPeer[]; to?: NetworkPolicyPeer[] }[]).entries()) {
      const at = `${path}.${kind}[${i}]`;
      (rule.ports ?? []).forEach((p, j) => errs.push(...validateNetworkPolicyPort(p, `${at}.ports[${j}]`)));
      (rule[peersField] ?? []).forEach((p, j) => errs.push(...validateNetworkPolicyPeer(p, `${at}.${peersField}[${j}]`)));
    }
  };
  rules('ingress', 'from');
  rules('egress', 'to');
  const types = spec.policyTypes ?? [];
  if (types.length > POLICY_TYPES.length) {
    errs.push(invalid(`${path}.policyTypes`, goPolicyTypes(types), 'may not specify more than two policyTypes'));
    return errs;
  }
  types.forEach((t, i) => {
    if (!POLICY_TYPES.includes(t)) errs.push(notSupported(`${path}.policyTypes[${i}]`, t, POLICY_TYPES));
  });
  return errs;
}

export function validateNetworkPolicy(np: NetworkPolicy): FieldError[] {
  return validateNetworkPolicySpec(np.spec ?? { podSelector: {} });
}

export function networkPolicyRow(np: NetworkPolicy, now: number): unknown[] {
  return [selectorCell(np.spec?.podSelector ?? {}), age(np, now)];
}

export const networkpolicies = defineResource<NetworkPolicy>({
  group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', singular: 'networkpolicy',
  namespaced: true, shortNames: ['netpol'],
  schema: 'io.k8s.api.networking.v1.NetworkPolicy',
  tracksGeneration: true,
  setDefaults: setNetworkPolicyDefaults,
  validate: validateNetworkPolicy,
  columns: [
    { name: 'Pod-Selector', type: 'string', priority: 0, description: 'The label selector of the pods this policy applies to.' },
    AGE_COLUMN,
  ],
  row: networkPolicyRow,
});
