// One reconciler for ReplicaSets and ReplicationControllers: keep the owned, active pods matching
// the selector at spec.replicas, adopting orphans and releasing pods that stopped matching.
import type { LabelSelector } from '../../apimachinery/labels.js';
import type { Logger } from '../../apimachinery/log.js';
import type { Controller, ControllerContext, EventRecorder } from '../../client/controller.js';
import { isNamespaceTerminating, isNotFound } from '../../client/errors.js';
import { objectKey, type Informer } from '../../client/informer-types.js';
import { resourceForKind, type ResourceClient } from '../../client/rest.js';
import type { ReconcileResult } from '../../client/runner.js';
import { runWorkers } from '../../client/runner.js';
import { WorkQueue } from '../../client/workqueue.js';
import { claimCandidates, claimObjects, controllerRefFor } from './claim.js';
import { PodExpectations } from './expectations.js';
import { CONTROLLER_UID_INDEX, controllerOf, controllerUidIndex, isPodActive, isPodReady, podsToDelete } from './pods.js';
import { calculateStatus, statusUnchanged } from './status.js';
import type { OwnerReference, Pod, ReplicaOwner } from './types.js';

/** Kubernetes' BurstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;

export interface ReplicaKind {
  controllerName: string;
  apiVersion: string;
  kind: string;
  /** Event source component. */
  component: string;
  selector(owner: ReplicaOwner): LabelSelector;
}

export function replicaController(kind: ReplicaKind): Controller {
  return {
    name: kind.controllerName,
    run: (ctx, signal) => new ReplicaSync(kind, ctx).run(signal),
  };
}

/**
 * Runs `fn` `count` times in batches of 1, 2, 4, … so a failing create (quota, admission) stops
 * after a few calls instead of hundreds. Returns how many succeeded and the first error.
 */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    for (const r of results) if (r.status === 'fulfilled') successes++;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) return { successes, error: failed.reason };
    remaining -= batch;
  }
  return { successes };
}

function podKey(pod: Pod): string {
  return objectKey(pod);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

class ReplicaSync {
  private readonly owners: Informer<ReplicaOwner>;
  private readonly pods: Informer<Pod>;
  private readonly ownerClient: ResourceClient<ReplicaOwner>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly queue: WorkQueue;
  readonly expectations: PodExpectations;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;

  constructor(private readonly kind: ReplicaKind, private readonly ctx: ControllerContext) {
    this.owners = ctx.informers.informer<ReplicaOwner>(resourceForKind(kind.apiVersion, kind.kind));
    this.pods = ctx.informers.informer<Pod>(resourceForKind('v1', 'Pod'));
    // Pods by controller (and orphans by namespace) so a sync reads its own pods, not the
    // namespace's; owners by controller to find a Deployment's sibling sets.
    this.pods.addIndex(CONTROLLER_UID_INDEX, controllerUidIndex);
    this.owners.addIndex(CONTROLLER_UID_INDEX, controllerUidIndex);
    this.ownerClient = ctx.client.kind<ReplicaOwner>(kind.apiVersion, kind.kind);
    this.podClient = ctx.client.kind<Pod>('v1', 'Pod');
    this.queue = new WorkQueue({ clock: ctx.clock, name: kind.controllerName });
    this.expectations = new PodExpectations(ctx.clock);
    this.recorder = ctx.recorder(kind.component);
    this.log = ctx.logger.with({ component: kind.controllerName });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.owners.addEventHandler({
      onAdd: (o) => this.enqueue(o),
      onUpdate: (_, o) => this.enqueue(o),
      onDelete: (o) => {
        this.expectations.delete(objectKey(o));
        this.enqueue(o);
      },
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podAdded(p),
      onUpdate: (o, p) => this.podUpdated(o, p),
      onDelete: (p) => this.podDeleted(p),
    });
    try {
      await this.ctx.informers.waitForSync(signal);
    } catch {
      return; // aborted before the caches filled
    }
    await runWorkers(this.queue, (key) => this.sync(key), {
      workers: this.ctx.options.workers,
      signal,
      onError: (key, err) => this.log.warn('sync failed', { key, error: message(err) }),
    });
  }

  private enqueue(owner: ReplicaOwner): void {
    this.queue.add(objectKey(owner));
  }

  private resolve(namespace: string | undefined, ref: OwnerReference): ReplicaOwner | undefined {
    if (ref.kind !== this.kind.kind) return undefined;
    const owner = this.owners.store.get(`${namespace}/${ref.name}`);
    return owner && owner.metadata?.uid === ref.uid ? owner : undefined;
  }

  private matchingOwners(pod: Pod): ReplicaOwner[] {
    const labels = pod.metadata?.labels ?? {};
    if (Object.keys(labels).length === 0) return [];
    return this.owners.store.byIndex('namespace', pod.metadata?.namespace ?? '').filter((o) => {
      try {
        return this.kind.selector(o).matches(labels);
      } catch {
        return false;
      }
    });
  }

  private podAdded(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) {
      this.podDeleted(pod);
      return;
    }
    const ref = controllerOf(pod);
    if (ref) {
      const owner = this.resolve(pod.metadata?.namespace, ref);
      if (!owner) return;
      this.expectations.creationObserved(objectKey(owner));
      this.enqueue(owner);
      return;
    }
    for (const o of this.matchingOwners(pod)) this.enqueue(o);
  }

  private podUpdated(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp) {
      // A graceful delete counts as the deletion we expected; the pod no longer counts.
      this.podDeleted(cur);
      if (labelsChanged) this.podDeleted(old);
      return;
    }
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const o = this.resolve(old.metadata?.namespace, oldRef);
      if (o) this.enqueue(o);
    }
    if (curRef) {
      const owner = this.resolve(cur.metadata?.namespace, curRef);
      if (!owner) return;
      this.enqueue(owner);
      const minReady = owner.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) {
        this.queue.addAfter(objectKey(owner), minReady * 1000 + 1000);
      }
      return;
    }
    if (labelsChanged || refChanged) for (const o of this.matchingOwners(cur)) this.enqueue(o);
  }

  private podDeleted(pod: Pod): void {
    const ref = controllerOf(pod);
    if (!ref) return;
    const owner = this.resolve(pod.metadata?.namespace, ref);
    if (!owner) return;
    const key = objectKey(owner);
    this.expectations.deletionObserved(key, podKey(pod));
    this.queue.add(key);
  }

  async sync(key: string): Promise<ReconcileResult> {
    const owner = this.owners.store.get(key);
    if (!owner) {
      this.expectations.delete(key);
      return;
    }
    let selector: LabelSelector;
    try {
      selector = this.kind.selector(owner);
    } catch (e) {
      this.log.warn('invalid selector', { key, error: message(e) });
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const namespace = owner.metadata?.namespace ?? '';
    const active = claimCandidates(this.pods.store, namespace, owner.metadata?.uid ?? '').filter(isPodActive);
    const pods = await claimObjects({
      ref: controllerRefFor(owner, this.kind.apiVersion, this.kind.kind),
      namespace,
      deleting: !!owner.metadata?.deletionTimestamp,
      selector,
      canAdopt: async () => {
        const fresh = await this.ownerClient.get(namespace, owner.metadata!.name!);
        if (fresh.metadata?.uid !== owner.metadata?.uid) throw new Error(`original ${this.kind.kind} ${key} is gone: got uid ${fresh.metadata?.uid}, wanted ${owner.metadata?.uid}`);
        if (fresh.metadata?.deletionTimestamp) throw new Error(`${this.kind.kind} ${key} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
      },
    }, active, this.podClient);

    const replicas = owner.spec?.replicas ?? 1;
    const diff = pods.length - replicas;
    let manageError: unknown;
    if (needsSync && !owner.metadata?.deletionTimestamp) {
      try {
        await this.manageReplicas(key, owner, pods, diff);
      } catch (e) {
        manageError = e;
      }
    }
    const status = calculateStatus(owner, pods, manageError, diff, this.ctx.clock.now());
    const updated = await this.writeStatus(owner, status);
    if (manageError) throw manageError;
    const minReady = owner.spec?.minReadySeconds ?? 0;
    const s = updated.status ?? {};
    if (minReady > 0 && (s.readyReplicas ?? 0) === replicas && (s.availableReplicas ?? 0) !== replicas) {
      return { requeueAfterMs: minReady * 1000 };
    }
  }

  private async manageReplicas(key: string, owner: ReplicaOwner, pods: Pod[], diff: number): Promise<void> {
    if (diff < 0) {
      const n = Math.min(-diff, BURST_REPLICAS);
      // Expect first: the informer may report a created pod before create() returns.
      this.expectations.expectCreations(key, n);
      const { successes, error } = await slowStartBatch(n, 1, () => this.createPod(owner));
      for (let skipped = n - successes; skipped > 0; skipped--) this.expectations.creationObserved(key);
      if (error) throw error;
    } else if (diff > 0) {
      const n = Math.min(diff, BURST_REPLICAS);
      const victims = podsToDelete(pods, this.relatedPods(owner), n, this.ctx.clock.now());
      this.expectations.expectDeletions(key, victims.map(podKey));
      const errors: unknown[] = [];
      await Promise.all(victims.map(async (pod) => {
        try {
          await this.podClient.delete(pod.metadata?.namespace, pod.metadata!.name!);
          this.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`);
        } catch (e) {
          if (isNotFound(e)) return;
          // The informer will never see this deletion: stop waiting for it.
          this.expectations.deletionObserved(key, podKey(pod));
          this.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${message(e)}`);
          errors.push(e);
        }
      }));
      if (errors.length > 0) throw errors[0];
    }
  }

  private async createPod(owner: ReplicaOwner): Promise<void> {
    const template = owner.spec?.template ?? {};
    const tm = template.metadata ?? {};
    const labels = { ...(tm.labels ?? {}) };
    if (Object.keys(labels).length === 0) throw new Error('unable to create pods, no labels');
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${owner.metadata?.name}-`,
        namespace: owner.metadata?.namespace,
        labels,
        ...(tm.annotations ? { annotations: { ...tm.annotations } } : {}),
        ...(tm.finalizers ? { finalizers: [...tm.finalizers] } : {}),
        ownerReferences: [controllerRefFor(owner, this.kind.apiVersion, this.kind.kind)],
      },
      spec: structuredClone(template.spec ?? {}),
    };
    try {
      const created = await this.podClient.create(owner.metadata?.namespace, pod);
      this.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
    } catch (e) {
      // Creates into a namespace being deleted fail forever; nothing to report or retry.
      if (isNamespaceTerminating(e)) return;
      this.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${message(e)}`);
      throw e;
    }
  }

  /** Pods of this owner and of its siblings under the same controller (a Deployment's other sets). */
  private relatedPods(owner: ReplicaOwner): Pod[] {
    const namespace = owner.metadata?.namespace ?? '';
    const parent = controllerOf(owner);
    const uids = new Set<string>([owner.metadata?.uid ?? '']);
    if (parent) {
      for (const o of this.owners.store.byIndex(CONTROLLER_UID_INDEX, parent.uid)) {
        if (o.metadata?.namespace === namespace) uids.add(o.metadata?.uid ?? '');
      }
    }
    const related: Pod[] = [];
    for (const uid of uids) {
      for (const p of this.pods.store.byIndex(CONTROLLER_UID_INDEX, uid)) {
        if (p.metadata?.namespace === namespace) related.push(p);
      }
    }
    return related;
  }

  private async writeStatus(owner: ReplicaOwner, status: ReturnType<typeof calculateStatus>): Promise<ReplicaOwner> {
    if (statusUnchanged(owner, status)) return owner;
    let target = owner;
    for (let attempt = 0; ; attempt++) {
      const next: ReplicaOwner = { ...target, status: { ...status, observedGeneration: target.metadata?.generation } };
      try {
        return await this.ownerClient.updateStatus(target.metadata?.namespace, next);
      } catch (e) {
        if (attempt >= 1 || isNotFound(e)) throw e;
        target = await this.ownerClient.get(owner.metadata?.namespace, owner.metadata!.name!);
      }
    }
  }
}
