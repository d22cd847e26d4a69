// The Deployment controller: watches Deployments, their ReplicaSets and (for Recreate) their
// pods, and runs one Rollout per changed Deployment.
import { selectorFromLabelSelector, type LabelSelector } from '../../apimachinery/labels.js';
import type { Logger } from '../../apimachinery/log.js';
import type { OwnerReference } from '../../apimachinery/object.js';
import type { Controller, ControllerContext, EventRecorder } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import { objectKey, type Informer } from '../../client/informer-types.js';
import { resourceForKind, type ResourceClient } from '../../client/rest.js';
import { runWorkers, type ReconcileResult } from '../../client/runner.js';
import { WorkQueue } from '../../client/workqueue.js';
import { Rollout } from './rollout.js';
import { rolloutRecreate, rolloutRolling } from './strategies.js';
import type { Deployment, Pod, ReplicaSet } from './types.js';
import { CONTROLLER_UID_INDEX, controllerOf, controllerUidIndex, orphanIndexValue } from './util.js';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export const deploymentController: Controller = {
  name: 'deployment',
  run: (ctx, signal) => new DeploymentSync(ctx).run(signal),
};

class DeploymentSync {
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  private readonly dClient: ResourceClient<Deployment>;
  private readonly rsClient: ResourceClient<ReplicaSet>;
  private readonly queue: WorkQueue;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;

  constructor(private readonly ctx: ControllerContext) {
    this.deployments = ctx.informers.informer<Deployment>(resourceForKind('apps/v1', 'Deployment'));
    this.replicaSets = ctx.informers.informer<ReplicaSet>(resourceForKind('apps/v1', 'ReplicaSet'));
    this.pods = ctx.informers.informer<Pod>(resourceForKind('v1', 'Pod'));
    // Sets by controlling Deployment (orphans by namespace), pods by controlling set: a sync
    // reads what it owns, not the whole namespace.
    this.replicaSets.addIndex(CONTROLLER_UID_INDEX, controllerUidIndex);
    this.pods.addIndex(CONTROLLER_UID_INDEX, controllerUidIndex);
    this.dClient = ctx.client.kind<Deployment>('apps/v1', 'Deployment');
    this.rsClient = ctx.client.kind<ReplicaSet>('apps/v1', 'ReplicaSet');
    this.queue = new WorkQueue({ clock: ctx.clock, name: 'deployment' });
    this.recorder = ctx.recorder('deployment-controller');
    this.log = ctx.logger.with({ component: 'deployment' });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.deployments.addEventHandler({
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_, d) => this.enqueue(d),
      onDelete: (d) => this.enqueue(d),
    });
    this.replicaSets.addEventHandler({
      onAdd: (rs) => this.rsChanged(undefined, rs),
      onUpdate: (old, rs) => this.rsChanged(old, rs),
      onDelete: (rs) => {
        const d = this.resolve(rs.metadata?.namespace, controllerOf(rs));
        if (d) this.enqueue(d);
      },
    });
    this.pods.addEventHandler({ onDelete: (p) => this.podDeleted(p) });
    try {
      await this.ctx.informers.waitForSync(signal);
    } catch {
      return;
    }
    await runWorkers(this.queue, async (key) => {
      try {
        return await this.syncDeployment(key);
      } catch (err) {
        // The Deployment went away mid-sync; its deletion is all there is left to see.
        if (isNotFound(err) && !this.deployments.store.get(key)) return;
        throw err;
      }
    }, {
      workers: this.ctx.options.workers,
      signal,
      onError: (key, err) => this.log.warn('sync failed', { key, error: message(err) }),
    });
  }

  private enqueue(d: Deployment): void {
    this.queue.add(objectKey(d));
  }

  private resolve(namespace: string | undefined, ref: OwnerReference | undefined): Deployment | undefined {
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.store.get(`${namespace}/${ref.name}`);
    return d && d.metadata?.uid === ref.uid ? d : undefined;
  }

  private matchingDeployments(rs: ReplicaSet): Deployment[] {
    const labels = rs.metadata?.labels ?? {};
    if (Object.keys(labels).length === 0) return [];
    return this.deployments.store.byIndex('namespace', rs.metadata?.namespace ?? '').filter((d) => {
      try {
        const sel = d.spec?.selector;
        if (!sel || (!sel.matchLabels && !sel.matchExpressions)) return false;
        return selectorFromLabelSelector(sel).matches(labels);
      } catch {
        return false;
      }
    });
  }

  private rsChanged(old: ReplicaSet | undefined, rs: ReplicaSet): void {
    if (old && old.metadata?.resourceVersion === rs.metadata?.resourceVersion) return;
    const ref = controllerOf(rs);
    const oldRef = old && controllerOf(old);
    if (oldRef && oldRef.uid !== ref?.uid) {
      const prev = this.resolve(old?.metadata?.namespace, oldRef);
      if (prev) this.enqueue(prev);
    }
    if (ref) {
      const d = this.resolve(rs.metadata?.namespace, ref);
      if (d) this.enqueue(d);
      return;
    }
    const labelsChanged = !old || JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(rs.metadata?.labels ?? {});
    if (!old || labelsChanged || oldRef) for (const d of this.matchingDeployments(rs)) this.enqueue(d);
  }

  /** Recreate waits for old pods to go, so their deletion is news. */
  private podDeleted(pod: Pod): void {
    const rsRef = controllerOf(pod);
    if (!rsRef || rsRef.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.store.get(`${pod.metadata?.namespace}/${rsRef.name}`);
    if (!rs || rs.metadata?.uid !== rsRef.uid) return;
    const d = this.resolve(rs.metadata?.namespace, controllerOf(rs));
    if (d && d.spec?.strategy?.type === 'Recreate') this.enqueue(d);
  }

  /** Adopts orphan sets the selector matches, releases owned ones it no longer matches. */
  private async claimReplicaSets(d: Deployment, selector: LabelSelector): Promise<ReplicaSet[]> {
    const ns = d.metadata?.namespace ?? '';
    const uid = d.metadata?.uid;
    const deleting = !!d.metadata?.deletionTimestamp;
    const owned: ReplicaSet[] = [];
    const errors: unknown[] = [];
    let adoptCheck: Promise<void> | undefined;
    const candidates = this.replicaSets.store.byIndex(CONTROLLER_UID_INDEX, uid ?? '').filter((rs) => rs.metadata?.namespace === ns);
    for (const rs of this.replicaSets.store.byIndex(CONTROLLER_UID_INDEX, orphanIndexValue(ns))) candidates.push(rs);
    for (const rs of candidates) {
      // Controlled by someone else: neither adopted nor released, whatever its labels say.
      const ref = controllerOf(rs);
      if (ref && ref.uid !== uid) continue;
      const matches = selector.matches(rs.metadata?.labels ?? {});
      try {
        if (ref) {
          if (matches) owned.push(rs);
          else if (!deleting) {
            await this.rsClient.patch(ns, rs.metadata!.name!, { metadata: { ownerReferences: [{ $patch: 'delete', uid }], uid: rs.metadata?.uid } }, 'strategic');
          }
          continue;
        }
        if (deleting || !matches || rs.metadata?.deletionTimestamp) continue;
        adoptCheck ??= (async () => {
          const fresh = await this.dClient.get(ns, d.metadata!.name!);
          if (fresh.metadata?.uid !== uid) throw new Error(`original Deployment ${ns}/${d.metadata?.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${uid}`);
          if (fresh.metadata?.deletionTimestamp) throw new Error(`Deployment ${ns}/${d.metadata?.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
        })();
        await adoptCheck;
        const ownerRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata!.name!, uid: uid!, controller: true, blockOwnerDeletion: true };
        owned.push(await this.rsClient.patch(ns, rs.metadata!.name!, { metadata: { ownerReferences: [ownerRef], uid: rs.metadata?.uid } }, 'strategic'));
      } catch (e) {
        if (!isNotFound(e)) errors.push(e);
      }
    }
    if (errors.length > 0) throw errors[0];
    return owned;
  }

  /** Pods of the selector, grouped by the owned replica set that controls them. */
  private podMap(d: Deployment, selector: LabelSelector, rsList: ReplicaSet[]): Map<string, Pod[]> {
    const ns = d.metadata?.namespace ?? '';
    const map = new Map<string, Pod[]>();
    for (const rs of rsList) {
      const uid = rs.metadata?.uid ?? '';
      if (map.has(uid)) continue;
      map.set(uid, this.pods.store.byIndex(CONTROLLER_UID_INDEX, uid)
        .filter((p) => p.metadata?.namespace === ns && selector.matches(p.metadata?.labels ?? {})));
    }
    return map;
  }

  async syncDeployment(key: string): Promise<ReconcileResult> {
    const cached = this.deployments.store.get(key);
    if (!cached) return;
    const d = structuredClone(cached);
    const sel = d.spec?.selector;
    if (!sel || ((!sel.matchLabels || Object.keys(sel.matchLabels).length === 0) && (!sel.matchExpressions || sel.matchExpressions.length === 0))) {
      this.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        await this.dClient.updateStatus(d.metadata?.namespace, { ...d, status: { ...d.status, observedGeneration: d.metadata?.generation } });
      }
      return;
    }
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelector(sel);
    } catch (e) {
      this.log.warn('invalid selector', { key, error: message(e) });
      return;
    }
    const rsList = await this.claimReplicaSets(d, selector);
    const rollout = new Rollout(
      { deployments: this.dClient, replicaSets: this.rsClient, recorder: this.recorder, clock: this.ctx.clock },
      d, rsList, this.podMap(d, selector, rsList),
    );
    if (d.metadata?.deletionTimestamp) {
      await rollout.syncStatusOnly();
      return;
    }
    await rollout.checkPausedConditions();
    if (rollout.d.spec?.paused) {
      await rollout.sync();
    } else if (await rollout.isScalingEvent()) {
      await rollout.sync();
    } else if (rollout.d.spec?.strategy?.type === 'Recreate') {
      await rolloutRecreate(rollout);
    } else {
      await rolloutRolling(rollout);
    }
    return rollout.requeueAfterMs !== undefined ? { requeueAfterMs: rollout.requeueAfterMs } : undefined;
  }
}
