// The admission chain for new namespaced objects: LimitRanger defaults (mutating), then
// LimitRanger's range checks and ResourceQuota (validating), as kube-apiserver orders them.
import type { Registry } from '../registry/registry.js';
import type { CreateAdmission } from '../registry/store.js';
import { limitRangerMutate, limitRangerValidate } from './limit-ranger.js';
import { checkQuotas, NamespaceLocks, quotasIn } from './resource-quota.js';

/** One admission chain per server, shared by every namespaced resource so they share the quota locks. */
export function createAdmission(registry: Registry): CreateAdmission {
  const locks = new NamespaceLocks();
  return {
    async mutate(store, namespace, obj) {
      if (!namespace || store.rt.group) return;
      await limitRangerMutate(registry, store.rt.plural, namespace, obj);
    },
    async validate(store, namespace, obj, ctx) {
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
  };
}
