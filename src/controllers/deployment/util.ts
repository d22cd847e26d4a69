// Deployment arithmetic as Kubernetes' deployment util has it: surge and unavailability
// fenceposts, replica annotations, revision bookkeeping and replica set orderings.
import type { KubeObject } from '../../apimachinery/object.js';
import type { Deployment, IntOrString, ReplicaSet } from './types.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const ROLLBACK_TO = 'deprecated.deployment.rollback.to';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Kubernetes keeps the revision-history annotation under this many characters. */
const MAX_REV_HISTORY_CHARS = 2000;

export { CONTROLLER_UID_INDEX, controllerOf, controllerUidIndex, orphanIndexValue } from '../../client/owner-index.js';

export function replicasOf(d: Deployment): number {
  return d.spec?.replicas ?? 1;
}

export function specReplicas(rs: ReplicaSet | undefined): number {
  return rs?.spec?.replicas ?? 0;
}

/** An int, or a percentage of `total` rounded up or down. */
export function scaledValue(v: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    const n = Number(v);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(v)}`);
  }
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** Surge rounds up, unavailability down; both zero would stall, so unavailability becomes 1. */
export function resolveFenceposts(d: Deployment): { surge: number; unavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const desired = replicasOf(d);
  const surge = scaledValue(ru.maxSurge ?? '25%', desired, true);
  let unavailable = scaledValue(ru.maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).surge : 0;
}

export function maxUnavailable(d: Deployment): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, replicas);
}

export function revisionOf(obj: KubeObject): number {
  const v = obj.metadata?.annotations?.[REVISION];
  const n = v === undefined ? 0 : Number(v);
  return Number.isInteger(n) ? n : 0;
}

export function maxRevision(sets: ReplicaSet[]): number {
  return sets.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

function skipCopy(key: string): boolean {
  return key === LAST_APPLIED || key === REVISION || key === REVISION_HISTORY || key === DESIRED_REPLICAS || key === MAX_REPLICAS || key === ROLLBACK_TO;
}

/** Sets desired/max replicas annotations; true when something changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata!.annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS] !== String(desired)) { a[DESIRED_REPLICAS] = String(desired); changed = true; }
  if (a[MAX_REPLICAS] !== String(max)) { a[MAX_REPLICAS] = String(max); changed = true; }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
}

export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  const v = rs.metadata?.annotations?.[DESIRED_REPLICAS];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

function maxReplicasAnnotation(rs: ReplicaSet): number | undefined {
  const v = rs.metadata?.annotations?.[MAX_REPLICAS];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/**
 * Copies the Deployment's annotations (change-cause among them) to its new replica set, and moves
 * the set's revision up to `newRevision`, remembering the old one. True when the set changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  const a = (rs.metadata!.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (skipCopy(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const oldRevision = a[REVISION];
  const oldInt = oldRevision === undefined || oldRevision === '' ? 0 : Number(oldRevision);
  if (!Number.isInteger(oldInt)) return false;
  if (oldInt < newRevision) {
    a[REVISION] = String(newRevision);
    changed = true;
    if (oldRevision) {
      const history = a[REVISION_HISTORY] ? a[REVISION_HISTORY].split(',') : [];
      history.push(oldRevision);
      while (history.join(',').length > MAX_REV_HISTORY_CHARS) history.shift();
      a[REVISION_HISTORY] = history.join(',');
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** Sets the Deployment's revision annotation; true when it changed. */
export function setDeploymentRevision(d: Deployment, revision: string | undefined): boolean {
  if (revision === undefined) return false;
  const a = (d.metadata!.annotations ??= {});
  if (a[REVISION] === revision) return false;
  a[REVISION] = revision;
  return true;
}

export const sum = (sets: (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number | undefined): number =>
  sets.reduce((n, rs) => n + (rs ? f(rs) ?? 0 : 0), 0);

/** Sum of spec.replicas. */
export const replicaCount = (sets: (ReplicaSet | undefined)[]) => sum(sets, (rs) => rs.spec?.replicas);
/** Sum of status.replicas. */
export const actualReplicaCount = (sets: (ReplicaSet | undefined)[]) => sum(sets, (rs) => rs.status?.replicas);
export const readyReplicaCount = (sets: (ReplicaSet | undefined)[]) => sum(sets, (rs) => rs.status?.readyReplicas);
export const availableReplicaCount = (sets: (ReplicaSet | undefined)[]) => sum(sets, (rs) => rs.status?.availableReplicas);

export function activeSets(sets: (ReplicaSet | undefined)[]): ReplicaSet[] {
  return sets.filter((rs): rs is ReplicaSet => !!rs && specReplicas(rs) > 0);
}

const created = (rs: ReplicaSet) => Date.parse(rs.metadata?.creationTimestamp ?? '') || 0;

/** Oldest first; ties by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || (a.metadata!.name! < b.metadata!.name! ? -1 : a.metadata!.name! > b.metadata!.name! ? 1 : 0);
}

/** Larger first; among equals, newer first. */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(b, a);
}

/** Larger first; among equals, older first. */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(a, b);
}

/** Lower revision first; ties by creation. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revisionOf(a) - revisionOf(b) || byCreation(a, b);
}

/** The replica count a new replica set should have now, within the surge budget. */
export function newRSNewReplicas(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const current = replicaCount(all);
  const maxTotal = replicasOf(d) + maxSurge(d);
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, replicasOf(d) - specReplicas(newRS));
  return specReplicas(newRS) + up;
}

/** The only active set, or the newest when none is active; undefined with several active. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeSets([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** The new set runs all the Deployment wants, all available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  return specReplicas(rs) === replicasOf(d) && desired === replicasOf(d) && (rs.status?.availableReplicas ?? 0) === replicasOf(d);
}

/** Go's math.Round: halves away from zero. */
const roundHalfAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

/** This set's share of a change in the Deployment's size, from its max-replicas annotation. */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (replicasOf(d) === 0) {
    fraction = -specReplicas(rs);
  } else {
    const deploymentReplicas = replicasOf(d) + maxSurge(d);
    const annotated = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
    fraction = annotated === 0 ? 0 : roundHalfAway((specReplicas(rs) * deploymentReplicas) / annotated) - specReplicas(rs);
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}
