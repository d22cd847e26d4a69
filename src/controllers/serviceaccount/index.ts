// The service account controller: every active namespace has a `default` ServiceAccount; one that
// is deleted is created again.
import type { KubeObject } from '../../apimachinery/object.js';
import type { Controller } from '../../client/controller.js';
import { isAlreadyExists, isNamespaceTerminating } from '../../client/errors.js';
import type { ReconcileResult } from '../../client/runner.js';
import { runWorkers } from '../../client/runner.js';
import { resourceForKind } from '../../client/rest.js';
import { WorkQueue } from '../../client/workqueue.js';
import { cachesSynced } from '../../client/cache-sync.js';

/** The service accounts every namespace gets. */
export const DEFAULT_SERVICE_ACCOUNTS = ['default'];

interface Namespace extends KubeObject {
  status?: { phase?: string };
}

export const serviceAccountController: Controller = {
  name: 'serviceaccount',
  async run(ctx, signal) {
    const queue = new WorkQueue({ clock: ctx.clock, name: 'serviceaccount' });
    const nsInformer = ctx.informers.informer<Namespace>(resourceForKind('v1', 'Namespace'));
    const saInformer = ctx.informers.informer(resourceForKind('v1', 'ServiceAccount'));
    const serviceAccounts = ctx.client.kind('v1', 'ServiceAccount');
    const log = ctx.logger.with({ component: 'serviceaccount-controller' });

    const enqueueNamespace = (ns: Namespace): void => {
      if (ns.metadata?.name && !ns.metadata.deletionTimestamp && ns.status?.phase !== 'Terminating') queue.add(ns.metadata.name);
    };
    nsInformer.addEventHandler({ onAdd: enqueueNamespace, onUpdate: (_old, ns) => enqueueNamespace(ns) });
    saInformer.addEventHandler({
      onDelete: (sa) => {
        if (sa.metadata?.namespace && DEFAULT_SERVICE_ACCOUNTS.includes(sa.metadata.name ?? '')) queue.add(sa.metadata.namespace);
      },
    });

    const reconcile = async (namespace: string): Promise<ReconcileResult> => {
      const ns = nsInformer.store.get(namespace);
      if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
      for (const name of DEFAULT_SERVICE_ACCOUNTS) {
        if (saInformer.store.get(`${namespace}/${name}`)) continue;
        try {
          await serviceAccounts.create(namespace, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
          log.debug('created service account', { namespace, name });
        } catch (e) {
          // Already there (the cache had not seen it yet) or the namespace began terminating.
          if (isAlreadyExists(e) || isNamespaceTerminating(e)) continue;
          throw e;
        }
      }
    };

    if (!(await cachesSynced(ctx.informers, signal))) return;
    await runWorkers(queue, reconcile, {
      workers: ctx.options.workers,
      signal,
      onError: (key, err) => log.warn('creating service accounts failed, will retry', { namespace: key, error: String(err) }),
    });
  },
};
