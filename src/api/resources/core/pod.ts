// core/v1 Pod: defaults, validation (create and the narrow set of allowed updates), printing and
// field selectors.
import type { Container, Pod, PodSpec, Toleration } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../../apimachinery/status.js';
import type { ResourceType } from '../../types.js';
import { isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { forbidden, invalid, required } from '../shared/field-errors.js';
import { clone, validateName, type Obj } from './meta-checks.js';
import { semanticEqual } from '../shared/semantic-equal.js';
import { podStatusCells, readinessGatesCell } from './pod-status-printer.js';
import { setPodSpecDefaults } from './pod-spec-defaults.js';
import { validatePodSpec, validateTolerations } from './pod-spec-validation.js';
import { column, CORE_AGE_COLUMN } from '../shared/columns.js';
import { age } from '../shared/printing.js';
import { readQuantity } from './quantities.js';
import { statusSubresource } from '../shared/subresources.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Requests default to limits, per resource, when only the limit is given. */
function defaultRequestsFromLimits(containers: Container[] | undefined): void {
  for (const c of containers ?? []) {
    const limits = c.resources?.limits;
    if (!limits || Object.keys(limits).length === 0) continue;
    const requests = (c.resources!.requests ??= {});
    for (const [name, q] of Object.entries(limits)) if (!(name in requests)) requests[name] = q;
  }
}

/** Kubernetes' QoS class from cpu and memory requests and limits of every container. */
export function podQOSClass(spec: PodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const tracked = ['cpu', 'memory'];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of tracked) {
      const rq = readQuantity(req[r]);
      const lq = readQuantity(lim[r]);
      if ((rq && !rq.isZero()) || (lq && !lq.isZero())) any = true;
      if (!lq || (rq && !rq.equals(lq))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function setPodDefaults(pod: Pod): void {
  const spec = ((pod as Mutable<Pod>).spec ??= { containers: [] });
  setPodSpecDefaults(spec);
  spec.enableServiceLinks ??= true;
  defaultRequestsFromLimits(spec.containers);
  defaultRequestsFromLimits(spec.initContainers);
  const status = ((pod as Mutable<Pod>).status ??= {});
  (status as Mutable<typeof status>).phase ||= 'Pending';
  (status as Mutable<typeof status>).qosClass ||= podQOSClass(spec);
}

export function validatePod(pod: Pod): FieldError[] {
  const errs = validateName(pod, isDNS1123Subdomain);
  if (!pod.spec) return [...errs, required('spec')];
  errs.push(...validatePodSpec(pod.spec, 'spec'));
  if (pod.spec.ephemeralContainers?.length) {
    errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  }
  return errs;
}

const tolerationKey = (t: Toleration): string => JSON.stringify([t.key ?? '', t.operator ?? 'Equal', t.value ?? '', t.effect ?? '']);

/** Existing tolerations stay (their tolerationSeconds may change); new ones may be added. */
function validateOnlyAddedTolerations(next: Toleration[] | undefined, prev: Toleration[] | undefined): FieldError[] {
  const now = new Set((next ?? []).map(tolerationKey));
  const errs: FieldError[] = [];
  (prev ?? []).forEach((t, i) => {
    if (!now.has(tolerationKey(t))) {
      errs.push(forbidden(`spec.tolerations[${i}]`, 'existing toleration can not be modified except its tolerationSeconds'));
    }
  });
  return [...errs, ...validateTolerations(next, 'spec.tolerations')];
}

export const POD_UPDATE_FORBIDDEN = 'pod updates may not change fields other than `spec.containers[*].image`,'
  + '`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),'
  + '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = validatePod(pod).filter((e) => e.field !== 'spec.ephemeralContainers');
  const next = pod.spec;
  const prev = old.spec;
  if (!next || !prev) return errs;
  if ((next.containers?.length ?? 0) !== (prev.containers?.length ?? 0)) {
    return [...errs, forbidden('spec.containers', 'pod updates may not add or remove containers')];
  }
  const nextDeadline = next.activeDeadlineSeconds;
  const prevDeadline = prev.activeDeadlineSeconds;
  if (nextDeadline != null) {
    if (prevDeadline != null && prevDeadline < nextDeadline) {
      return [...errs, invalid('spec.activeDeadlineSeconds', nextDeadline, 'must be less than or equal to previous value')];
    }
  } else if (prevDeadline != null) {
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...validateOnlyAddedTolerations(next.tolerations, prev.tolerations));
  if (!prev.schedulingGates?.length && next.schedulingGates?.length) {
    errs.push(forbidden('spec.schedulingGates', 'only deletion is allowed, but found new scheduling gate'));
  }

  // Put the old values of the updatable fields into a copy of the new spec; anything left over is forbidden.
  const munged = clone(next) as Mutable<PodSpec>;
  munged.containers = munged.containers.map((c, i) => ({ ...c, image: prev.containers[i]?.image }) as Container);
  if (munged.initContainers && prev.initContainers) {
    munged.initContainers = munged.initContainers.map((c, i) => ({ ...c, image: prev.initContainers?.[i]?.image ?? c.image }) as Container);
  }
  munged.activeDeadlineSeconds = prevDeadline;
  munged.schedulingGates = prev.schedulingGates;
  munged.tolerations = prev.tolerations;
  munged.ephemeralContainers = prev.ephemeralContainers; // changed only through the ephemeralcontainers subresource
  if ((prev.terminationGracePeriodSeconds ?? 0) < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = prev.terminationGracePeriodSeconds;
  }
  if (!semanticEqual(munged, prev)) {
    const changed = Object.keys({ ...munged, ...prev })
      .filter((k) => !semanticEqual((munged as unknown as Record<string, unknown>)[k], (prev as unknown as Record<string, unknown>)[k]))
      .sort();
    errs.push(forbidden('spec', `${POD_UPDATE_FORBIDDEN}\n  changed: ${changed.map((k) => `spec.${k}`).join(', ')}`));
  }
  return errs;
}

export function podRow(pod: Pod, now: number): unknown[] {
  const cells = podStatusCells(pod, now);
  const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
  return [
    cells.ready, cells.status, cells.restarts, age(pod, now),
    ip, pod.spec?.nodeName || '<none>', pod.status?.nominatedNodeName || '<none>', readinessGatesCell(pod),
  ];
}

export const podResource: ResourceType<Obj<Pod>> = {
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true,
  shortNames: ['po'], categories: ['all'],
  subresources: [
    statusSubresource('Pod'),
    { name: 'binding', kind: 'Binding', verbs: ['create'] },
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
    { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
  ],
  schema: 'io.k8s.api.core.v1.Pod',
  hasStatus: true,
  tracksGeneration: false,
  setDefaults: setPodDefaults,
  validate: validatePod,
  validateUpdate: validatePodUpdate,
  columns: [
    column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    CORE_AGE_COLUMN,
    column('IP', 'IP address allocated to the pod.', 'string', 1),
    column('Node', 'The node the pod is bound to.', 'string', 1),
    column('Nominated Node', 'The node the scheduler nominated for this pod during preemption.', 'string', 1),
    column('Readiness Gates', 'Readiness gates that are true, out of all of them.', 'string', 1),
  ],
  row: podRow,
  fields: {
    'spec.nodeName': (p) => p.spec?.nodeName ?? '',
    'spec.restartPolicy': (p) => p.spec?.restartPolicy ?? '',
    'spec.schedulerName': (p) => p.spec?.schedulerName ?? '',
    'spec.serviceAccountName': (p) => p.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (p) => String(!!p.spec?.hostNetwork),
    'status.phase': (p) => p.status?.phase ?? '',
    'status.podIP': (p) => p.status?.podIPs?.[0]?.ip ?? p.status?.podIP ?? '',
    'status.nominatedNodeName': (p) => p.status?.nominatedNodeName ?? '',
  },
};
