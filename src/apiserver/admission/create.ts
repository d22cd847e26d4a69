// The admission chain: LimitRanger defaults, Priority and DefaultStorageClass (mutating), then
// LimitRanger's range checks, Priority's one-default rule and ResourceQuota (validating), as
// kube-apiserver orders them; the admission webhooks come last in each half, before ResourceQuota.
import type { Registry } from '../registry/registry.js';
import type { CreateAdmission, ResourceStore } from '../registry/store.js';
import type { RequestContext } from '../registry/strategy.js';
import { limitRangerMutate, limitRangerValidate } from './limit-ranger.js';
import { admitPodPriority, validatePriorityClassDefault } from './priority.js';
import { admitDefaultStorageClass } from './default-storage-class.js';
import { checkQuotas, NamespaceLocks, quotasIn } from './resource-quota.js';
import { webhookDispatcherFor, writeAttributes } from './webhook/webhook-admission.js';

const isPriorityClasses = (rt: { group: string; plural: string }) => rt.group === 'scheduling.k8s.io' && rt.plural === 'priorityclasses';

/** One admission chain per server, shared by every resource so namespaced creates share the quota locks. */
export function createAdmission(registry: Registry): CreateAdmission {
  const locks = new NamespaceLocks();
  const webhooks = webhookDispatcherFor(registry);
  const dispatch = (store: ResourceStore, ctx: RequestContext) => ({ warnings: ctx.warnings, setDefaults: store.rt.setDefaults });
  return {
    async mutate(store, namespace, obj, ctx) {
      if (namespace && !store.rt.group) {
        await limitRangerMutate(registry, store.rt.plural, namespace, obj);
        if (store.rt.plural === 'pods') await admitPodPriority(registry, obj);
        if (store.rt.plural === 'persistentvolumeclaims') await admitDefaultStorageClass(registry, obj);
      }
      await webhooks.mutate(writeAttributes(store, 'CREATE', namespace, ctx, { object: obj }), dispatch(store, ctx));
    },
    async mutateUpdate(store, namespace, obj, old, ctx, subresource) {
      await webhooks.mutate(writeAttributes(store, 'UPDATE', namespace, ctx, { object: obj, oldObject: old }, subresource), dispatch(store, ctx));
    },
    async validate(store, namespace, obj, ctx) {
      if (isPriorityClasses(store.rt)) await validatePriorityClassDefault(registry, obj, false);
      await webhooks.validate(writeAttributes(store, 'CREATE', namespace, ctx, { object: obj }), dispatch(store, ctx));
      if (!namespace) return;
      if (!store.rt.group) await limitRangerValidate(registry, store.rt.plural, namespace, obj);
      if (!(await quotasIn(registry, namespace)).length) return;
      const release = await locks.acquire(namespace);
      try {
        // Read again under the lock: a quota may have changed while this create waited.
        const quotas = await quotasIn(registry, namespace);
        await checkQuotas(registry, { group: store.rt.group, plural: store.rt.plural }, namespace, obj, quotas, ctx.now);
        return release;
      } catch (e) {
        release();
        throw e;
      }
    },
    async validateUpdate(store, namespace, obj, old, ctx, subresource) {
      if (isPriorityClasses(store.rt) && !subresource) await validatePriorityClassDefault(registry, obj, true);
      await webhooks.validate(writeAttributes(store, 'UPDATE', namespace, ctx, { object: obj, oldObject: old }, subresource), dispatch(store, ctx));
    },
    async validateDelete(store, namespace, old, opts, ctx) {
      const a = writeAttributes(store, 'DELETE', namespace, ctx, { oldObject: old }, '', opts);
      await webhooks.mutate(a, dispatch(store, ctx));
      await webhooks.validate(a, dispatch(store, ctx));
    },
  };
}
