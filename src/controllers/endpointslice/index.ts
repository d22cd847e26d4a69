// The EndpointSlice controller: keeps discovery.k8s.io/v1 EndpointSlices for every selector
// Service, at most `maxEndpointsPerSlice` endpoints each, owned by the Service.
import type { Pod as WirePod, Service as WireService } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice as WireEndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject, OwnerReference } from '../../apimachinery/object.js';
import type { Controller, ControllerContext } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import { objectKey, splitKey } from '../../client/informer-types.js';
import { resourceForKind } from '../../client/rest.js';
import { runWorkers, type ReconcileResult } from '../../client/runner.js';
import { WorkQueue } from '../../client/workqueue.js';
import { addressTypes, desiredGroups, MANAGED_BY, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './desired.js';
import { HEADLESS_LABEL, isHeadless, queueServicesOnPodChanges } from '../../client/service-pods.js';
import { planSlices, type SliceContent } from './plan.js';
import { sameValue } from '../../client/equality.js';

type Service = WireService & KubeObject;
type Pod = WirePod & KubeObject;
type EndpointSlice = WireEndpointSlice & KubeObject;

export { SERVICE_NAME_LABEL, MANAGED_BY_LABEL, MANAGED_BY } from './desired.js';

export interface EndpointSliceControllerOptions {
  /** Kubernetes' default is 100. */
  maxEndpointsPerSlice?: number;
}

/** How long a write may stay unseen by the informer before it is no longer waited for. */
const EXPECTATION_TIMEOUT_MS = 30_000;

function resourceVersionReached(seen: string | undefined, written: string): boolean {
  if (seen === undefined) return false;
  if (seen === written) return true;
  try {
    return BigInt(seen) >= BigInt(written);
  } catch {
    return false;
  }
}

export function createEndpointSliceController(opts: EndpointSliceControllerOptions = {}): Controller {
  const maxPerSlice = opts.maxEndpointsPerSlice ?? 100;
  return {
    name: 'endpointslice',
    async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
      const services = ctx.informers.informer<Service>(resourceForKind('v1', 'Service'));
      const pods = ctx.informers.informer<Pod>(resourceForKind('v1', 'Pod'));
      const slices = ctx.informers.informer<EndpointSlice>(resourceForKind('discovery.k8s.io/v1', 'EndpointSlice'));
      const client = ctx.client.kind<EndpointSlice>('discovery.k8s.io/v1', 'EndpointSlice');
      const logger = ctx.logger.with({ component: 'endpointslice-controller' });
      const queue = new WorkQueue({ clock: ctx.clock, name: 'endpointslice' });

      // Slices written but perhaps not yet in the informer's cache, per service: name → the
      // resourceVersion written, or null for a delete. Planning on a stale cache would duplicate slices.
      const expectations = new Map<string, { since: number; writes: Map<string, string | null> }>();
      const expect = (svcKey: string, name: string, rv: string | null) => {
        let e = expectations.get(svcKey);
        if (!e) expectations.set(svcKey, (e = { since: ctx.clock.now(), writes: new Map() }));
        e.writes.set(name, rv);
      };
      const cacheCaughtUp = (svcKey: string, namespace: string): boolean => {
        const e = expectations.get(svcKey);
        if (!e) return true;
        for (const [name, rv] of e.writes) {
          const seen = slices.store.get(`${namespace}/${name}`);
          if (rv === null ? seen === undefined : resourceVersionReached(seen?.metadata?.resourceVersion, rv)) e.writes.delete(name);
        }
        if (e.writes.size === 0 || ctx.clock.now() - e.since > EXPECTATION_TIMEOUT_MS) {
          expectations.delete(svcKey);
          return true;
        }
        return false;
      };

      const ownedBy = (slice: EndpointSlice): string | undefined => {
        const labels = slice.metadata?.labels ?? {};
        if (labels[MANAGED_BY_LABEL] !== MANAGED_BY || !labels[SERVICE_NAME_LABEL]) return undefined;
        return `${slice.metadata?.namespace}/${labels[SERVICE_NAME_LABEL]}`;
      };
      const enqueueSliceOwner = (s: EndpointSlice) => {
        const key = ownedBy(s);
        if (key) queue.add(key);
      };
      queueServicesOnPodChanges(services, pods, (key) => queue.add(key));
      slices.addEventHandler({ onAdd: enqueueSliceOwner, onUpdate: (_o, s) => enqueueSliceOwner(s), onDelete: enqueueSliceOwner });

      await ctx.informers.waitForSync(signal);
      if (signal.aborted) return;

      const deleteSlice = async (svcKey: string, slice: EndpointSlice) => {
        try {
          await client.delete(slice.metadata?.namespace, slice.metadata!.name!, { preconditions: { uid: slice.metadata?.uid } });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        expect(svcKey, slice.metadata!.name!, null);
      };

      const reconcile = async (key: string): Promise<ReconcileResult> => {
        const { namespace = '', name } = splitKey(key);
        if (!cacheCaughtUp(key, namespace)) return { requeueAfterMs: 1000 };
        const svc = services.store.get(key);
        const owned = slices.store.byIndex('namespace', namespace).filter((s) => ownedBy(s) === key);
        if (!svc) {
          // The garbage collector would remove them through their owner reference too.
          for (const s of owned) await deleteSlice(key, s);
          return;
        }
        // Slices of services without a selector are someone else's to write.
        if (!svc.spec?.selector || svc.spec.type === 'ExternalName') return;

        const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
        for (const reserved of [HEADLESS_LABEL, SERVICE_NAME_LABEL, MANAGED_BY_LABEL]) delete labels[reserved];
        labels[SERVICE_NAME_LABEL] = name;
        labels[MANAGED_BY_LABEL] = MANAGED_BY;
        if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
        const owner: OwnerReference = {
          apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata!.uid!, controller: true, blockOwnerDeletion: true,
        };
        const ownerOk = (s: EndpointSlice) => (s.metadata?.ownerReferences ?? []).some((o) => o.uid === owner.uid && o.controller);
        const withOwner = (s: EndpointSlice): OwnerReference[] => [
          ...(s.metadata?.ownerReferences ?? []).filter((o) => !o.controller && o.uid !== owner.uid),
          owner,
        ];

        const types = addressTypes(svc);
        const pods_ = pods.store.byIndex('namespace', namespace);
        for (const s of owned) if (!types.includes(s.addressType as never)) await deleteSlice(key, s);
        for (const type of types) {
          const existing = owned.filter((s) => s.addressType === type);
          const plan = planSlices(existing, desiredGroups(svc, pods_, type), maxPerSlice);
          const write = async (slice: EndpointSlice | undefined, content: SliceContent) => {
            const body: EndpointSlice = {
              apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
              metadata: slice
                ? { ...slice.metadata, labels: { ...labels }, ownerReferences: withOwner(slice) }
                : { generateName: `${name}-`, namespace, labels: { ...labels }, ownerReferences: [owner] },
              addressType: type,
              endpoints: content.endpoints,
              ports: content.ports,
            };
            const out = slice ? await client.update(namespace, body) : await client.create(namespace, body);
            expect(key, out.metadata!.name!, out.metadata!.resourceVersion!);
          };
          for (const c of plan.create) await write(undefined, c);
          for (const u of plan.update) await write(u.slice, u.content);
          for (const s of plan.keep) {
            if (!sameValue(s.metadata?.labels ?? {}, labels) || !ownerOk(s)) {
              await write(s, { ports: s.ports ?? [], endpoints: s.endpoints ?? [] });
            }
          }
          for (const s of plan.delete) await deleteSlice(key, s);
          if (plan.create.length || plan.update.length || plan.delete.length) {
            logger.debug('synced endpoint slices', {
              service: key, addressType: type, created: plan.create.length, updated: plan.update.length, deleted: plan.delete.length,
            });
          }
        }
      };

      await runWorkers(queue, reconcile, {
        workers: ctx.options.workers,
        signal,
        onError: (key, err) => logger.warn('syncing endpoint slices failed', { service: key, error: String(err) }),
      });
    },
  };
}

export const endpointSliceController: Controller = createEndpointSliceController();
