// No new objects in a namespace that does not exist or is being deleted; the built-in
// namespaces cannot be deleted.
import { StatusError, forbidden, notFound } from '../../apimachinery/status.js';
import type { Registry } from '../registry/registry.js';
import type { RequestContext } from '../registry/strategy.js';

export const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];

export async function admitNamespacedCreate(registry: Registry, namespace: string, ctx: RequestContext): Promise<void> {
  const namespaces = registry.lookup('', 'v1', 'namespaces');
  if (!namespaces) return;
  let ns;
  try {
    ns = await namespaces.get(undefined, namespace);
  } catch (e) {
    if (e instanceof StatusError && e.code === 404) throw notFound('', 'namespaces', namespace);
    throw e;
  }
  const phase = (ns.status as { phase?: string } | undefined)?.phase;
  if (ns.metadata?.deletionTimestamp || phase === 'Terminating') {
    throw new StatusError(403, 'Forbidden',
      `unable to create new content in namespace ${namespace} because it is being terminated`,
      { name: namespace, kind: 'namespaces', causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] });
  }
  void ctx;
}

export function admitNamespaceDelete(name: string): void {
  if (IMMORTAL_NAMESPACES.includes(name)) {
    throw forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`);
  }
}
