// Services: a cluster IP (and node ports) on create; allocated values carried over when an
// update leaves them out, as `kubectl replace` of a hand-written manifest does.
import type { Strategy } from '../strategy.js';
import { ServiceAllocator, type ServiceSpecLike } from './service-allocator.js';

export function serviceStrategy(allocator = new ServiceAllocator()): Strategy {
  return {
    async prepareForCreate(obj, ctx) {
      const spec = (obj.spec ??= {}) as ServiceSpecLike;
      const store = ctx.store;
      if (!store) return;
      await allocator.serialize(async () => {
        const existing = await store.list(undefined, {});
        allocator.allocate(obj.metadata?.name ?? '', spec, existing.items);
      });
    },
    prepareForUpdate(obj, old) {
      const spec = (obj.spec ??= {}) as ServiceSpecLike;
      const prev = (old.spec ?? {}) as ServiceSpecLike;
      if (!spec.clusterIP && !spec.clusterIPs?.length && prev.clusterIP && spec.type === prev.type) {
        spec.clusterIP = prev.clusterIP;
        spec.clusterIPs = prev.clusterIPs ?? [prev.clusterIP];
      }
      for (const p of spec.ports ?? []) {
        if (p.nodePort) continue;
        const match = (prev.ports ?? []).find((q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
        if (match?.nodePort && (spec.type === 'NodePort' || spec.type === 'LoadBalancer')) p.nodePort = match.nodePort;
      }
    },
  };
}
