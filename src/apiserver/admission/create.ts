// The admission chain: LimitRanger defaults, Priority and DefaultStorageClass (mutating), then
// LimitRanger's range checks, Priority's one-default rule and ResourceQuota (validating), as
// kube-apiserver orders them.
import type { Registry } from '../registry/registry.js';
import type { CreateAdmission } from '../registry/store.js';
import { limitRangerMutate, limitRangerValidate } from './limit-ranger.js';
import { admitPodPriority, validatePriorityClassDefault } from './priority.js';
import { admitDefaultStorageClass } from './default-storage-class.js';
import { checkQuotas, NamespaceLocks, quotasIn } from './resource-quota.js';

const isPriorityClasses = (rt: { group: string; plural: string }) => rt.group === 'scheduling.k8s.io' && rt.plural === 'priorityclasses';

/** One admission chain per server, shared by every resource so namespaced creates share the quota locks. */
export function createAdmission(registry: Registry): CreateAdmission {
  const locks = new NamespaceLocks();
  return {
    async mutate(store, namespace, obj) {
      if (!namespace || store.rt.group) return;
      await limitRangerMutate(registry, store.rt.plural, namespace, obj);
      if (store.rt.plural === 'pods') await admitPodPriority(registry, obj);
      if (store.rt.plural === 'persistentvolumeclaims') await admitDefaultStorageClass(registry, obj);
    },
    async validate(store, namespace, obj, ctx) {
      if (isPriorityClasses(store.rt)) await validatePriorityClassDefault(registry, obj, false);
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
    async validateUpdate(store, _namespace, obj) {
      if (isPriorityClasses(store.rt)) await validatePriorityClassDefault(registry, obj, true);
    },
  };
}
