// One DaemonSet sync: claim pods and revisions, make every eligible node run exactly one pod,
// advance a rolling update, prune history, and write the status.
import type { ControllerRevision, DaemonSet, DaemonSetStatus, Node, Pod } from './types.js';
import type { Clock } from '../../apimachinery/clock.js';
import { selectorFromLabelSelector } from '../../apimachinery/labels.js';
import type { Logger } from '../../apimachinery/log.js';
import type { EventRecorder } from '../../client/controller.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { splitKey, type ObjectStore } from '../../client/informer-types.js';
import type { ResourceClient } from '../../client/rest.js';
import type { ReconcileResult } from '../../client/runner.js';
import { canonicalJson } from '../../client/template-hash.js';
import { constructHistory, revisionHash, revisionsToPrune } from './history.js';
import type { Expectations } from './expectations.js';
import { computeStatus, podsForNode, rollingUpdateStep, type NodePods } from './plan.js';
import { targetNodeName } from './placement.js';
import { controllerOf, controllerRef, isTerminal, newDaemonPod } from './pods.js';

export interface DaemonSetSyncDeps {
  clock: Clock;
  logger: Logger;
  recorder: EventRecorder;
  expectations: Expectations;
  daemonSetStore: ObjectStore<DaemonSet>;
  podStore: ObjectStore<Pod>;
  nodeStore: ObjectStore<Node>;
  revisionStore: ObjectStore<ControllerRevision>;
  daemonsets: ResourceClient<DaemonSet>;
  pods: ResourceClient<Pod>;
  revisions: ResourceClient<ControllerRevision>;
}

const FAILED_POD_BACKOFF_START_MS = 1000;
const FAILED_POD_BACKOFF_MAX_MS = 15 * 60 * 1000;

export class DaemonSetSync {
  /** Per DaemonSet and node: when a failed pod may next be replaced, and the delay after that. */
  private readonly failedBackoff = new Map<string, { until: number; delayMs: number }>();

  constructor(private readonly d: DaemonSetSyncDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const ds = this.d.daemonSetStore.get(key);
    if (!ds) {
      this.d.expectations.forget(key);
      return;
    }
    const sel = selectorFromLabelSelector(ds.spec?.selector);
    if (sel.empty()) {
      this.d.recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    if (ds.metadata?.deletionTimestamp) return;

    const nodes = this.d.nodeStore.list();
    const pods = await this.claimPods(ds);
    const { cur, old } = await constructHistory(this.d, ds, pods);
    const hash = revisionHash(cur);
    let requeueAfterMs: number | undefined;

    if (this.d.expectations.satisfied(key)) {
      requeueAfterMs = await this.manage(key, ds, nodes, pods, hash);
      if (this.d.expectations.satisfied(key) && ds.spec?.updateStrategy?.type !== 'OnDelete') {
        // Read the cache again: pods created or deleted just now may already show there.
        const step = rollingUpdateStep(ds, nodes, groupByNode(this.ownedPods(ds)), hash, this.d.clock.now());
        await this.syncNodes(key, ds, step.oldPodsToDelete, step.nodesToCreate, hash);
      }
      for (const rev of revisionsToPrune(old, ds.spec?.revisionHistoryLimit ?? 10, pods)) {
        try {
          await this.d.revisions.delete(rev.metadata?.namespace, rev.metadata?.name ?? '');
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
    }

    const status = computeStatus(ds, nodes, groupByNode(this.ownedPods(ds)), hash, this.d.clock.now());
    await this.writeStatus(ds, status);
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && status.numberReady !== status.numberAvailable) {
      requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, minReady * 1000);
    }
    return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
  }

  /** Pods the cache shows this DaemonSet controlling. */
  private ownedPods(ds: DaemonSet): Pod[] {
    const uid = ds.metadata?.uid;
    return this.d.podStore.byIndex('namespace', ds.metadata?.namespace ?? '').filter((p) => controllerOf(p)?.uid === uid);
  }

  /** Pods this DaemonSet controls: owned ones still selected, plus orphans it adopts. */
  private async claimPods(ds: DaemonSet): Promise<Pod[]> {
    const sel = selectorFromLabelSelector(ds.spec?.selector);
    const uid = ds.metadata?.uid;
    const out: Pod[] = [];
    for (const pod of this.d.podStore.byIndex('namespace', ds.metadata?.namespace ?? '')) {
      const ref = controllerOf(pod);
      const matches = sel.matches(pod.metadata?.labels);
      const ns = pod.metadata?.namespace;
      const name = pod.metadata?.name ?? '';
      try {
        if (ref) {
          if (ref.uid !== uid) continue;
          if (matches) {
            out.push(pod);
            continue;
          }
          // No longer selected: let it go, keeping any other owners.
          const refs = (pod.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid);
          await this.d.pods.patch(ns, name, { metadata: { ownerReferences: refs, uid: pod.metadata?.uid } }, 'merge');
          continue;
        }
        if (!matches || pod.metadata?.deletionTimestamp || isTerminal(pod)) continue;
        const refs = [...(pod.metadata?.ownerReferences ?? []), controllerRef(ds)];
        out.push(await this.d.pods.patch(ns, name, { metadata: { ownerReferences: refs, uid: pod.metadata?.uid } }, 'merge'));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return out;
  }

  /** Creates missing pods and deletes surplus, failed and misplaced ones. Returns a requeue delay for backoffs. */
  private async manage(key: string, ds: DaemonSet, nodes: Node[], pods: Pod[], hash: string): Promise<number | undefined> {
    const byNode = groupByNode(pods);
    const now = this.d.clock.now();
    const create: string[] = [];
    const del: Pod[] = [];
    let requeue: number | undefined;
    for (const node of nodes) {
      const nodeName = node.metadata?.name ?? '';
      const actions = podsForNode(ds, node, byNode.get(nodeName) ?? [], hash, now);
      create.push(...actions.nodesNeedingPods);
      del.push(...actions.podsToDelete);
      if (actions.failedPods.length === 0) continue;
      // Failed pods are replaced with a growing delay, so a crash-looping daemon does not hot-loop.
      const bk = `${ds.metadata?.uid}/${nodeName}`;
      const b = this.failedBackoff.get(bk);
      if (b && now < b.until) {
        requeue = Math.min(requeue ?? Infinity, b.until - now);
        continue;
      }
      const delayMs = b ? Math.min(b.delayMs * 2, FAILED_POD_BACKOFF_MAX_MS) : FAILED_POD_BACKOFF_START_MS;
      this.failedBackoff.set(bk, { until: now + delayMs, delayMs });
      for (const p of actions.failedPods) {
        this.d.recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${p.metadata?.namespace}/${p.metadata?.name} on node ${nodeName}, will try to kill it`);
        del.push(p);
      }
    }
    // Pods pinned to a node that no longer exists and never bound are removed here; bound ones are Pod GC's.
    const known = new Set(nodes.map((n) => n.metadata?.name));
    for (const [nodeName, ps] of byNode) {
      if (known.has(nodeName)) continue;
      del.push(...ps.filter((p) => !p.spec?.nodeName && !p.metadata?.deletionTimestamp));
    }
    await this.syncNodes(key, ds, del, create, hash);
    return requeue;
  }

  /** Creates pods in growing batches (1, 2, 4, …) so a systematic failure stops early, then deletes. */
  private async syncNodes(key: string, ds: DaemonSet, del: Pod[], create: string[], hash: string): Promise<void> {
    if (del.length === 0 && create.length === 0) return;
    this.d.expectations.expect(key, create.length, del.map((p) => p.metadata?.uid ?? ''));
    const errors: unknown[] = [];
    let pos = 0;
    for (let batch = 1; pos < create.length && errors.length === 0; batch *= 2) {
      const nodes = create.slice(pos, pos + batch);
      pos += nodes.length;
      await Promise.all(nodes.map(async (nodeName) => {
        try {
          const pod = await this.d.pods.create(ds.metadata?.namespace, newDaemonPod(ds, nodeName, hash));
          this.d.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata?.name}`);
        } catch (e) {
          this.d.expectations.creationObserved(key);
          this.d.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${String((e as Error).message ?? e)}`);
          errors.push(e);
        }
      }));
    }
    // Creations never attempted will never be observed.
    for (let i = pos; i < create.length; i++) this.d.expectations.creationObserved(key);

    await Promise.all(del.map(async (pod) => {
      try {
        await this.d.pods.delete(pod.metadata?.namespace, pod.metadata?.name ?? '', { preconditions: { uid: pod.metadata?.uid } });
        this.d.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`);
      } catch (e) {
        this.d.expectations.deletionObserved(key, pod.metadata?.uid);
        if (isNotFound(e)) return;
        this.d.recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${String((e as Error).message ?? e)}`);
        errors.push(e);
      }
    }));
    if (errors.length) throw new AggregateError(errors, `syncing pods of DaemonSet ${key}: ${errors.map(String).join('; ')}`);
  }

  private async writeStatus(ds: DaemonSet, status: DaemonSetStatus): Promise<void> {
    if (canonicalJson(ds.status ?? {}) === canonicalJson(status)) return;
    const { namespace, name } = splitKey(`${ds.metadata?.namespace}/${ds.metadata?.name}`);
    try {
      await this.d.daemonsets.updateStatus(namespace, { ...ds, status } as DaemonSet);
    } catch (e) {
      if (!isConflict(e)) throw e;
      const fresh = await this.d.daemonsets.get(namespace, name);
      // Only the generation this sync looked at may be reported as observed.
      if (fresh.metadata?.generation !== ds.metadata?.generation) throw e;
      await this.d.daemonsets.updateStatus(namespace, { ...fresh, status: { ...status, collisionCount: fresh.status?.collisionCount } } as DaemonSet);
    }
  }
}

/** Pods by the node they run on or are pinned to; finished pods already being deleted are left out. */
export function groupByNode(pods: Pod[]): NodePods {
  const out: NodePods = new Map();
  for (const pod of pods) {
    if (isTerminal(pod) && pod.metadata?.deletionTimestamp) continue;
    const node = targetNodeName(pod);
    if (!node) continue;
    const list = out.get(node);
    if (list) list.push(pod);
    else out.set(node, [pod]);
  }
  return out;
}
