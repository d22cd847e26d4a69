// core/v1 Node (cluster-scoped): taint and CIDR checks, STATUS/ROLES printing.
import { isIP } from 'node:net';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../../apimachinery/status.js';
import type { ResourceType } from '../../types.js';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../../../apimachinery/validation.js';
import { duplicate, forbidden, invalid, invalidEach, notSupported, required } from '../shared/field-errors.js';
import { semanticEqual } from '../shared/semantic-equal.js';
import { validateName, type Obj } from './meta-checks.js';
import { TAINT_EFFECTS } from './pod-spec-validation.js';
import { column, CORE_AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';
import { statusSubresource } from '../shared/subresources.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

/** Allocatable defaults to capacity when a node reports only capacity. */
export function setNodeDefaults(node: Node): void {
  const status = (node as Mutable<Node>).status as Mutable<NonNullable<Node['status']>> | undefined;
  if (status?.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
}

function isCIDR(s: string): boolean {
  const [ip, bits, extra] = s.split('/');
  if (extra !== undefined || !ip || bits === undefined || !/^\d+$/.test(bits)) return false;
  const family = isIP(ip);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

export function validateNode(node: Node): FieldError[] {
  const errs = validateName(node, isDNS1123Subdomain);
  const spec = node.spec ?? {};
  const seen = new Set<string>();
  (spec.taints ?? []).forEach((t, i) => {
    const at = `spec.taints[${i}]`;
    if (!t.key) errs.push(required(`${at}.key`));
    else errs.push(...invalidEach(`${at}.key`, t.key, isQualifiedName(t.key)));
    if (t.value) errs.push(...invalidEach(`${at}.value`, t.value, isValidLabelValue(t.value)));
    if (!t.effect) errs.push(required(`${at}.effect`));
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(`${at}.effect`, t.effect, TAINT_EFFECTS));
    const key = `${t.key}:${t.effect}`;
    if (seen.has(key)) errs.push(duplicate(at, `${t.key}:${t.effect}`));
    seen.add(key);
  });
  const cidrs = spec.podCIDRs ?? (spec.podCIDR ? [spec.podCIDR] : []);
  cidrs.forEach((c, i) => { if (!isCIDR(c)) errs.push(invalid(`spec.podCIDRs[${i}]`, c, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')); });
  if (spec.podCIDR && spec.podCIDRs?.length && spec.podCIDR !== spec.podCIDRs[0]) {
    errs.push(invalid('spec.podCIDRs', spec.podCIDRs, 'first value must match `podCIDR`'));
  }
  return errs;
}

export function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs = validateNode(node);
  const prevCIDRs = old.spec?.podCIDRs ?? [];
  if (prevCIDRs.length && !semanticEqual(node.spec?.podCIDRs, prevCIDRs)) {
    errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (old.spec?.providerID && node.spec?.providerID !== old.spec.providerID) {
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}

export function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length) roles.add(k.slice(ROLE_PREFIX.length));
    else if (k === ROLE_LABEL && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

export function nodeStatus(node: Node): string {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

const address = (node: Node, type: string): string => node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';

export const nodeResource: ResourceType<Obj<Node>> = {
  group: '', version: 'v1', kind: 'Node', plural: 'nodes', singular: 'node', namespaced: false,
  shortNames: ['no'],
  subresources: [
    statusSubresource('Node'),
    { name: 'proxy', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  ],
  schema: 'io.k8s.api.core.v1.Node',
  hasStatus: true,
  tracksGeneration: false,
  setDefaults: setNodeDefaults,
  validate: validateNode,
  validateUpdate: validateNodeUpdate,
  columns: [
    column('Status', 'The status of the node'),
    column('Roles', 'The roles of the node'),
    CORE_AGE_COLUMN,
    column('Version', 'Kubelet version reported by the node.'),
    column('Internal-IP', 'The node\'s internal address.', 'string', 1),
    column('External-IP', 'The node\'s external address.', 'string', 1),
    column('OS-Image', 'OS image reported by the node.', 'string', 1),
    column('Kernel-Version', 'Kernel version reported by the node.', 'string', 1),
    column('Container-Runtime', 'Container runtime version reported by the node.', 'string', 1),
  ],
  row: (node, now) => {
    const info = node.status?.nodeInfo;
    return [
      nodeStatus(node), nodeRoles(node), age(node, now), info?.kubeletVersion ?? '',
      address(node, 'InternalIP'), address(node, 'ExternalIP'),
      info?.osImage || '<unknown>', info?.kernelVersion || '<unknown>', info?.containerRuntimeVersion || '<unknown>',
    ];
  },
  fields: { 'spec.unschedulable': (n) => String(!!n.spec?.unschedulable) },
};
