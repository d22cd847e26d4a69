// The garbage collector controller: watches every listable kind (except Events, which nothing
// owns through references worth collecting) and collects by ownerReferences as Kubernetes does.
import { allResources } from '../../api/registry.js';
import type { ResourceType } from '../../api/types.js';
import type { Controller } from '../../client/controller.js';
import { runWorkers } from '../../client/runner.js';
import { WorkQueue } from '../../client/workqueue.js';
import { GarbageCollector } from './collector.js';
import { cachesSynced } from '../../client/cache-sync.js';

export { GarbageCollector } from './collector.js';

/** The kinds whose objects take part in ownership: all that can be listed and watched, but Events. */
export function collectedResources(): ResourceType[] {
  return allResources().filter((rt) => rt.kind !== 'Event'
    && (!rt.verbs || (rt.verbs.includes('list') && rt.verbs.includes('watch') && rt.verbs.includes('delete'))));
}

export const garbageCollector: Controller = {
  name: 'garbagecollector',
  async run(ctx, signal) {
    const queue = new WorkQueue({ clock: ctx.clock, name: 'garbagecollector' });
    const log = ctx.logger.with({ component: 'garbage-collector-controller' });
    const gc = new GarbageCollector(ctx.client, queue, ctx.recorder('garbage-collector-controller'), log);
    for (const rt of collectedResources()) ctx.informers.informer(rt).addEventHandler(gc.handler(rt));
    // Nothing is collected before every kind has been listed once.
    if (!(await cachesSynced(ctx.informers, signal))) return;
    await runWorkers(queue, gc.reconcile, {
      workers: ctx.options.workers,
      signal,
      onError: (uid, err) => log.warn('garbage collection failed, will retry', { uid, error: String(err) }),
    });
  },
};
