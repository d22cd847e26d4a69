// The Endpoints controller: keeps one core/v1 Endpoints per selector Service, listing the
// addresses of the pods it selects (ready ones in `addresses`, the others in `notReadyAddresses`).
import type { Endpoints as WireEndpoints, Pod as WirePod, Service as WireService } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import { objectKey, splitKey } from '../../client/informer-types.js';
import { resourceForKind } from '../../client/rest.js';
import { runWorkers, type ReconcileResult } from '../../client/runner.js';
import { WorkQueue } from '../../client/workqueue.js';
import { desiredSubsets, OVER_CAPACITY_ANNOTATION } from './endpoints.js';
import { HEADLESS_LABEL, isHeadless, queueServicesOnPodChanges } from '../../client/service-pods.js';
import { sameValue } from '../../client/equality.js';

type Service = WireService & KubeObject;
type Pod = WirePod & KubeObject;
type Endpoints = WireEndpoints & KubeObject;

export { desiredSubsets } from './endpoints.js';
export { resolveTargetPort, isPodReady } from '../../client/service-pods.js';

export const endpointsController: Controller = {
  name: 'endpoints',
  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const services = ctx.informers.informer<Service>(resourceForKind('v1', 'Service'));
    const pods = ctx.informers.informer<Pod>(resourceForKind('v1', 'Pod'));
    const endpoints = ctx.informers.informer<Endpoints>(resourceForKind('v1', 'Endpoints'));
    const client = ctx.client.kind<Endpoints>('v1', 'Endpoints');
    const logger = ctx.logger.with({ component: 'endpoints-controller' });
    const queue = new WorkQueue({ clock: ctx.clock, name: 'endpoints' });

    queueServicesOnPodChanges(services, pods, (key) => queue.add(key));
    // Someone else changing or deleting an Endpoints we own gets it put back.
    endpoints.addEventHandler({
      onUpdate: (_o, e) => queue.add(objectKey(e)),
      onDelete: (e) => queue.add(objectKey(e)),
    });

    await ctx.informers.waitForSync(signal);
    if (signal.aborted) return;

    const reconcile = async (key: string): Promise<ReconcileResult> => {
      const { namespace, name } = splitKey(key);
      const svc = services.store.get(key);
      const current = endpoints.store.get(key);
      if (!svc) {
        if (current) {
          try {
            await client.delete(namespace, name, { preconditions: { uid: current.metadata?.uid } });
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
        }
        return;
      }
      // Services without a selector have their Endpoints written by someone else.
      if (!svc.spec?.selector) return;

      const { subsets, truncated } = desiredSubsets(svc, pods.store.byIndex('namespace', namespace ?? ''));
      const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
      delete labels[HEADLESS_LABEL];
      if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
      const annotations: Record<string, string> = { ...(current?.metadata?.annotations ?? {}) };
      if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
      else delete annotations[OVER_CAPACITY_ANNOTATION];

      if (current
        && sameValue(current.subsets, subsets)
        && sameValue(current.metadata?.labels ?? {}, labels)
        && sameValue(current.metadata?.annotations ?? {}, annotations)) return;

      const body: Endpoints = {
        apiVersion: 'v1', kind: 'Endpoints',
        metadata: {
          ...(current?.metadata ?? {}), name, namespace,
          labels,
          annotations,
        },
        subsets,
      };
      if (current) {
        await client.update(namespace, body);
        logger.debug('updated endpoints', { service: key });
      } else {
        await client.create(namespace, body);
        logger.debug('created endpoints', { service: key });
      }
    };

    await runWorkers(queue, reconcile, {
      workers: ctx.options.workers,
      signal,
      onError: (key, err) => logger.warn('syncing endpoints failed', { service: key, error: String(err) }),
    });
  },
};
