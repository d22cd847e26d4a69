// Namespaces: Active on create; deleting one leaves it Terminating until its spec.finalizers
// are cleared through the finalize subresource.
import type { KubeObject } from '../../../apimachinery/object.js';
import type { Strategy } from '../strategy.js';

interface NamespaceLike extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: unknown[] };
}

export const namespaceStrategy: Strategy = {
  prepareForCreate(obj) {
    const ns = obj as NamespaceLike;
    ns.status = { phase: 'Active' };
  },
  prepareForUpdate(obj, old) {
    // spec.finalizers change only through /finalize.
    const ns = obj as NamespaceLike;
    const prev = old as NamespaceLike;
    ns.spec = { ...(ns.spec ?? {}), finalizers: prev.spec?.finalizers };
    if (ns.spec.finalizers === undefined) delete ns.spec.finalizers;
  },
  holdDeletion(obj) {
    const ns = obj as NamespaceLike;
    if (!ns.spec?.finalizers?.length) return false;
    ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
    return true;
  },
  returnDeletedObject: true,
};
