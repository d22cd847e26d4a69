// Which container a pod subresource request means, with Kubernetes' errors when it is ambiguous
// or unknown.
import { badRequest } from '../../apimachinery/status.js';

type Obj = Record<string, any>;

const names = (list: Obj[] | undefined) => (list ?? []).map((c) => String(c.name));

/** The container named in the request, or the only one the pod has. */
export function podContainer(pod: Obj, requested: string | null): string {
  const podName = String(pod.metadata?.name ?? '');
  const containers = names(pod.spec?.containers);
  const init = names(pod.spec?.initContainers);
  const ephemeral = names(pod.spec?.ephemeralContainers);
  if (!requested) {
    if (containers.length === 1) return containers[0];
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${podName}`);
    let msg = `a container name must be specified for pod ${podName}, choose one of: [${containers.join(' ')}]`;
    if (init.length) msg += ` or one of the init containers: [${init.join(' ')}]`;
    if (ephemeral.length) msg += ` or one of the ephemeral containers: [${ephemeral.join(' ')}]`;
    throw badRequest(msg);
  }
  if (![...containers, ...init, ...ephemeral].includes(requested)) {
    throw badRequest(`container ${requested} is not valid for pod ${podName}`);
  }
  return requested;
}

/** The node the pod runs on; a pod without one cannot stream. */
export function podNode(pod: Obj): string {
  const node = pod.spec?.nodeName as string | undefined;
  if (!node) throw badRequest(`pod ${String(pod.metadata?.name ?? '')} does not have a host assigned`);
  return node;
}
