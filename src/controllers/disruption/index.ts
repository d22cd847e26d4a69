// The disruption controller: keeps every policy/v1 PodDisruptionBudget's status current — the
// pods it expects, how many are healthy, how many must be, how many disruptions are allowed now,
// and which evictions still wait for their pod's deletion — so the eviction subresource can
// answer from the status alone.
import type { Pod as WirePod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget as WirePdb } from 'kubernetes-types/policy/v1.js';
import { selectorFromLabelSelector, selectorToString } from '../../apimachinery/labels.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { Controller, ControllerContext, EventRecorder } from '../../client/controller.js';
import { cachesSynced } from '../../client/cache-sync.js';
import { sameValue } from '../../client/equality.js';
import { isConflict } from '../../client/errors.js';
import { objectKey, type Informer } from '../../client/informer-types.js';
import { resourceForKind, type ApiClient, type ResourceClient } from '../../client/rest.js';
import { runWorkers, type ReconcileResult } from '../../client/runner.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Clock } from '../../apimachinery/clock.js';
import {
  countHealthy, disruptedPodMap, expectedCounts, failSafeStatus, needsControllerScale, nextStatus,
} from './budget.js';
import { expectedScale, workloadFinders, type ScaleFinder, type WorkloadStores } from './scale.js';
import { staleDisruptionWait, withDisruptionCleared } from './stale.js';

export {
  DELETION_TIMEOUT_MS, DISRUPTION_ALLOWED_CONDITION, INSUFFICIENT_PODS_REASON, SUFFICIENT_PODS_REASON, SYNC_FAILED_REASON,
  countHealthy, disruptedPodMap, disruptionsAllowed, expectedCounts, failSafeStatus, nextStatus, scaledValue,
} from './budget.js';
export { expectedScale, type ScaleFinder } from './scale.js';
export { STALE_POD_DISRUPTION_TIMEOUT_MS, staleDisruptionWait, withDisruptionCleared } from './stale.js';

type Pod = WirePod & KubeObject;
type Pdb = WirePdb & KubeObject;

/** Whether a budget's selector picks the pod; a null selector picks nothing, `{}` everything. */
export function budgetSelects(pdb: Pdb, pod: Pod): boolean {
  if (pdb.metadata?.namespace !== pod.metadata?.namespace) return false;
  try {
    return selectorFromLabelSelector(pdb.spec?.selector).matches(pod.metadata?.labels ?? {});
  } catch {
    return false;
  }
}

interface SyncDeps {
  pods: Informer<Pod>;
  client: ResourceClient<Pdb>;
  finders: ScaleFinder[];
  recorder: EventRecorder;
  clock: Clock;
}

/** One budget's sync; throws what should be retried. */
export async function syncBudget(pdb: Pdb, d: SyncDeps): Promise<ReconcileResult> {
  const namespace = pdb.metadata?.namespace ?? '';
  try {
    return await trySync(pdb, d);
  } catch (e) {
    // A stale read is retried as is; anything else first leaves the budget closed.
    if (isConflict(e)) throw e;
    const message = e instanceof Error ? e.message : String(e);
    const status = failSafeStatus(pdb, message, d.clock.now());
    if (!sameValue(status, pdb.status)) await d.client.updateStatus(namespace, { ...pdb, status });
    throw e;
  }
}

async function trySync(pdb: Pdb, d: SyncDeps): Promise<ReconcileResult> {
  const namespace = pdb.metadata?.namespace ?? '';
  let pods: Pod[];
  try {
    const selector = selectorFromLabelSelector(pdb.spec?.selector);
    pods = d.pods.store.byIndex('namespace', namespace).filter((p) => selector.matches(p.metadata?.labels ?? {}));
  } catch (e) {
    d.recorder.event(pdb, 'Warning', 'NoPods', `Failed to get pods: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
  if (!pods.length) d.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');

  let scale = 0;
  if (needsControllerScale(pdb.spec)) {
    let unmanaged: string[];
    try {
      ({ scale, unmanaged } = await expectedScale(pods, d.finders));
    } catch (e) {
      d.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed',
        `Failed to calculate the number of expected pods: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
    if (unmanaged.length) {
      d.recorder.event(pdb, 'Warning', 'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${selectorToString(pdb.spec?.selector)}) were found to be unmanaged. `
        + 'As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. '
        + 'To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.');
    }
  }
  let counts;
  try {
    counts = expectedCounts(pdb.spec, pods.length, scale);
  } catch (e) {
    d.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed',
      `Failed to calculate the number of expected pods: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }

  const now = d.clock.now();
  const disrupted = disruptedPodMap(pods, pdb.status?.disruptedPods, now);
  for (const name of disrupted.expired) {
    const pod = pods.find((p) => p.metadata?.name === name);
    if (pod) d.recorder.event(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${namespace}/${pdb.metadata?.name} to be deleted but it wasn't`);
  }
  const status = nextStatus(pdb, {
    ...counts,
    currentHealthy: countHealthy(pods, disrupted.kept, now),
    disruptedPods: disrupted.kept,
  }, now);
  if (status) await d.client.updateStatus(namespace, { ...pdb, status });
  // Entries still waiting expire on their own: look again when the first one does.
  if (disrupted.recheckAt !== undefined) return { requeueAfterMs: Math.max(0, disrupted.recheckAt - now) + 1 };
}

function workloadStores(ctx: ControllerContext): WorkloadStores {
  const store = (apiVersion: string, kind: string) => ctx.informers.informer<KubeObject & { spec?: { replicas?: number } }>(resourceForKind(apiVersion, kind)).store;
  return {
    replicationControllers: store('v1', 'ReplicationController'),
    replicaSets: store('apps/v1', 'ReplicaSet'),
    deployments: store('apps/v1', 'Deployment'),
    statefulSets: store('apps/v1', 'StatefulSet'),
  };
}

export const disruptionController: Controller = {
  name: 'disruption',
  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const budgets = ctx.informers.informer<Pdb>(resourceForKind('policy/v1', 'PodDisruptionBudget'));
    const pods = ctx.informers.informer<Pod>(resourceForKind('v1', 'Pod'));
    const client: ApiClient = ctx.client;
    const finders = workloadFinders(workloadStores(ctx), client);
    const logger = ctx.logger.with({ component: 'disruption-controller' });
    const recorder = ctx.recorder('controllermanager');
    const queue = new WorkQueue({ clock: ctx.clock, name: 'disruption' });
    const staleQueue = new WorkQueue({ clock: ctx.clock, name: 'disruption-stale-pods' });
    const watchStale = (p: Pod) => {
      const wait = staleDisruptionWait(p, ctx.clock.now());
      if (wait !== undefined) staleQueue.addAfter(objectKey(p), wait);
    };

    // A pod concerns every budget in its namespace that selects it, before or after a change.
    const enqueueBudgetsOf = (...versions: Pod[]) => {
      const ns = versions[0]?.metadata?.namespace ?? '';
      for (const pdb of budgets.store.byIndex('namespace', ns)) {
        if (versions.some((p) => budgetSelects(pdb, p))) queue.add(objectKey(pdb));
      }
    };
    budgets.addEventHandler({
      onAdd: (b) => queue.add(objectKey(b)),
      onUpdate: (_o, b) => queue.add(objectKey(b)),
      onDelete: (b) => queue.add(objectKey(b)),
    });
    pods.addEventHandler({
      onAdd: (p) => {
        enqueueBudgetsOf(p);
        watchStale(p);
      },
      onUpdate: (o, p) => {
        enqueueBudgetsOf(o, p);
        watchStale(p);
      },
      onDelete: (p) => enqueueBudgetsOf(p),
    });

    if (!(await cachesSynced(ctx.informers, signal))) {
      queue.shutDown();
      staleQueue.shutDown();
      return;
    }

    const pdbClient = client.kind<Pdb>('policy/v1', 'PodDisruptionBudget');
    const reconcile = async (key: string): Promise<ReconcileResult> => {
      const pdb = budgets.store.get(key);
      if (!pdb) return;
      return syncBudget(pdb, { pods, client: pdbClient, finders, recorder, clock: ctx.clock });
    };

    const podClient = client.kind<Pod>('v1', 'Pod');
    const clearStale = async (key: string): Promise<ReconcileResult> => {
      const pod = pods.store.get(key);
      if (!pod) return;
      const wait = staleDisruptionWait(pod, ctx.clock.now());
      if (wait === undefined) return;
      if (wait > 0) return { requeueAfterMs: wait };
      await podClient.updateStatus(pod.metadata?.namespace, withDisruptionCleared(pod, ctx.clock.now()));
      logger.info('reset stale DisruptionTarget condition to False', { pod: key });
    };

    await Promise.all([
      runWorkers(queue, reconcile, {
        workers: ctx.options.workers,
        signal,
        onError: (key, err) => logger.warn('syncing pod disruption budget failed', { podDisruptionBudget: key, error: String(err) }),
      }),
      runWorkers(staleQueue, clearStale, {
        workers: 1,
        signal,
        onError: (key, err) => logger.warn('clearing DisruptionTarget condition failed', { pod: key, error: String(err) }),
      }),
    ]);
  },
};
