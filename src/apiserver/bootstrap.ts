// The namespaces every cluster starts with.
import type { Clock } from '../apimachinery/clock.js';
import { StatusError } from '../apimachinery/status.js';
import type { Registry } from './registry/registry.js';

export const BUILTIN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function bootstrapNamespaces(registry: Registry, clock: Clock): Promise<void> {
  const store = registry.lookup('', 'v1', 'namespaces');
  if (!store) return;
  await Promise.all(BUILTIN_NAMESPACES.map(async (name) => {
    try {
      await store.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, {
        user: { name: 'system:apiserver', groups: ['system:masters'] }, now: clock.now(), dryRun: false,
      });
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
  }));
}
