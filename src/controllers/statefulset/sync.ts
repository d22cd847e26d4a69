// One StatefulSet sync: pods `<set>-<ordinal>` created lowest ordinal first (OrderedReady waits
// for each to be Running and Ready; Parallel does not), surplus ordinals removed from the highest,
// and a rolling update that replaces pods at or above the partition from the highest ordinal down,
// one at a time, each only after the one before it is healthy again.
import type { Clock } from '../../apimachinery/clock.js';
import { selectorFromLabelSelector } from '../../apimachinery/labels.js';
import type { Logger } from '../../apimachinery/log.js';
import type { EventRecorder } from '../../client/controller.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { ObjectStore } from '../../client/informer-types.js';
import type { ResourceClient } from '../../client/rest.js';
import type { ReconcileResult } from '../../client/runner.js';
import { claimIsStale, claimsMatchRetention, createMissingClaims, updateClaimsForRetention, type ClaimDeps } from './claims.js';
import { canonicalJson } from '../../client/template-hash.js';
import {
  controllerOf, controllerRef, identityMatches, inOrdinalRange, isMemberOf, newStatefulSetPod, ordinalOf,
  POD_INDEX_LABEL, POD_NAME_LABEL, podRevision, replicaCount, startOrdinal,
} from './identity.js';
import { applyRevision, ownedRevisions, statefulSetRevisions, truncateHistory, type RevisionDeps, type Revisions } from './revisions.js';
import {
  computeStatus, isCreated, isFailed, isHealthy, isPending, isRunningAndAvailable, isRunningAndReady, isSucceeded, isTerminating,
} from './status.js';
import type { Pod, StatefulSet, StatefulSetStatus } from './types.js';

export interface StatefulSetSyncDeps extends RevisionDeps, ClaimDeps {
  clock: Clock;
  logger: Logger;
  recorder: EventRecorder;
  setStore: ObjectStore<StatefulSet>;
  podStore: ObjectStore<Pod>;
  sets: ResourceClient<StatefulSet>;
  pods: ResourceClient<Pod>;
}

/** Runs `fn` over the items: in order, stopping at the first that says to (monotonic), or all at once. */
async function runForAll<T>(items: T[], fn: (item: T) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (const item of items) if (await fn(item)) return true;
    return false;
  }
  const results = await Promise.allSettled(items.map(fn));
  const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
  if (errors.length) throw new AggregateError(errors, errors.map(String).join('; '));
  return false;
}

export class StatefulSetSync {
  constructor(private readonly d: StatefulSetSyncDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const set = this.d.setStore.get(key);
    if (!set) return;
    const revs = await ownedRevisions(this.d, set);
    const pods = await this.claimPods(set);
    const r = await statefulSetRevisions(this.d, set, revs);
    const status = computeStatus(set, pods, { current: r.current.metadata?.name ?? '', update: r.update.metadata?.name ?? '' }, r.collisionCount, this.d.clock.now());
    // The status reports what the cache showed when the sync began; the changes made now show up
    // in the next sync, which the watch events they cause trigger.
    await this.writeStatus(set, status);
    await this.updatePods(set, pods, r);
    await truncateHistory(this.d, set, pods, revs, r);
    const minReady = set.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && status.availableReplicas !== replicaCount(set)) return { requeueAfterMs: minReady * 1000 };
    return undefined;
  }

  /** Pods named after this set that it controls: owned ones still selected, plus orphans it adopts. */
  private async claimPods(set: StatefulSet): Promise<Pod[]> {
    const sel = selectorFromLabelSelector(set.spec?.selector);
    const uid = set.metadata?.uid;
    const out: Pod[] = [];
    for (const pod of this.d.podStore.byIndex('namespace', set.metadata?.namespace ?? '')) {
      const ref = controllerOf(pod);
      const wanted = sel.matches(pod.metadata?.labels) && isMemberOf(set, pod);
      const ns = pod.metadata?.namespace;
      const name = pod.metadata?.name ?? '';
      try {
        if (ref) {
          if (ref.uid !== uid) continue;
          if (wanted) {
            out.push(pod);
            continue;
          }
          const refs = (pod.metadata?.ownerReferences ?? []).filter((x) => x.uid !== uid);
          await this.d.pods.patch(ns, name, { metadata: { ownerReferences: refs, uid: pod.metadata?.uid } }, 'merge');
          continue;
        }
        if (!wanted || pod.metadata?.deletionTimestamp || set.metadata?.deletionTimestamp) continue;
        const refs = [...(pod.metadata?.ownerReferences ?? []), controllerRef(set)];
        out.push(await this.d.pods.patch(ns, name, { metadata: { ownerReferences: refs, uid: pod.metadata?.uid } }, 'merge'));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return out;
  }

  private async updatePods(set: StatefulSet, pods: Pod[], r: Revisions): Promise<void> {
    const currentSet = applyRevision(set, r.current);
    const updateSet = applyRevision(set, r.update);
    const start = startOrdinal(set);
    const count = replicaCount(set);
    const existing: (Pod | undefined)[] = new Array(count).fill(undefined);
    const condemned: Pod[] = [];
    for (const pod of pods) {
      const ord = ordinalOf(pod);
      if (inOrdinalRange(set, ord)) existing[ord - start] = pod;
      else if (ord >= 0) condemned.push(pod);
    }
    const replicas = existing.map((p, i) => p ?? this.versionedPod(currentSet, updateSet, r, start + i));
    condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
    const firstUnhealthy = [...replicas, ...condemned].find((p) => !isHealthy(p));
    if (set.metadata?.deletionTimestamp) return;
    const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
    const minReady = set.spec?.minReadySeconds ?? 0;
    const now = this.d.clock.now();

    const processReplica = async (pod: Pod): Promise<boolean> => {
      // A finished pod is replaced: deleted now, created again once it is gone.
      if (isFailed(pod) || isSucceeded(pod)) {
        if (!isTerminating(pod)) await this.deletePod(set, pod, 'recreate');
        return true;
      }
      if (!isCreated(pod)) {
        if (claimIsStale(this.d, set, pod)) return true;
        await this.createPod(set, pod);
        return monotonic;
      }
      if (isPending(pod)) await createMissingClaims(this.d, updateSet, pod, (c) => this.claimCreated(set, pod, c));
      if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, now))) return true;
      if (!identityMatches(set, pod)) {
        const ord = ordinalOf(pod);
        await this.d.pods.patch(pod.metadata?.namespace, pod.metadata?.name ?? '', {
          metadata: { labels: { [POD_NAME_LABEL]: pod.metadata?.name, [POD_INDEX_LABEL]: String(ord) } },
        }, 'merge');
      }
      if (!claimsMatchRetention(this.d, updateSet, pod)) await updateClaimsForRetention(this.d, updateSet, pod);
      return false;
    };
    if (await runForAll(replicas, processReplica, monotonic)) return;

    // Claims of pods about to be scaled away get the pod as owner first, when the policy says so.
    const fixClaims = async (pod: Pod): Promise<boolean> => {
      if (!claimsMatchRetention(this.d, updateSet, pod)) await updateClaimsForRetention(this.d, updateSet, pod);
      return false;
    };
    if (await runForAll(condemned, fixClaims, monotonic)) return;

    const processCondemned = async (pod: Pod): Promise<boolean> => {
      if (isTerminating(pod)) return monotonic;
      // In order, only the first unhealthy pod may be removed while others are unhealthy.
      if (monotonic && pod !== firstUnhealthy && (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, now))) return true;
      await this.deletePod(set, pod, 'scale down');
      return true;
    };
    if (await runForAll(condemned, processCondemned, monotonic)) return;

    if (set.spec?.updateStrategy?.type === 'OnDelete') return;
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    const updateName = r.update.metadata?.name;
    for (let i = replicas.length - 1; i >= 0 && start + i >= partition; i--) {
      const pod = replicas[i]!;
      if (podRevision(pod) !== updateName && !isTerminating(pod)) {
        await this.deletePod(set, pod, 'update');
        return;
      }
      if (!isHealthy(pod)) return;
    }
  }

  /** Ordinals below the partition are (re)made from the current revision, the rest from the update revision. */
  private versionedPod(currentSet: StatefulSet, updateSet: StatefulSet, r: Revisions, ordinal: number): Pod {
    const strategy = currentSet.spec?.updateStrategy;
    if (strategy?.type !== 'OnDelete') {
      const ru = strategy?.rollingUpdate;
      const below = ru ? ordinal < (ru.partition ?? 0) : ordinal < startOrdinal(currentSet) + (currentSet.status?.currentReplicas ?? 0);
      if (below) return newStatefulSetPod(currentSet, ordinal, r.current.metadata?.name ?? '');
    }
    return newStatefulSetPod(updateSet, ordinal, r.update.metadata?.name ?? '');
  }

  private claimCreated(set: StatefulSet, pod: Pod, claim: string): void {
    this.d.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${claim} Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} success`);
  }

  private async createPod(set: StatefulSet, pod: Pod): Promise<void> {
    const name = pod.metadata?.name;
    try {
      await createMissingClaims(this.d, set, pod, (c) => this.claimCreated(set, pod, c));
      await this.d.pods.create(set.metadata?.namespace, pod);
      this.d.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${name} in StatefulSet ${set.metadata?.name} successful`);
    } catch (e) {
      this.d.recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${name} in StatefulSet ${set.metadata?.name} failed error: ${String((e as Error).message ?? e)}`);
      throw e;
    }
  }

  private async deletePod(set: StatefulSet, pod: Pod, why: string): Promise<void> {
    const name = pod.metadata?.name;
    try {
      await this.d.pods.delete(pod.metadata?.namespace, name ?? '', { preconditions: { uid: pod.metadata?.uid } });
      this.d.recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${name} in StatefulSet ${set.metadata?.name} successful`);
      this.d.logger.debug('deleted pod', { statefulset: set.metadata?.name, pod: name, reason: why });
    } catch (e) {
      if (isNotFound(e)) return;
      this.d.recorder.event(set, 'Warning', 'FailedDelete', `delete Pod ${name} in StatefulSet ${set.metadata?.name} failed error: ${String((e as Error).message ?? e)}`);
      throw e;
    }
  }

  private async writeStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    if (canonicalJson(set.status ?? {}) === canonicalJson(status)) return;
    const ns = set.metadata?.namespace;
    try {
      await this.d.sets.updateStatus(ns, { ...set, status } as StatefulSet);
    } catch (e) {
      if (!isConflict(e)) throw e;
      const fresh = await this.d.sets.get(ns, set.metadata?.name ?? '');
      if (fresh.metadata?.generation !== set.metadata?.generation) throw e;
      await this.d.sets.updateStatus(ns, { ...fresh, status } as StatefulSet);
    }
  }
}
