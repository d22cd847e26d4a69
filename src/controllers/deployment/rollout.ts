// One sync of one Deployment: find or create its new replica set, move replicas between sets by
// the strategy, clean up history, and report status — Kubernetes' deployment controller steps.
import type { Clock } from '../../apimachinery/clock.js';
import type { EventRecorder } from '../../client/controller.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import type { ResourceClient } from '../../client/rest.js';
import {
  AVAILABLE, PROGRESSING, REPLICA_FAILURE, Reason, deploymentComplete, deploymentProgressing, deploymentTimedOut,
  getCondition, hasProgressDeadline, newCondition, removeCondition, setCondition,
} from './conditions.js';
import { POD_TEMPLATE_HASH, computeHash, equalIgnoreHash, stableStringify } from './hash.js';
import type { Deployment, DeploymentStatus, Pod, ReplicaSet } from './types.js';
import {
  REVISION, actualReplicaCount, activeSets, availableReplicaCount, byCreation, byRevision, bySizeNewer, bySizeOlder,
  controllerOf, desiredReplicasAnnotation, findActiveOrLatest, isRollingUpdate, isSaturated, maxRevision, maxSurge,
  maxUnavailable, newRSNewReplicas, proportion, readyReplicaCount, replicaCount, replicasAnnotationsNeedUpdate,
  replicasOf, setDeploymentRevision, setNewReplicaSetAnnotations, setReplicasAnnotations, specReplicas,
} from './util.js';

export interface RolloutDeps {
  deployments: ResourceClient<Deployment>;
  replicaSets: ResourceClient<ReplicaSet>;
  recorder: EventRecorder;
  clock: Clock;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class Rollout {
  /** When the Deployment should be looked at again (progress deadline checks). */
  requeueAfterMs?: number;
  /** The revision annotation as the server last stored it. */
  private storedRevision: string | undefined;

  constructor(
    private readonly deps: RolloutDeps,
    public d: Deployment,
    /** The replica sets this Deployment controls, kept current as this sync writes them. */
    public rsList: ReplicaSet[],
    /** Pods by the uid of the owned replica set controlling them. */
    readonly podMap: Map<string, Pod[]>,
  ) {
    this.storedRevision = d.metadata?.annotations?.[REVISION];
  }

  private get ns(): string | undefined {
    return this.d.metadata?.namespace;
  }

  private track(rs: ReplicaSet): ReplicaSet {
    const i = this.rsList.findIndex((x) => x.metadata?.uid === rs.metadata?.uid);
    if (i >= 0) this.rsList[i] = rs;
    else this.rsList.push(rs);
    return rs;
  }

  /** Writes status (and the revision annotation, which a status write would not keep). */
  async updateStatus(): Promise<void> {
    const rev = this.d.metadata?.annotations?.[REVISION];
    if (rev !== undefined && rev !== this.storedRevision) {
      const patched = await this.deps.deployments.patch(this.ns, this.d.metadata!.name!, {
        metadata: { annotations: { [REVISION]: rev }, resourceVersion: this.d.metadata?.resourceVersion },
      }, 'merge');
      this.storedRevision = rev;
      this.d.metadata!.resourceVersion = patched.metadata?.resourceVersion;
    }
    const status = { ...this.d.status };
    // Kubernetes omits zero counts.
    for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const) {
      if (!status[k]) delete status[k];
    }
    const written = await this.deps.deployments.updateStatus(this.ns, { ...this.d, status });
    this.d = { ...written, metadata: { ...written.metadata, annotations: { ...written.metadata?.annotations, ...(rev !== undefined ? { [REVISION]: rev } : {}) } } };
  }

  // ---- finding the new and old replica sets ------------------------------------------------

  findNewReplicaSet(): ReplicaSet | undefined {
    return [...this.rsList].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, this.d.spec?.template));
  }

  /** The new set (created when asked and missing) and every other set, with revisions synced. */
  async getAllReplicaSetsAndSyncRevision(create: boolean): Promise<{ newRS?: ReplicaSet; oldRSs: ReplicaSet[] }> {
    const existing = this.findNewReplicaSet();
    const oldRSs = this.rsList.filter((rs) => rs !== existing);
    const newRS = await this.getNewReplicaSet(existing, oldRSs, create);
    return { newRS, oldRSs };
  }

  private async getNewReplicaSet(existing: ReplicaSet | undefined, oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const d = this.d;
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      let rs = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, rs, newRevision, true);
      const minReadyChanged = (rs.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyChanged) {
        rs.spec!.minReadySeconds = d.spec?.minReadySeconds;
        rs = this.track(await this.deps.replicaSets.update(this.ns, rs));
      }
      let needsUpdate = setDeploymentRevision(d, rs.metadata?.annotations?.[REVISION]);
      if (hasProgressDeadline(d) && !getCondition(d.status, PROGRESSING)) {
        d.status ??= {};
        setCondition(d.status, newCondition(PROGRESSING, 'True', Reason.foundNewRS, `Found new replica set "${rs.metadata?.name}"`, this.deps.clock.now()));
        needsUpdate = true;
      }
      if (needsUpdate) await this.updateStatus();
      return rs;
    }
    if (!create) return undefined;

    const template = structuredClone(d.spec?.template ?? {});
    const hash = computeHash(template, d.status?.collisionCount);
    template.metadata ??= {};
    template.metadata.labels = { ...template.metadata.labels, [POD_TEMPLATE_HASH]: hash };
    const selector = structuredClone(d.spec?.selector ?? {});
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH]: hash };
    const name = `${d.metadata?.name}-${hash}`;
    const fresh: ReplicaSet = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: {
        name, namespace: this.ns, labels: { ...template.metadata.labels },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata!.name!, uid: d.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds, selector, template },
    };
    const replicas = newRSNewReplicas(d, [...oldRSs, fresh], fresh);
    fresh.spec!.replicas = replicas;
    setNewReplicaSetAnnotations(d, fresh, newRevision, false);

    let created: ReplicaSet;
    let alreadyExists = false;
    try {
      created = await this.deps.replicaSets.create(this.ns, fresh);
    } catch (e) {
      if (isAlreadyExists(e)) {
        alreadyExists = true;
        const rs = await this.deps.replicaSets.get(this.ns, name);
        if (controllerOf(rs)?.uid === d.metadata?.uid && equalIgnoreHash(rs.spec?.template, d.spec?.template)) {
          created = rs; // ours, not yet in the cache
        } else {
          // A different template hashed to the same name: a new collision count gives a new name.
          d.status ??= {};
          d.status.collisionCount = (d.status.collisionCount ?? 0) + 1;
          await this.updateStatus();
          throw e;
        }
      } else {
        const msg = `Failed to create new replica set "${name}": ${message(e)}`;
        if (hasProgressDeadline(d)) {
          d.status ??= {};
          setCondition(d.status, newCondition(PROGRESSING, 'False', Reason.failedRSCreate, msg, this.deps.clock.now()));
          await this.updateStatus().catch(() => {});
        }
        this.deps.recorder.event(d, 'Warning', 'FailedCreate', msg);
        throw e;
      }
    }
    this.track(created);
    if (!alreadyExists && replicas > 0) {
      this.deps.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${replicas}`);
    }
    let needsUpdate = setDeploymentRevision(d, String(newRevision));
    if (!alreadyExists && hasProgressDeadline(d)) {
      d.status ??= {};
      setCondition(d.status, newCondition(PROGRESSING, 'True', Reason.newRSCreated, `Created new replica set "${name}"`, this.deps.clock.now()));
      needsUpdate = true;
    }
    if (needsUpdate) await this.updateStatus();
    return created;
  }

  // ---- scaling --------------------------------------------------------------------------

  async scaleReplicaSet(rs: ReplicaSet, newScale: number, operation?: 'up' | 'down'): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const d = this.d;
    const oldScale = specReplicas(rs);
    const sizeChanged = oldScale !== newScale;
    const max = replicasOf(d) + maxSurge(d);
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, replicasOf(d), max)) return { scaled: false, rs };
    const copy = structuredClone(rs);
    copy.spec!.replicas = newScale;
    setReplicasAnnotations(copy, replicasOf(d), max);
    const updated = this.track(await this.deps.replicaSets.update(this.ns, copy));
    if (sizeChanged) {
      const op = operation ?? (oldScale > newScale ? 'down' : 'up');
      this.deps.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata?.name} from ${oldScale} to ${newScale}`);
    }
    return { scaled: sizeChanged, rs: updated };
  }

  /** Scales to the Deployment's size: one active set takes it all; several share it by proportion. */
  async scale(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const d = this.d;
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (specReplicas(activeOrLatest) !== replicasOf(d)) await this.scaleReplicaSet(activeOrLatest, replicasOf(d));
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of activeSets(oldRSs)) await this.scaleReplicaSet(old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const all = activeSets([...oldRSs, newRS]);
    const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
    const toAdd = allowed - replicaCount(all);
    let operation: 'up' | 'down' | undefined;
    if (toAdd > 0) {
      all.sort(bySizeNewer);
      operation = 'up';
    } else if (toAdd < 0) {
      all.sort(bySizeOlder);
      operation = 'down';
    }
    const sizes = new Map<ReplicaSet, number>();
    let added = 0;
    for (const rs of all) {
      if (toAdd !== 0) {
        const p = proportion(rs, d, toAdd, added);
        sizes.set(rs, specReplicas(rs) + p);
        added += p;
      } else {
        sizes.set(rs, specReplicas(rs));
      }
    }
    for (let i = 0; i < all.length; i++) {
      const rs = all[i];
      // The largest set absorbs what rounding left over.
      if (i === 0 && toAdd !== 0) sizes.set(rs, Math.max(0, sizes.get(rs)! + toAdd - added));
      await this.scaleReplicaSet(rs, sizes.get(rs)!, operation);
    }
  }

  /** The Deployment's size changed while some set still carries the old one. */
  async isScalingEvent(): Promise<boolean> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    for (const rs of activeSets([newRS, ...oldRSs])) {
      const desired = desiredReplicasAnnotation(rs);
      if (desired !== undefined && desired !== replicasOf(this.d)) return true;
    }
    return false;
  }

  /** Scaling only (paused, or a size change): no rollout progress. */
  async sync(): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    await this.scale(newRS, oldRSs);
    const fresh = this.current(newRS, oldRSs);
    if (this.d.spec?.paused) await this.cleanup(fresh.oldRSs);
    await this.syncDeploymentStatus([...fresh.oldRSs, fresh.newRS], fresh.newRS);
  }

  async syncStatusOnly(): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS);
  }

  /** The latest written versions of these sets. */
  current(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): { newRS?: ReplicaSet; oldRSs: ReplicaSet[] } {
    const latest = (rs: ReplicaSet) => this.rsList.find((x) => x.metadata?.uid === rs.metadata?.uid) ?? rs;
    return { newRS: newRS && latest(newRS), oldRSs: oldRSs.map(latest) };
  }

  // ---- history --------------------------------------------------------------------------

  /** Deletes the oldest fully scaled-down sets beyond revisionHistoryLimit. */
  async cleanup(oldRSs: ReplicaSet[]): Promise<void> {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (const rs of cleanable.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0) continue;
      if ((rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.deps.replicaSets.delete(this.ns, rs.metadata!.name!);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  // ---- status ---------------------------------------------------------------------------

  calculateStatus(all: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentStatus {
    const d = this.d;
    const available = availableReplicaCount(all);
    const unavailable = Math.max(0, replicaCount(all) - available);
    const status: DeploymentStatus = {
      observedGeneration: d.metadata?.generation,
      replicas: actualReplicaCount(all),
      updatedReplicas: actualReplicaCount([newRS]),
      readyReplicas: readyReplicaCount(all),
      availableReplicas: available,
      unavailableReplicas: unavailable,
    };
    if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
    if (d.status?.conditions) status.conditions = d.status.conditions.map((c) => ({ ...c }));
    const now = this.deps.clock.now();
    if (available >= replicasOf(d) - maxUnavailable(d)) {
      setCondition(status, newCondition(AVAILABLE, 'True', Reason.minimumAvailable, 'Deployment has minimum availability.', now));
    } else {
      setCondition(status, newCondition(AVAILABLE, 'False', Reason.minimumUnavailable, 'Deployment does not have minimum availability.', now));
    }
    return status;
  }

  private async writeIfChanged(next: DeploymentStatus): Promise<boolean> {
    if (statusEqual(this.d.status ?? {}, next)) return false;
    this.d.status = next;
    await this.updateStatus();
    return true;
  }

  async syncDeploymentStatus(all: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
    await this.writeIfChanged(this.calculateStatus(all, newRS));
  }

  /** Status plus the Progressing condition, and a requeue to notice a missed progress deadline. */
  async syncRolloutStatus(all: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
    const d = this.d;
    const now = this.deps.clock.now();
    const next = this.calculateStatus(all, newRS);
    if (!hasProgressDeadline(d)) removeCondition(next, PROGRESSING);
    const cur = getCondition(d.status, PROGRESSING);
    const complete = next.replicas === next.updatedReplicas && cur?.reason === Reason.newRSAvailable;
    if (hasProgressDeadline(d) && !complete) {
      const rsName = newRS?.metadata?.name;
      if (deploymentComplete(d, next)) {
        const msg = rsName ? `ReplicaSet "${rsName}" has successfully progressed.` : `Deployment "${d.metadata?.name}" has successfully progressed.`;
        setCondition(next, newCondition(PROGRESSING, 'True', Reason.newRSAvailable, msg, now));
      } else if (deploymentProgressing(d, next)) {
        const msg = rsName ? `ReplicaSet "${rsName}" is progressing.` : `Deployment "${d.metadata?.name}" is progressing.`;
        const cond = newCondition(PROGRESSING, 'True', Reason.rsUpdated, msg, now);
        if (cur?.status === 'True') cond.lastTransitionTime = cur.lastTransitionTime;
        removeCondition(next, PROGRESSING);
        setCondition(next, cond);
      } else if (deploymentTimedOut(d, next, now)) {
        const msg = rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : `Deployment "${d.metadata?.name}" has timed out progressing.`;
        setCondition(next, newCondition(PROGRESSING, 'False', Reason.timedOut, msg, now));
      }
    }
    const failure = activeSets([newRS, ...all]).map((rs) => rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure')).find((c) => c);
    if (failure) {
      setCondition(next, { type: REPLICA_FAILURE, status: failure.status, reason: failure.reason, message: failure.message, lastUpdateTime: failure.lastTransitionTime, lastTransitionTime: failure.lastTransitionTime });
    } else {
      removeCondition(next, REPLICA_FAILURE);
    }
    if (!(await this.writeIfChanged(next))) this.requeueStuck(next);
  }

  /** While progressing, look again just after the deadline would pass. */
  private requeueStuck(status: DeploymentStatus): void {
    const d = this.d;
    const cond = getCondition(status, PROGRESSING);
    if (!hasProgressDeadline(d) || !cond) return;
    if (deploymentComplete(d, status) || cond.reason === Reason.timedOut) return;
    const from = Date.parse(cond.lastUpdateTime ?? '');
    if (Number.isNaN(from)) return;
    const after = from + (d.spec!.progressDeadlineSeconds ?? 0) * 1000 - this.deps.clock.now();
    this.requeueAfterMs = after < 1000 ? 1000 : after + 1000;
  }

  // ---- pause ----------------------------------------------------------------------------

  /** Marks pausing and resuming with an Unknown Progressing condition (never over a timeout). */
  async checkPausedConditions(): Promise<void> {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, PROGRESSING);
    if (cond?.reason === Reason.timedOut) return;
    const pausedCond = cond?.reason === Reason.paused;
    const now = this.deps.clock.now();
    d.status ??= {};
    if (d.spec?.paused && !pausedCond) {
      setCondition(d.status, newCondition(PROGRESSING, 'Unknown', Reason.paused, 'Deployment is paused', now));
    } else if (!d.spec?.paused && pausedCond) {
      setCondition(d.status, newCondition(PROGRESSING, 'Unknown', Reason.resumed, 'Deployment is resumed', now));
    } else {
      return;
    }
    await this.updateStatus();
  }
}

function statusEqual(a: DeploymentStatus, b: DeploymentStatus): boolean {
  const nums = ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'collisionCount'] as const;
  for (const k of nums) if ((a[k] ?? 0) !== (b[k] ?? 0)) return false;
  return stableStringify(a.conditions ?? []) === stableStringify(b.conditions ?? []);
}
