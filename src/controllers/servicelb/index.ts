// The built-in load balancer (k3s's ServiceLB without its per-service DaemonSet): every
// LoadBalancer Service without a spec.loadBalancerClass gets the addresses of the eligible nodes in
// status.loadBalancer.ingress, and the service proxy on every node answers on them. A Service that
// stops being a LoadBalancer has its ingress cleared. Node changes resync every such Service.
import type { LoadBalancerIngress } from 'kubernetes-types/core/v1.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { objectKey, splitKey } from '../../client/informer-types.js';
import { resourceForKind } from '../../client/rest.js';
import { runWorkers, type ReconcileResult } from '../../client/runner.js';
import { WorkQueue } from '../../client/workqueue.js';
import {
  desiredIngress, ingressAddresses, isOurLoadBalancer, loadBalancerIPs, nodeFingerprint, sameIngress,
  SERVICE_NAME_LABEL, type EndpointSlice, type Node, type Service,
} from './ingress.js';

export { ENABLE_LB_LABEL, EXCLUDE_LB_LABEL, desiredIngress, loadBalancerIPs } from './ingress.js';

export const COMPONENT = 'service-lb-controller';
export const REASON_ENSURED = 'EnsuredLoadBalancer';
export const REASON_UPDATED = 'UpdatedLoadBalancer';
export const REASON_UNAVAILABLE = 'UnAvailableLoadBalancer';
export const REASON_DELETED = 'DeletedLoadBalancer';

const list = (ips: string[]) => `[${ips.join(' ')}]`;

export const serviceLBController: Controller = {
  name: 'service-lb',
  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const services = ctx.informers.informer<Service>(resourceForKind('v1', 'Service'));
    const nodes = ctx.informers.informer<Node>(resourceForKind('v1', 'Node'));
    const slices = ctx.informers.informer<EndpointSlice>(resourceForKind('discovery.k8s.io/v1', 'EndpointSlice'));
    const client = ctx.client.kind<Service>('v1', 'Service');
    const logger = ctx.logger.with({ component: COMPONENT });
    const recorder = ctx.recorder(COMPONENT);
    const queue = new WorkQueue({ clock: ctx.clock, name: 'service-lb' });
    // Ingress written but not yet seen in the cache, by service key: the resourceVersion it was
    // written over, so a resync against the stale copy does not write (and report) it again.
    const written = new Map<string, { overVersion: string | undefined; ingress: LoadBalancerIngress[] }>();

    const queueLoadBalancers = () => {
      for (const s of services.store.list()) if (s.spec?.type === 'LoadBalancer') queue.add(objectKey(s));
    };
    services.addEventHandler({
      onAdd: (s) => queue.add(objectKey(s)),
      onUpdate: (_o, s) => queue.add(objectKey(s)),
      onDelete: (s) => written.delete(objectKey(s)),
    });
    nodes.addEventHandler({
      onAdd: () => queueLoadBalancers(),
      onUpdate: (o, n) => {
        if (nodeFingerprint(o) !== nodeFingerprint(n)) queueLoadBalancers();
      },
      onDelete: () => queueLoadBalancers(),
    });
    // Only externalTrafficPolicy: Local Services depend on where their endpoints are.
    const queueSliceService = (e: EndpointSlice) => {
      const name = e.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (!name) return;
      const key = `${e.metadata?.namespace}/${name}`;
      const svc = services.store.get(key);
      if (svc?.spec?.type === 'LoadBalancer' && svc.spec.externalTrafficPolicy === 'Local') queue.add(key);
    };
    slices.addEventHandler({
      onAdd: queueSliceService,
      onUpdate: (_o, e) => queueSliceService(e),
      onDelete: queueSliceService,
    });

    await ctx.informers.waitForSync(signal);
    if (signal.aborted) return;

    const reconcile = async (key: string): Promise<ReconcileResult> => {
      const svc = services.store.get(key);
      if (!svc) return;
      const { namespace, name } = splitKey(key);
      const current = svc.status?.loadBalancer?.ingress ?? [];
      let desired: LoadBalancerIngress[];
      if (isOurLoadBalancer(svc)) {
        const own = slices.store.byIndex('namespace', namespace ?? '').filter((e) => e.metadata?.labels?.[SERVICE_NAME_LABEL] === name);
        desired = desiredIngress(svc, loadBalancerIPs(svc, nodes.store.list(), own));
      } else if (svc.spec?.type === 'LoadBalancer') {
        return; // another implementation's (spec.loadBalancerClass)
      } else {
        desired = [];
      }

      const pending = written.get(key);
      if (pending && pending.overVersion !== svc.metadata?.resourceVersion) written.delete(key);
      else if (pending && sameIngress(pending.ingress, desired)) return;
      if (sameIngress(current, desired)) return;

      try {
        await client.patch(namespace, name, {
          metadata: { uid: svc.metadata?.uid },
          status: { loadBalancer: { ingress: desired.length ? desired : null } },
        }, 'merge', { subresource: 'status' });
      } catch (e) {
        if (isNotFound(e)) return;
        if (isConflict(e)) return; // recreated under the same name: its own events queue it
        throw e;
      }
      written.set(key, { overVersion: svc.metadata?.resourceVersion, ingress: desired });

      const before = ingressAddresses(current);
      const after = ingressAddresses(desired);
      logger.info('updated load balancer status', { service: key, ingress: after });
      if (!isOurLoadBalancer(svc)) {
        recorder.event(svc, 'Normal', REASON_DELETED, `Deleted load balancer ${list(before)}: the service is no longer of type LoadBalancer`);
      } else if (!after.length) {
        recorder.event(svc, 'Warning', REASON_UNAVAILABLE, 'There are no available nodes for LoadBalancer');
      } else if (!before.length) {
        recorder.event(svc, 'Normal', REASON_ENSURED, `Ensured load balancer with IPs ${list(after)}`);
      } else {
        recorder.event(svc, 'Normal', REASON_UPDATED, `Updated LoadBalancer with new IPs: ${list(before)} -> ${list(after)}`);
      }
    };

    await runWorkers(queue, reconcile, {
      workers: ctx.options.workers,
      signal,
      onError: (key, err) => logger.warn('syncing load balancer status failed', { service: key, error: String(err) }),
    });
  },
};
