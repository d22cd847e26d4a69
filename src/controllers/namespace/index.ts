// The namespace controller: once a namespace is being deleted, it deletes everything in it, reports
// progress in the namespace's conditions, and when nothing is left releases the `kubernetes`
// finalizer through /finalize so the API server can remove the namespace.
import type { KubeObject } from '../../apimachinery/object.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import type { ReconcileResult } from '../../client/runner.js';
import { runWorkers } from '../../client/runner.js';
import { resourceForKind } from '../../client/rest.js';
import { WorkQueue } from '../../client/workqueue.js';
import { conditionsFor, mergeConditions, type NamespaceCondition } from './conditions.js';
import { deleteNamespaceContent } from './content.js';
import { discoverNamespacedResources } from './discovery.js';
import { cachesSynced } from '../../client/cache-sync.js';

export const NAMESPACE_FINALIZER = 'kubernetes';
/** How soon to look again at content held by finalizers (nothing tells us when they clear). */
export const REMAINING_RECHECK_MS = 2000;

interface Namespace extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: NamespaceCondition[] };
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function namespaceReconciler(ctx: ControllerContext): (key: string) => Promise<ReconcileResult> {
  const namespaces = ctx.client.kind<Namespace>('v1', 'Namespace');
  const log = ctx.logger.with({ component: 'namespace-controller' });

  return async (name) => {
    let ns: Namespace;
    try {
      ns = await namespaces.get(undefined, name);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (!ns.metadata?.deletionTimestamp) return;
    if (!(ns.spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER)) return;

    const now = ctx.clock.now();
    const report = await deleteNamespaceContent(ctx.client, name, now, await discoverNamespacedResources(ctx.client));

    const conditions = mergeConditions(ns.status?.conditions ?? [], conditionsFor(report), rfc3339(now));
    if (conditions || ns.status?.phase !== 'Terminating') {
      try {
        ns = await namespaces.updateStatus(undefined, { ...ns, status: { ...ns.status, phase: 'Terminating', conditions: conditions ?? ns.status?.conditions } });
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
    }

    if (report.failures.length) throw new Error(`namespace ${name}: content deletion failed: ${report.failures.join('; ')}`);
    if (report.remaining.size) {
      log.debug('namespace content remaining', { namespace: name, remaining: Object.fromEntries(report.remaining) });
      const estimate = report.estimateSeconds;
      return { requeueAfterMs: estimate > 0 ? (Math.floor(estimate / 2) + 1) * 1000 : REMAINING_RECHECK_MS };
    }

    const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER);
    try {
      await namespaces.subresource('PUT', undefined, name, 'finalize', { ...ns, spec: { ...ns.spec, finalizers } });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    log.info('namespace finalized', { namespace: name });
  };
}

export const namespaceController: Controller = {
  name: 'namespace',
  async run(ctx, signal) {
    const queue = new WorkQueue({ clock: ctx.clock, name: 'namespace' });
    const informer = ctx.informers.informer<Namespace>(resourceForKind('v1', 'Namespace'));
    const enqueue = (ns: Namespace): void => {
      if (ns.metadata?.deletionTimestamp && ns.metadata.name) queue.add(ns.metadata.name);
    };
    informer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns) });
    if (!(await cachesSynced(ctx.informers, signal))) return;
    const log = ctx.logger.with({ component: 'namespace-controller' });
    await runWorkers(queue, namespaceReconciler(ctx), {
      workers: ctx.options.workers,
      signal,
      onError: (key, err) => log.warn('namespace deletion failed, will retry', { namespace: key, error: String(err) }),
    });
  },
};
